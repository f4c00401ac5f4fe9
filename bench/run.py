"""hmn_nb's benchmark suite: one command, every figure a ratio against a baseline timed in the same process.

    python bench/run.py                          # the current code; ratios against its own pixel IPC 1 step
    python bench/run.py --old ../old             # also a checkout of an earlier commit, timed alternately with it
    python bench/run.py --only match,eval        # parts: match, eval, digits (default: all three)
    python bench/run.py --allocator tuned        # the C allocator for match/eval: default, tuned or both (default)

Parts
- match:  milliseconds per class-match of gradient matching on CIFAR-sized data (digits upscaled to 3x32x32, so
          nothing is downloaded), with IDC's settings: ConvNet-3 of width 128 with instance norm, 64 real images per
          class, at most 128 synthetic images per class, colour/crop/cutout augmentation. Pixel sets at IPC 1 and 10,
          HMNs at the same budgets (17 and 145 generated images per class; 128 of them per match at IPC 10). The
          current code is timed eager in float32 (its default) and with the compiled step (the cpu recipes'
          setting; compiling costs about a minute per case, before the timed calls); on a CPU with native bfloat16
          also in bfloat16, eager and compiled (the cpu recipes' `precision auto` picks it there).
- eval:   milliseconds per training step of an evaluation network (ConvNet-3 width 128, IDC's augmentation and
          CutMix) on 10 images per class with batch 64 and on 50 images per class with batch 256; the current code
          in float32, and in bfloat16 where the CPU has it natively.
- digits: README's default job (`hmn_nb condense --dataset digits --ipc 1`), run as a user runs it, in a child
          process, with the seconds of each stage and the accuracy from its result.json.

The match and eval parts run in a fresh child process for each C allocator setting (glibc's defaults, then the
tuning `hmn_nb.data.tune_allocator` applies, as the command line does), because the allocator is process-wide; the
bfloat16 and compiled variants only in the second.
With --old PATH (a folder holding an earlier checkout, e.g. `git worktree add ../old d68c035`), the same
measurements of that code are taken back to back with the current code's, alternating, and every line prints
current / old as a speed-up. Medians of --repeats measurements. Timings from two processes running at once are
meaningless on a small machine: run the suite alone. Results are also written as JSON (--json) so that two runs can
be compared.
"""
import argparse, importlib.util, json, os, platform, statistics, subprocess, sys, tempfile, time
from pathlib import Path
import torch

HERE = Path(__file__).resolve().parent.parent

def load_package(root:Path, name:str):
    "Import the `hmn_nb` package found in `root` under the module name `name`, beside the current one."
    spec = importlib.util.spec_from_file_location(name, root/'hmn_nb'/'__init__.py', submodule_search_locations=[str(root/'hmn_nb')])
    pkg = importlib.util.module_from_spec(spec); sys.modules[name] = pkg; spec.loader.exec_module(pkg)
    for m in ('data', 'nets', 'augment', 'evaluate', 'memory', 'generator', 'matching'):
        setattr(pkg, m, importlib.import_module(f'{name}.{m}'))
    return pkg

def sync(dev):
    if dev.type == 'cuda': torch.cuda.synchronize()

def timed(f, dev) -> float:
    "Seconds `f()` takes."
    sync(dev); t = time.perf_counter(); f(); sync(dev)
    return time.perf_counter() - t

def alternate(fns:dict, repeats:int, dev) -> dict:
    "Median seconds of each callable in `fns`, timed in turn (a, b, a, b, ...) after one warm-up call each."
    for f in fns.values(): f()
    times = {k: [] for k in fns}
    for _ in range(repeats):
        for k, f in fns.items(): times[k].append(timed(f, dev))
    return {k: statistics.median(v) for k, v in times.items()}

# ---------------------------------------------------------------------------------------------------------- match
def current_variants(pkg, dev) -> dict:
    "The current code's settings timed besides its float32 default: compiled, and bfloat16 where `dev` has it natively."
    v = {'current': {}, 'current-compiled': dict(compile=True)}
    if pkg.nets.native_bf16(dev): v.update({'current-bf16': dict(precision='bf16'), 'current-bf16-compiled': dict(precision='bf16', compile=True)})
    return v

def match_case(pkg, kind:str, ipc:int, dev, **settings):
    "A callable doing one matching step of `pkg` (all 10 classes) for a pixel set or an HMN at `ipc`, and K."
    data = pkg.data.load_data('digits', channels=3, device=dev)
    cfg = pkg.matching.MatchConfig(width=128, batch_real=64, batch_syn=128, **settings)
    if kind == 'pixels': model = pkg.generator.PixelSet.from_real(data, ipc).to(dev)
    else:
        lay = pkg.memory.hmn_layout('cifar10', data.shape, ipc)
        G = pkg.memory.gipc_for_budget(lay, pkg.memory.budget_floats(ipc, 10, data.shape), 10, 3)
        model = pkg.generator.HMN(lay, 10, G, data.shape, data.mean, data.std).to(dev)
    g = torch.Generator().manual_seed(0)
    torch.manual_seed(0)
    net = pkg.nets.ConvNet(data.shape[0], data.num_classes, data.shape[1], width=cfg.width).to(dev)
    sampler, dsa = pkg.data.ClassSampler(data.x_train, data.y_train, data.num_classes, g), pkg.augment.DSA(cfg.augment)
    def step():
        for p in model.parameters(): p.grad = None
        pkg.matching.match_step(model, net, sampler, cfg, dsa, g)
    return step, data.num_classes, model.images_per_class

def variants(pkgs:dict, dev, all_variants:bool) -> dict:
    "Name -> (package, settings) of every code and setting to time."
    v = {k: (pkgs['current'], s) for k, s in current_variants(pkgs['current'], dev).items() if all_variants or not s}
    return {**v, **({'old': (pkgs['old'], {})} if 'old' in pkgs else {})}

def bench_match(pkgs:dict, repeats:int, dev, all_variants:bool=True) -> dict:
    out = {}
    print(f"\nmatch: ms per class-match (CIFAR-sized, ConvNet-3 width 128, 64 real images), median of {repeats}"
          f"{' (compiling takes a minute per case)' if all_variants else ''}")
    for kind, ipc in (('pixels', 1), ('pixels', 10), ('hmn', 1), ('hmn', 10)):
        cases = {k: match_case(p, kind, ipc, dev, **s) for k, (p, s) in variants(pkgs, dev, all_variants).items()}
        t = alternate({k: c[0] for k, c in cases.items()}, repeats, dev)
        K, G = cases['current'][1:]
        ms = {k: 1000 * v / K for k, v in t.items()}
        out[f'{kind}-ipc{ipc}'] = dict(ms=ms, images_per_class=G)
        line = f"  {kind:6s} IPC {ipc:2d} ({G:3d} images/class): " + '   '.join(f"{k} {v:7.1f} ms" for k, v in ms.items())
        if 'old' in ms: line += '   speed-up over old: ' + ', '.join(f"{k} x{ms['old'] / v:.2f}" for k, v in ms.items() if k != 'old')
        print(line, flush=True)
    base = out['pixels-ipc1']['ms']['current']
    print(f"  current code against its pixel IPC 1 step: " +
          ', '.join(f"{k} x{v['ms']['current'] / base:.2f}" for k, v in out.items()))
    return out

# ----------------------------------------------------------------------------------------------------------- eval
def eval_case(pkg, ipc:int, bs:int, steps:int, dev, **settings):
    "A callable training one evaluation network of `pkg` for `steps` steps on `ipc` real images per class."
    data = pkg.data.load_data('digits', channels=3, device=dev)
    i = pkg.data.sample_per_class(data.y_train, ipc, 10, torch.Generator().manual_seed(0)).to(dev)
    x, y = data.x_train[i], data.y_train[i]
    cfg = pkg.evaluate.EvalConfig(steps=steps, width=128, batch_size=bs, **settings).resolve('cifar10')
    return lambda: pkg.evaluate.train_net(pkg.evaluate.make_net(data, cfg, 0), x, y, cfg, seed=0)

def bench_eval(pkgs:dict, repeats:int, dev, steps:int=20, all_variants:bool=True) -> dict:
    out = {}
    print(f"\neval: ms per training step of an evaluation ConvNet-3 width 128 ({steps} steps per measurement), median of {repeats}")
    for ipc, bs in ((10, 64), (50, 256)):
        cases = {k: eval_case(p, ipc, bs, steps, dev, **{k: v for k, v in s.items() if k != 'compile'})
                 for k, (p, s) in variants(pkgs, dev, all_variants).items() if not s.get('compile')}
        t = alternate(cases, repeats, dev)
        ms = {k: 1000 * v / steps for k, v in t.items()}
        out[f'ipc{ipc}-batch{bs}'] = dict(ms=ms)
        line = f"  {ipc * 10:3d} images, batch {bs:3d}: " + '   '.join(f"{k} {v:7.2f} ms" for k, v in ms.items())
        if 'old' in ms: line += '   speed-up over old: ' + ', '.join(f"{k} x{ms['old'] / v:.2f}" for k, v in ms.items() if k != 'old')
        print(line, flush=True)
    return out

# --------------------------------------------------------------------------------------------------------- digits
def digits_job(root:Path, out:Path) -> dict:
    "README's default job with the package in `root`, in a child process as a user runs it; its result.json."
    code = f'import sys; sys.path.insert(0, {str(root)!r}); from hmn_nb.cli import main; sys.exit(main())'
    t = time.perf_counter()
    subprocess.run([sys.executable, '-c', code, 'condense', '--dataset', 'digits', '--ipc', '1', '--out', str(out), '--no-progress'],
                   check=True, stdout=subprocess.DEVNULL, cwd=out.parent)
    r = json.loads((out/'result.json').read_text())
    return dict(wall=time.perf_counter() - t, seconds=r['seconds'], acc=r.get('acc_mean', r.get('acc')),
                stages=r.get('stages') or {k: r.get(k) for k in ('condense_seconds', 'eval_seconds')})

def bench_digits(roots:dict) -> dict:
    print("\ndigits: README's job `hmn_nb condense --dataset digits --ipc 1`, in a child process, seconds")
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, root in roots.items():
            out[k] = r = digits_job(root, Path(tmp)/k)
            fine = {'warm_start', 'matching', 'aum', 'beta_search'} & set(r['stages'])      # then the totals are not repeated
            stages = ', '.join(f"{s.replace('_', ' ')} {v:.0f}" for s, v in r['stages'].items()
                               if isinstance(v, (int, float)) and not (fine and s in ('condense', 'prune')))
            print(f"  {k:7s}: {r['wall']:6.1f} s in all ({r['seconds']:.1f} s in the run: {stages}); accuracy {r['acc']:.2f} %", flush=True)
    if 'old' in out: print(f"  speed-up x{out['old']['wall'] / out['current']['wall']:.2f}")
    return out

def child(a, pkgs, roots, dev) -> dict:
    "The match and eval parts, in this process, with the allocator as it is."
    res = {}
    every = a.child != 'default'          # glibc's allocator: float32 only, to compare with the old code as it ran
    if 'match' in a.parts: res['match'] = bench_match(pkgs, a.repeats, dev, all_variants=every)
    if 'eval' in a.parts: res['eval'] = bench_eval(pkgs, a.repeats, dev, all_variants=every)
    return res

def in_child(a, allocator:str) -> dict:
    "Run the match and eval parts in a fresh process whose C allocator is `allocator` (default or tuned)."
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, __file__, '--child', allocator, '--only', ','.join(sorted(a.parts & {'match', 'eval'})),
               '--repeats', str(a.repeats), '--device', a.device, '--json', str(Path(tmp)/'r.json')]
        if a.old is not None: cmd += ['--old', str(a.old)]
        subprocess.run(cmd, check=True)
        return json.loads((Path(tmp)/'r.json').read_text())

def summary(res:dict):
    "The headline: the current code as users run it (tuned allocator) against the old code as it ran (glibc's defaults)."
    if 'tuned' not in res or 'default' not in res or 'old' not in res['info']['old_code']: return
    print("\nsummary: current code with the tuned allocator (as hmn_nb's command line runs) against the old code with glibc's defaults")
    for part in ('match', 'eval'):
        for case, v in res['tuned'].get(part, {}).items():
            old = res['default'][part][case]['ms']['old']
            print(f"  {part:5s} {case:14s} old {old:8.1f} ms -> " +
                  ', '.join(f"{k} {t:7.1f} ms (x{old / t:.2f})" for k, t in v['ms'].items() if k != 'old'))

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--old', type=Path, help='a folder holding an earlier checkout of hmn_nb to time against')
    p.add_argument('--only', default='match,eval,digits', help='comma-separated parts: match, eval, digits')
    p.add_argument('--repeats', type=int, default=3, help='measurements per figure (median)')
    p.add_argument('--allocator', default='both', choices=('both', 'tuned', 'default'),
                   help="C allocator for the match and eval parts: glibc's defaults, hmn_nb's tuning, or both (default)")
    p.add_argument('--device', default='cpu', help='cpu (default), cuda or auto')
    p.add_argument('--json', type=Path, default=Path('bench/results.json'), help='where to write the results')
    p.add_argument('--child', choices=('tuned', 'default'), help=argparse.SUPPRESS)
    a = p.parse_args()
    a.parts = set(a.only.split(','))
    if not a.parts <= {'match', 'eval', 'digits'}: p.error(f"unknown part in --only {a.only!r}; choose from match, eval, digits")
    if a.old is not None and not (a.old/'hmn_nb'/'__init__.py').is_file(): p.error(f"--old {a.old} holds no hmn_nb/ package")
    if a.old is not None: a.old = a.old.resolve()
    pkgs, roots = {'current': load_package(HERE, 'hmn_nb_current')}, {'current': HERE}
    if a.child == 'tuned': pkgs['current'].data.tune_allocator()            # before anything large is allocated
    if a.old is not None: pkgs['old'], roots['old'] = load_package(a.old, 'hmn_nb_old'), a.old
    dev = pkgs['current'].data.get_device(a.device)
    if a.child:
        print(f"\n[allocator: {a.child}]")
        res = child(a, pkgs, roots, dev)
        a.json.write_text(json.dumps(res) + '\n'); return
    info = dict(torch=torch.__version__, threads=torch.get_num_threads(), device=str(dev), cpu=platform.processor() or platform.machine(),
                cores=os.cpu_count(), version=pkgs['current'].__version__, old_code=str(a.old) if a.old else '',
                time=time.strftime('%Y-%m-%d %H:%M'))
    print('hmn_nb bench: ' + ', '.join(f'{k} {v}' for k, v in info.items() if v != ''))
    res = dict(info=info)
    if a.parts & {'match', 'eval'}:
        for alloc in (('default', 'tuned') if a.allocator == 'both' else (a.allocator,)): res[alloc] = in_child(a, alloc)
    if 'digits' in a.parts: res['digits'] = bench_digits(roots)
    summary(res)
    a.json.parent.mkdir(parents=True, exist_ok=True); a.json.write_text(json.dumps(res, indent=1) + '\n')
    print(f"\nwritten to {a.json}")

if __name__ == '__main__': main()
