"""The evaluation network trained through `torch.compile` (`EvalConfig(compile=True)`) against eager, in one process.

Times `hmn_nb.evaluate.train_net` itself (the package's one training loop: batch gather, DSA, CutMix, SGD) on a
CIFAR-sized set of --images random images, --steps steps per measurement, eager and compiled alternately, median of
--repeats, in float32 and, where the CPU has it natively, bfloat16 (what `precision='auto'` picks). Compiling is timed
apart, once per precision, and left out of the ratios.

    python bench/eval_compile.py [--steps 50] [--repeats 5] [--images 1450]
"""
import argparse, statistics, time
from dataclasses import replace
import torch
from hmn_nb.nets import ConvNet, native_bf16
from hmn_nb.evaluate import EvalConfig, train_net

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=50); p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--images', type=int, default=1450)
    a = p.parse_args()
    torch.manual_seed(0)
    x, y = torch.randn(a.images, 3, 32, 32), torch.arange(a.images) % 10
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, ConvNet-3 width 128, batch 64, {a.images} images, "
          f"{a.steps} steps of train_net per measurement, median of {a.repeats}")
    for precision in ('fp32', 'bf16') if native_bf16('cpu') else ('fp32',):
        cfg = EvalConfig(steps=a.steps, precision=precision).resolve('cifar10')
        net = lambda: ConvNet(3, 10, 32, width=128)
        run = {'eager': lambda: train_net(net(), x, y, cfg, 0), 'compiled': lambda: train_net(net(), x, y, replace(cfg, compile=True), 0)}
        t0 = time.perf_counter(); run['compiled'](); first = time.perf_counter() - t0
        run['eager']()
        ts = {k: [] for k in run}
        for _ in range(a.repeats):
            for k, f in run.items():
                t0 = time.perf_counter(); f(); ts[k].append(time.perf_counter() - t0)
        e, c = (statistics.median(ts[k]) for k in ('eager', 'compiled'))
        print(f"{precision}: eager {1000 * e / a.steps:6.1f} ms/step, compiled {1000 * c / a.steps:6.1f} ms/step, "
              f"speed-up x{e / c:.2f} (first compiled call with compiling: {first:.0f} s)", flush=True)

if __name__ == '__main__': main()
