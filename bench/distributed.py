"""Two gloo ranks of one thread against one process of two threads, on the same two cores: CIFAR-10 matching steps
and README's digits job.

    python bench/distributed.py                      # both parts, about 10 minutes on 2 slow cores
    python bench/distributed.py --only step --steps 3

The step part times, after one warm-up step, `match_step` of an HMN at CIFAR-10 IPC 10 with the `cifar10-ipc10-cpu`
recipe's matching settings (random CIFAR-shaped pixels: the time does not depend on them), and separately the
network's steps on real data between matches (`train_net_real`). Under torchrun those run identically on every rank;
the script also times them at half the batch, with the all_reduce their gradients would need, which is what
splitting them over the ranks would cost. The job part runs `hmn_nb condense` (README's digits job) both ways and
reads the stages from result.json. Every figure is a ratio against the one-process run made by the same command.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

def step_child(steps:int):
    "Seconds per matching step, per network phase, and (under torchrun) per split network phase; JSON from rank 0."
    import torch
    from hmn_nb.distributed import setup, rank, world, all_sum_
    from hmn_nb.data import from_pixels, ClassSampler
    from hmn_nb.generator import HMN
    from hmn_nb.recipes import recipe_config
    from hmn_nb.matching import make_optimizer, train_net_real
    from hmn_nb.augment import DSA
    from hmn_nb.nets import resolve_precision
    from hmn_nb.loop import _matching_net, _matching_step
    setup()
    g0 = torch.Generator().manual_seed(0)
    x, y = torch.randint(0, 256, (10000, 3, 32, 32), dtype=torch.uint8, generator=g0), torch.arange(10000) % 10
    data = from_pixels('cifar10', x[:9000], y[:9000], x[9000:], y[9000:], [str(i) for i in range(10)])
    cfg = recipe_config('cifar10-ipc10-cpu')
    mc = replace(cfg.match, precision=resolve_precision(cfg.match.precision, data.device))
    model = HMN.for_budget(data, 10, 0.0, seed=0, layout=cfg.layout)
    g = torch.Generator().manual_seed(0); opt = make_optimizer(model, mc)
    sampler, dsa = ClassSampler(data.x_train, data.y_train, 10, g), DSA(mc.augment)
    net, net_opt = _matching_net(data, mc, g)
    half = replace(mc, net_batch=mc.net_batch // world())
    t = {'match': [], 'net': [], 'net_split': []}
    def timed(key, f):
        t0 = time.perf_counter(); f(); t[key].append(time.perf_counter() - t0)
    for _ in range(steps + 1):
        timed('match', lambda: _matching_step(model, net, sampler, mc, dsa, g, opt))
        timed('net', lambda: train_net_real(net, net_opt, data, mc, dsa, g, None))
        if world() > 1:                                                  # half the batch each, and a sum of the gradients per step
            grads = [torch.zeros_like(p) for p in net.parameters()]
            timed('net_split', lambda: (train_net_real(net, net_opt, data, half, dsa, g, None), [all_sum_(grads) for _ in range(mc.net_steps)]))
    if rank() == 0:
        print(json.dumps({k: statistics.median(v[1:]) for k, v in t.items() if v} | dict(world=world(), threads=torch.get_num_threads(), precision=mc.precision)))

def launch(procs:int, args:list, env_threads:int|None=None) -> subprocess.CompletedProcess:
    "`python ARGS` (a script, or `-m module`) in one process, or under torchrun in `procs` gloo ranks of one thread each."
    env = {**os.environ, **({'OMP_NUM_THREADS': str(env_threads)} if env_threads else {})}
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--standalone', f'--nproc-per-node={procs}', *args] if procs > 1 else [sys.executable, *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)

def step_part(steps:int) -> dict:
    out = {}
    for name, procs, threads in (('1 process, 2 threads', 1, 2), ('2 ranks, 1 thread each', 2, 1)):
        p = launch(procs, [__file__, '--child', '--steps', str(steps)], threads)
        if p.returncode: sys.exit(p.stderr[-3000:])
        out[name] = json.loads(p.stdout.strip().splitlines()[-1])
    one, two = out['1 process, 2 threads'], out['2 ranks, 1 thread each']
    print(f"CIFAR-10 IPC 10 HMN, one matching step ({one['precision']}), median of {steps} after a warm-up:")
    for name, r in out.items():
        print(f"  {name:24s} match {r['match'] * 1e3:7.0f} ms  network steps {r['net'] * 1e3:6.0f} ms"
              + (f"  (split over the ranks: {r['net_split'] * 1e3:.0f} ms)" if 'net_split' in r else ''))
    whole = lambda r, net: r['match'] + net
    print(f"  speed-up of a whole step (match + network steps), network steps on every rank: x{whole(one, one['net']) / whole(two, two['net']):.2f}")
    print(f"  the same if the network steps were split over the ranks:                        x{whole(one, one['net']) / whole(two, two['net_split']):.2f}")
    print(f"  matching alone: x{one['match'] / two['match']:.2f}")
    return out

def job_part() -> dict:
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, procs, threads in (('1 process, 2 threads', 1, 2), ('2 ranks, 1 thread each', 2, 1)):
            d = Path(tmp)/str(procs); t0 = time.time()
            p = launch(procs, ['-m', 'hmn_nb.cli', 'condense', '--out', str(d), '--no-progress'], threads)
            if p.returncode: sys.exit(p.stderr[-3000:])
            r = json.loads((d/'result.json').read_text())
            out[name] = dict(wall=time.time() - t0, acc=r['acc_mean'], **{k: v for k, v in r['stages'].items() if isinstance(v, (int, float))})
    one, two = out.values()
    print("README's digits job (hmn_nb condense), seconds:")
    keys = [k for k in one if k not in ('acc', 'warm_loss') and one[k] >= 0.5]     # the stages that take time
    print(f"  {'':24s} " + ' '.join(f'{k:>10s}' for k in keys) + '   accuracy')
    for name, r in out.items(): print(f"  {name:24s} " + ' '.join(f'{r[k]:10.1f}' for k in keys) + f"   {r['acc']:.2f} %")
    print(f"  speed-up " + ', '.join(f"{k} x{one[k] / two[k]:.2f}" for k in keys if two[k] > 0))
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--only', choices=('step', 'job')); p.add_argument('--steps', type=int, default=3)
    p.add_argument('--child', action='store_true', help=argparse.SUPPRESS); p.add_argument('--json')
    a = p.parse_args()
    if a.child: return step_child(a.steps)
    import torch; from hmn_nb.base import describe_device
    print(f"{describe_device(torch.device('cpu'))}; torch {torch.__version__}")
    res = {}
    if a.only in (None, 'step'): res['step'] = step_part(a.steps)
    if a.only in (None, 'job'): res['job'] = job_part()
    if a.json: Path(a.json).write_text(json.dumps(res, indent=2))

if __name__ == '__main__': main()
