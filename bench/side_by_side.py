"""Two 1-thread processes training evaluation networks side by side, against one 2-thread process training them in turn.

The parent starts child processes and times them by the wall clock, alternating the two arrangements --repeats times:
  one:  one process, torch's 2 threads, trains 2 networks one after the other (--steps each);
  two:  two processes at once, 1 thread each, each trains 1 network (--steps).
Each network is `train_net` (batch gather, DSA, CutMix, SGD) on --images random CIFAR-sized images, compiled, in
bfloat16 where the CPU has it natively (what the CIFAR-10 `cpu` recipes use). A child compiles first and is timed from
its first step after compiling. Prints each arrangement's median seconds and the throughput ratio two/one.

    python bench/side_by_side.py [--steps 200] [--repeats 3] [--images 1450]
"""
import argparse, json, os, statistics, subprocess, sys, time

CHILD = r"""
import json, sys, time, torch
from hmn_nb.nets import ConvNet, native_bf16
from hmn_nb.evaluate import EvalConfig, train_net
threads, nets, steps, images = map(int, sys.argv[1:5])
torch.set_num_threads(threads); torch.manual_seed(0)
x, y = torch.randn(images, 3, 32, 32), torch.arange(images) % 10
cfg = EvalConfig(steps=steps, precision='bf16' if native_bf16('cpu') else 'fp32', compile=True).resolve('cifar10')
train_net(ConvNet(3, 10, 32, width=128), x, y, EvalConfig(steps=5, precision=cfg.precision, compile=True).resolve('cifar10'), 0)   # compile
print('ready', flush=True); sys.stdin.readline()                     # the parent starts every child's clock at once
t0 = time.perf_counter()
for i in range(nets): train_net(ConvNet(3, 10, 32, width=128), x, y, cfg, i)
print(json.dumps(time.perf_counter() - t0), flush=True)
"""

def arrangement(procs:int, threads:int, nets:int, a) -> float:
    "Wall seconds from the common start until the last child is done."
    env = {**os.environ, 'OMP_NUM_THREADS': str(threads)}
    ps = [subprocess.Popen([sys.executable, '-c', CHILD, str(threads), str(nets), str(a.steps), str(a.images)], env=env,
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for _ in range(procs)]
    for p in ps: assert p.stdout.readline().strip() == 'ready'
    t0 = time.perf_counter()
    for p in ps: p.stdin.write('\n'); p.stdin.flush()
    for p in ps: p.stdout.readline(); p.wait()
    return time.perf_counter() - t0

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--steps', type=int, default=200); p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--images', type=int, default=1450)
    a = p.parse_args()
    ts = {'one': [], 'two': []}
    for _ in range(a.repeats):
        ts['one'].append(arrangement(1, 2, 2, a)); ts['two'].append(arrangement(2, 1, 1, a))
    one, two = statistics.median(ts['one']), statistics.median(ts['two'])
    print(f"2 networks of {a.steps} steps: one 2-thread process {one:.1f} s, two 1-thread processes {two:.1f} s "
          f"(medians of {a.repeats}); throughput of two processes x{one / two:.2f}")
    print(json.dumps({k: [round(t, 2) for t in v] for k, v in ts.items()}))

if __name__ == '__main__': main()
