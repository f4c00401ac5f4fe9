"""The GPU check: one command that measures what the recipes' cost model and README's promises rest on.

    python bench/gpu_check.py                      # on the GPU torch sees (about 8 minutes); JSON in bench/gpu_check.json
    python bench/gpu_check.py --device cpu         # the same on the CPU (the `cpu` unit costs of the recipes)
    python bench/gpu_check.py --smoke              # a miniature of every part, one to two minutes on a CPU (CI runs it)

It measures, on one device:
- milliseconds per unit of work, the units `hmn_nb.recipes.recipe_work` counts, at CIFAR-10's size (10 classes of
  3 x 32 x 32, ConvNet-3 of width 128): a class-match of pixels and of HMNs at IPC 1, 10 and 50, a step of the
  matching network on real data, a warm-start step, an SGD step of an evaluation network; with the peak memory of
  a class-match (torch's `max_memory_allocated` on CUDA, not measured on a CPU);
- each in float32 and bfloat16 where the device computes it natively, and on CUDA also TF32;
- a miniature run end to end, twice with one seed (the same accuracy and the same condensed tensors?), twice more
  with `deterministic=True`, and once
  interrupted after its first network and resumed (the same matching losses as the uninterrupted run, under the deterministic mode;
  by default the largest relative difference is reported, since CUDA's atomic backward passes differ in the last bits);
- the minutes of every recipe by the cost model with these unit costs (`hmn_nb.recipes.run_minutes`).

A unit cost is the slope between two run lengths (so compiling, the first call and the test pass drop out), the
median of --repeats. What compiling costs is measured apart, as the first call's time over a later call's of the same
length (`compile_s`), and the recipes' minutes include it for the parts they compile. Whether every case really ran
compiled is recorded too (`eager_fallbacks`: cases where Dynamo passed its recompile limit and ran eagerly; the check
fails if any did). Data: random pixels of CIFAR-10's shape, so nothing is downloaded (a step costs the same on any
images of one shape). Run it alone: a second process using the same device distorts the times.
"""
import argparse, json, statistics, sys, tempfile, time
from dataclasses import replace
from pathlib import Path
import torch
import torch._dynamo.utils as dynamo_utils

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import hmn_nb
from hmn_nb.base import get_device, describe_device, set_deterministic
from hmn_nb.data import from_pixels, ClassSampler
from hmn_nb.nets import ConvNet, native_bf16
from hmn_nb.augment import DSA
from hmn_nb.evaluate import EvalConfig, evaluate
from hmn_nb.generator import HMN, PixelSet, warm_start
from hmn_nb.matching import MatchConfig, match_step, train_net_real
from hmn_nb.loop import condense
from hmn_nb.pipeline import RunConfig, run
from hmn_nb.prune import PruneConfig
from hmn_nb.recipes import RECIPES, run_minutes

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize(dev)

def timed(f, n:int, dev) -> float:
    "Seconds of f(n), the device's queue drained before and after."
    sync(dev); t = time.perf_counter(); f(n); sync(dev)
    return time.perf_counter() - t

def slope(f, n1:int, n2:int, dev, repeats:int) -> tuple:
    "(ms per unit: median over `repeats` of (time of f(n2) − time of f(n1)) / (n2 − n1); seconds the first f(n1) took over later ones: compiling)."
    first, out, later = timed(f, n1, dev), [], []
    for _ in range(repeats):
        t1, t2 = timed(f, n1, dev), timed(f, n2, dev)
        out.append(1000 * (t2 - t1) / (n2 - n1)); later.append(t1)
    return statistics.median(out), max(0.0, first - statistics.median(later))

def fallbacks() -> int:
    "How many times Dynamo has passed its recompile limit in this process (and so ran the code eagerly)."
    return sum(v for k, v in dynamo_utils.counters['unimplemented'].items() if 'recompile limit' in k.lower())

def fake_cifar(dev, per_class:int=200):
    "Random pixels of CIFAR-10's shape and classes, on `dev`."
    g = torch.Generator().manual_seed(0)
    x = torch.randint(0, 256, (10 * per_class, 3, 32, 32), dtype=torch.uint8, generator=g); y = torch.arange(10 * per_class) % 10
    return from_pixels('cifar10', x, y, x[:500], y[:500], [str(i) for i in range(10)]).to(dev)

def container(kind:str, data, ipc:int, dev):
    return (PixelSet.from_real(data, ipc) if kind == 'pixels' else HMN.for_budget(data, ipc)).to(dev)

def class_match_ms(kind:str, ipc:int, data, cfg:MatchConfig, dev, repeats:int) -> tuple:
    "(ms per class-match and compile seconds, images per class, peak MB of a matching step or None) for pixels or an HMN at `ipc`."
    model = container(kind, data, ipc, dev)
    g = torch.Generator().manual_seed(0); torch.manual_seed(0)
    net = ConvNet(3, 10, 32, width=cfg.width).to(dev)
    sampler, dsa = ClassSampler(data.x_train, data.y_train, 10, g), DSA(cfg.augment)
    def steps(n):
        for _ in range(n):
            for p in model.parameters(): p.grad = None
            match_step(model, net, sampler, cfg, dsa, g)
    ms, first = slope(steps, 1, 3, dev, repeats)
    peak = None
    if dev.type == 'cuda':
        torch.cuda.reset_peak_memory_stats(dev); before = torch.cuda.memory_allocated(dev)
        steps(1); sync(dev); peak = (torch.cuda.max_memory_allocated(dev) - before) / 2**20
    return (ms / 10, first), model.images_per_class, peak

def network_step_ms(data, cfg:MatchConfig, dev, repeats:int) -> float:
    "(ms per SGD step of the matching network on real data (`train_net_real`), compile seconds)."
    torch.manual_seed(0); net = ConvNet(3, 10, 32, width=cfg.width).to(dev)
    opt, dsa, g = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9), DSA(cfg.augment), torch.Generator().manual_seed(0)
    return slope(lambda n: train_net_real(net, opt, data, replace(cfg, net_steps=n), dsa, g), 2, 6, dev, repeats)

def warm_step_ms(data, ipc:int, dev, repeats:int, smoke:bool) -> float:
    "(ms per warm-start step (a batch of 512 decoded images fitted to real ones) of an HMN at `ipc`, first-call seconds)."
    model = container('hmn', data, ipc, dev)
    return slope(lambda n: warm_start(model, data, steps=n, batch=64 if smoke else 512, progress=False), 2, 6, dev, repeats)

def sgd_step_ms(data, ev:EvalConfig, dev, repeats:int) -> float:
    "(ms per SGD step of an evaluation network (batch 64, DSA, CutMix), the unit of evaluation, AUM and the β search; compile seconds)."
    x, y = data.x_train[:500], data.y_train[:500]
    f = lambda n: evaluate(x, y, data, replace(ev, steps=n, runs=1, converge=False, test_size=100), progress=False)
    return slope(f, 10, 30, dev, repeats)

def precisions(dev) -> list:
    "(name, MatchConfig changes, TF32 on) of every precision worth timing on `dev`."
    out = [('fp32', 'fp32', False)]
    if dev.type == 'cuda': out.append(('tf32', 'fp32', True))
    if native_bf16(dev): out.append(('bf16', 'bf16', False))
    return out

def set_tf32(on:bool):
    torch.backends.cuda.matmul.allow_tf32 = on; torch.backends.cudnn.allow_tf32 = on

def unit_costs(dev, smoke:bool, repeats:int, compile_:bool, ipcs:tuple, only:list|None) -> dict:
    "{precision: {unit: ms, ...}} at CIFAR-10's size."
    data = fake_cifar(dev, 20 if smoke else 200)
    width, ipcs = (16, (1,)) if smoke else (128, ipcs)
    out = {}
    for name, prec, tf32 in precisions(dev):
        if only and name not in only: continue
        if dev.type == 'cuda': set_tf32(tf32)
        cfg = MatchConfig(width=width, batch_real=16 if smoke else 64, precision=prec, compile=compile_, metric='l1', fc=False)
        ev = EvalConfig(width=width, precision=prec, compile=compile_)
        u, comp, before = {'class_match': {}, 'peak_mb': {}}, {}, fallbacks()
        for kind in ('pixels', 'hmn'):
            for ipc in ipcs:
                (ms, comp[f'{kind} ipc{ipc}']), G, peak = class_match_ms(kind, ipc, data, cfg, dev, repeats)
                u['class_match'][f'{kind} ipc{ipc} ({G} images)'] = round(ms, 2); u['peak_mb'][f'{kind} ipc{ipc}'] = peak and round(peak)
                print(f"  {name}: class-match {kind} IPC {ipc} ({G} images per class): {ms:8.2f} ms" + (f", step peak {peak:,.0f} MB" if peak else ''), flush=True)
        (u['network_step'], comp['network_step']), (u['warm_start_step'], comp['warm_start_step']), (u['sgd_step'], comp['sgd_step']) = (
            network_step_ms(data, cfg, dev, repeats), warm_step_ms(data, 1 if smoke else 10, dev, repeats, smoke), sgd_step_ms(data, ev, dev, repeats))
        u.update({k: round(u[k], 2) for k in ('network_step', 'warm_start_step', 'sgd_step')}, eager_fallbacks=fallbacks() - before,
                 compile_s={k: round(v, 1) for k, v in comp.items()})
        print(f"  {name}: network step {u['network_step']:.2f} ms, warm-start step {u['warm_start_step']:.2f} ms, "
              f"evaluation SGD step {u['sgd_step']:.2f} ms; first calls (compiling) {sum(comp.values()):.0f} s in all, "
              f"{u['eager_fallbacks']} case(s) past the recompile limit", flush=True)
        out[name] = u
    if dev.type == 'cuda': set_tf32(False)
    return out

def mini_run(dev, out=None, precision='fp32', deterministic=False):
    "A miniature HMN run on digits (10 % over budget, pruned), on `dev`."
    cfg = RunConfig(dataset='digits', ipc=1, device=str(dev), seed=3, deterministic=deterministic,
                    match=MatchConfig(iters=2, inner=3, width=16, batch_real=16, batch_syn=10, net_steps=2, warm_start=20, precision=precision),
                    eval=EvalConfig(steps=30, runs=1, width=16, precision=precision), prune=PruneConfig(aum_epochs=1, beta_runs=1, grid=(0.0, 0.5)))
    return run(cfg, out=out, progress=False)

class _Stop(Exception): pass

def checks(dev) -> dict:
    "Repeatability of a miniature run and exactness of a resumed condensation, on `dev`."
    with tempfile.TemporaryDirectory() as tmp:
        a, b = mini_run(dev, Path(tmp)/'a'), mini_run(dev, Path(tmp)/'b')
        ta, tb = (torch.load(Path(tmp)/d/'condensed.pt', weights_only=True)['state'] for d in ('a', 'b'))
        same_tensors = all(torch.equal(ta[k], tb[k]) for k in ta)
        da, db = mini_run(dev, Path(tmp)/'da', deterministic=True), mini_run(dev, Path(tmp)/'db', deterministic=True)
        tda, tdb = (torch.load(Path(tmp)/d/'condensed.pt', weights_only=True)['state'] for d in ('da', 'db'))
        det_same = da.acc_mean == db.acc_mean and all(torch.equal(tda[k], tdb[k]) for k in tda)
        (whole, resumed), (dwhole, dresumed) = resumed_pair(dev, Path(tmp), False), resumed_pair(dev, Path(tmp), True)
    drift = max(abs(r - w) / max(abs(w), 1e-12) for r, w in zip(resumed, whole))
    res = dict(same_seed_accuracy=a.acc_mean == b.acc_mean, same_seed_tensors=same_tensors, accuracy=a.acc_mean,
               deterministic_same=det_same, resumed_losses_equal=dresumed == dwhole, resumed_drift=drift, losses=len(whole))
    print(f"  miniature run twice, one seed: accuracy {a.acc_mean:.2f} and {b.acc_mean:.2f} %, same condensed tensors: {same_tensors}")
    print(f"  the same run twice with --deterministic: same accuracy and condensed tensors: {det_same}")
    print(f"  condensation interrupted after its first network and resumed, deterministic: same {len(whole)} losses as "
          f"uninterrupted: {dresumed == dwhole}; by default: largest relative difference {drift:.1e} (CUDA's atomic backward "
          f"passes differ in the last bits, so only the deterministic pair must agree exactly)")
    return res

def resumed_pair(dev, tmp:Path, deterministic:bool) -> tuple:
    "(the losses of a miniature condensation, the same interrupted after its first network and resumed), in the mode asked for."
    data, was = fake_cifar(dev, 20), torch.are_deterministic_algorithms_enabled()
    cfg = MatchConfig(iters=2, inner=2, width=16, batch_real=16, batch_syn=10, net_steps=1, warm_start=0)
    ck = tmp/f'ck-{deterministic}.pt'
    def stop(it, losses):
        if it == 0: raise _Stop
    set_deterministic(deterministic)
    try:
        whole = condense(HMN.for_budget(data, 1).to(dev), data, cfg, seed=1, progress=False)
        try: condense(HMN.for_budget(data, 1).to(dev), data, cfg, seed=1, checkpoint=ck, progress=False, callback=stop)
        except _Stop: pass
        return whole, condense(HMN.for_budget(data, 1).to(dev), data, cfg, seed=1, checkpoint=ck, progress=False)
    finally: set_deterministic(was)

def recipe_estimates(units:dict) -> dict:
    "Minutes of every recipe by the cost model, with the fastest measured precision's unit costs."
    out = {n: round(run_minutes(r.config, units), 1) for n, r in RECIPES.items()}
    for n in (k for k in out if k.endswith('gpu-short')): print(f"  {n:28s} {out[n]:8.1f} min")
    return out

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--device', default='auto'); p.add_argument('--smoke', action='store_true')
    p.add_argument('--repeats', type=int, default=None); p.add_argument('--no-compile', action='store_true')
    p.add_argument('--ipc', default='1,10,50', help='the IPCs of the class-match cases')
    p.add_argument('--precisions', default=None, help='only these, e.g. bf16 (default: fp32, tf32 on CUDA, bf16 where native)')
    p.add_argument('--json', default=str(Path(__file__).with_name('gpu_check.json')))
    a = p.parse_args(argv)
    dev = get_device(a.device); t0 = time.time()
    repeats = a.repeats or (1 if a.smoke else 3)
    print(f"== {describe_device(dev)}, torch {torch.__version__}, hmn_nb {hmn_nb.__version__}{' (smoke)' if a.smoke else ''}", flush=True)
    print("== unit costs at CIFAR-10's size", flush=True)
    compile_ = not (a.no_compile or a.smoke)
    units = unit_costs(dev, a.smoke, repeats, compile_, tuple(int(i) for i in a.ipc.split(',')),
                       a.precisions and a.precisions.split(','))
    print("== repeatability and resume", flush=True)
    rep = checks(dev)
    best = min(units.values(), key=lambda u: u['sgd_step'])
    print(f"== recipe minutes by the cost model with these unit costs ({'smoke: meaningless sizes' if a.smoke else 'fastest precision'})")
    est = recipe_estimates(dict(class_match=_fit(best['class_match']), network_step=best['network_step'],
                                warm_start_step=best['warm_start_step'], sgd_step=best['sgd_step'], compile_s=_compile_s(best['compile_s']) if compile_ else {}))
    res = dict(device=describe_device(dev), torch=torch.__version__, smoke=a.smoke, units=units, checks=rep, recipe_minutes=est,
               seconds=round(time.time() - t0, 1))
    Path(a.json).write_text(json.dumps(res, indent=1))
    ok = rep['deterministic_same'] and rep['resumed_losses_equal'] and (dev.type == 'cuda' or rep['same_seed_tensors'])   # CUDA without the mode: reported
    ok = ok and all(u['eager_fallbacks'] == 0 for u in units.values())          # "compiled" means compiled
    print(f"== {'passed' if ok else 'FAILED'} in {time.time() - t0:.0f} s; JSON in {a.json}")
    return 0 if ok else 1

def _compile_s(comp:dict) -> dict:
    "Seconds a run spends compiling: matching (its slowest class-match shape and the network's step), evaluation (the SGD step)."
    return dict(match=max(v for k, v in comp.items() if k.startswith('hmn')) + comp['network_step'], eval=comp['sgd_step'])

def _fit(cm:dict) -> tuple:
    "(ms per class-match with no synthetic image, ms per synthetic image) fitted to the HMN rows, by least squares."
    pts = [(min(int(k.split('(')[1].split()[0]), 128), v) for k, v in cm.items() if k.startswith('hmn')]
    if len(pts) < 2: return (pts[0][1], 0.0)
    n = len(pts); mx = sum(x for x, _ in pts) / n; my = sum(y for _, y in pts) / n
    sxx = sum((x - mx) ** 2 for x, _ in pts)
    b = sum((x - mx) * (y - my) for x, y in pts) / sxx if sxx else 0.0
    return (round(my - b * mx, 2), round(b, 4))

if __name__ == '__main__': sys.exit(main())
