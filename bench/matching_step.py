"""Cost of one class-match of gradient matching, HMN against pixels, in one process.

A class-match is: a real batch of one class and that class's synthetic images through one shared DSA draw, the
real gradient, the synthetic gradient with its graph, their layer distance, and the backward pass into the
synthetic set. Settings follow IDC's (ConvNet width 128, depth 3, instance norm, 64 real images, colour/crop/cutout),
on CIFAR-sized 3x32x32 data (digits in 3 channels, so nothing needs downloading). Prints milliseconds per
class-match for pixel sets at IPC 1 and 10 and for HMNs at the same budgets, and the HMN / pixel ratio: what
generating images through the memory network adds to the double backward.

    python bench/matching_step.py [--device auto] [--repeats 5]
"""
import argparse, statistics, time
import torch
from hmn_nb.base import get_device
from hmn_nb.data import ClassSampler
from hmn_nb.datasets import load_data
from hmn_nb.nets import ConvNet
from hmn_nb.augment import DSA
from hmn_nb.memory import hmn_layout, gipc_for_budget, budget_floats
from hmn_nb.generator import HMN, PixelSet
from hmn_nb.matching import MatchConfig, match_step

def per_class_ms(model, data, cfg, repeats, dev):
    g = torch.Generator().manual_seed(0)
    net = ConvNet(data.shape[0], data.num_classes, data.shape[1], width=cfg.width).to(dev)
    sampler, dsa = ClassSampler(data.x_train, data.y_train, data.num_classes, g), DSA(cfg.augment)
    match_step(model, net, sampler, cfg, dsa, g)                                   # warm-up
    times = []
    for _ in range(repeats):
        if dev.type == 'cuda': torch.cuda.synchronize()
        t = time.perf_counter(); match_step(model, net, sampler, cfg, dsa, g)
        if dev.type == 'cuda': torch.cuda.synchronize()
        times.append((time.perf_counter() - t) / data.num_classes)
    return 1000 * statistics.median(times)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--device', default='auto'); p.add_argument('--repeats', type=int, default=5)
    a = p.parse_args()
    dev = get_device(a.device)
    data = load_data('digits', channels=3, device=dev)
    print(f"device {dev}, torch {torch.__version__}; ms per class-match (median of {a.repeats})")
    for ipc in (1, 10):
        cfg = MatchConfig(width=128, batch_real=64, batch_syn=128)
        px = PixelSet.from_real(data, ipc).to(dev)
        lay = hmn_layout('cifar10', data.shape, ipc)
        G = gipc_for_budget(lay, budget_floats(ipc, 10, data.shape), 10, 3)
        hmn = HMN(lay, 10, G, data.shape, data.mean, data.std).to(dev)
        t_px, t_hmn = per_class_ms(px, data, cfg, a.repeats, dev), per_class_ms(hmn, data, cfg, a.repeats, dev)
        n = min(G, cfg.batch_syn)
        print(f"IPC {ipc:2d}: pixels ({ipc:3d} images) {t_px:7.1f} ms   HMN ({n:3d} of {G} images) {t_hmn:7.1f} ms   "
              f"ratio HMN/pixels {t_hmn / t_px:.2f}")

if __name__ == '__main__': main()
