"""What the evaluation loop costs beyond the network itself.

Times `hmn_nb.evaluate.train_net` (batch gather, DSA, CutMix, SGD step) against a bare loop of forward, backward and
SGD step on one fixed batch of the same size, in the same process, and prints the ratio. A ratio near 1 means the
per-step Python and data handling is negligible next to the network.

    python bench/eval_overhead.py [--device auto] [--steps 20] [--width 128]
"""
import argparse, time
import torch
import torch.nn.functional as F
from hmn_nb.base import get_device
from hmn_nb.data import sample_per_class
from hmn_nb.datasets import load_data
from hmn_nb.evaluate import EvalConfig, make_net, train_net

def bare(net, x, y, steps, bs, lr=0.01):
    "Forward, backward and SGD step on the same batch sizes as train_net (epochs of ceil(N / bs) batches)."
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4)
    batches = [(x[i:i + bs], y[i:i + bs]) for i in range(0, len(x), bs)]
    for s in range(steps):
        xb, yb = batches[s % len(batches)]
        loss = F.cross_entropy(net(xb), yb); opt.zero_grad(set_to_none=True); loss.backward(); opt.step()

def timed(f, device):
    if device.type == 'cuda': torch.cuda.synchronize()
    t = time.perf_counter(); f()
    if device.type == 'cuda': torch.cuda.synchronize()
    return time.perf_counter() - t

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='auto'); p.add_argument('--steps', type=int, default=20)
    p.add_argument('--width', type=int, default=128)
    a = p.parse_args()
    dev = get_device(a.device)
    data = load_data('digits', channels=3, device=dev)
    print(f"device {dev}, ConvNet width {a.width}, {a.steps} steps per measurement, torch {torch.__version__}")
    for ipc, bs in ((1, 64), (10, 64), (50, 256)):
        i = sample_per_class(data.y_train, ipc, 10, torch.Generator().manual_seed(0)).to(dev)
        x, y = data.x_train[i], data.y_train[i]
        cfg = EvalConfig(steps=a.steps, width=a.width, batch_size=bs).resolve('cifar10')   # full DSA + CutMix
        n = min(bs, len(x))
        bare(make_net(data, cfg, 0), x, y, 3, bs)                                           # warm-up
        t_bare = min(timed(lambda: bare(make_net(data, cfg, 0), x, y, a.steps, bs), dev) for _ in range(2))
        t_loop = min(timed(lambda: train_net(make_net(data, cfg, 0), x, y, cfg, seed=0), dev) for _ in range(2))
        print(f"{len(x):4d} images, batch {n:3d}: bare {1000 * t_bare / a.steps:7.2f} ms/step, "
              f"train_net {1000 * t_loop / a.steps:7.2f} ms/step, ratio {t_loop / t_bare:.2f}")

if __name__ == '__main__': main()
