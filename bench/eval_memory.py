"""Peak host memory of generating an HMN's images and evaluating them, at Tiny-ImageNet's size, in fresh processes.

    python bench/eval_memory.py --ipc 10                 # about a minute
    python bench/eval_memory.py --ipc 50                 # about 4 minutes; peaks near 12 GB

For each allocator setting (glibc's defaults, and the settings the `hmn_nb` command applies), a child process builds an
HMN for the `tinyimagenet-ipc{IPC}-cpu` recipe on random Tiny-ImageNet-shaped data (4,000 training images), decodes
all its images, and runs a short evaluation (20 SGD steps, a 2,000-image test subset); it prints the peak resident
memory (VmHWM, GB) after loading, after generating, and after evaluating, beside the size of the generated images and
the pipeline's `memory_estimate` for the same run.
"""
import argparse, json, subprocess, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

def child(ipc:int, tuned:bool) -> dict:
    import torch
    if tuned:
        from hmn_nb.base import tune_allocator; tune_allocator()
    from hmn_nb.data import from_pixels
    from hmn_nb.generator import HMN
    from hmn_nb.evaluate import EvalConfig, evaluate
    from hmn_nb.recipes import RECIPES
    from hmn_nb.pipeline import memory_estimate
    peak = lambda: int(next(l.split()[1] for l in Path('/proc/self/status').read_text().splitlines() if l.startswith('VmHWM'))) / 1e6
    x = torch.randint(0, 256, (6000, 3, 64, 64), dtype=torch.uint8, generator=torch.Generator().manual_seed(0)); y = torch.arange(6000) % 200
    data = from_pixels('tinyimagenet', x[:4000], y[:4000], x[4000:], y[4000:], [str(i) for i in range(200)]); del x
    cfg = RECIPES[f'tinyimagenet-ipc{ipc}-cpu'].config
    m, out = HMN.for_budget(data, ipc, 0.0, seed=0, layout=cfg.layout), {'loaded': peak()}
    with torch.no_grad(): xs, ys = m.generate()
    out |= dict(generated=peak(), images_gb=xs.numel() * 4 / 1e9)
    evaluate(xs, ys, data, EvalConfig(steps=20, runs=1, test_size=2000), progress=False)
    out |= dict(evaluated=peak(), model=memory_estimate(cfg, 200, (3, 64, 64), 4000, 2000)['run'])
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--ipc', type=int, default=10); p.add_argument('--child', choices=('default', 'tuned'))
    a = p.parse_args()
    if a.child: print(json.dumps(child(a.ipc, a.child == 'tuned'))); return
    for how in ('default', 'tuned'):
        r = json.loads(subprocess.run([sys.executable, __file__, '--ipc', str(a.ipc), '--child', how], capture_output=True, text=True, check=True).stdout.splitlines()[-1])
        print(f"IPC {a.ipc}, {how:7s} allocator: peak GB loaded {r['loaded']:.2f}, generated {r['generated']:.2f} "
              f"({r['images_gb']:.2f} of images), evaluated {r['evaluated']:.2f}; memory_estimate {r['model']:.2f}")

if __name__ == '__main__': main()
