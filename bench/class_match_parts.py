"""Where the time of an HMN class-match goes, part by part, at CIFAR-10's IPC 1, 10 and 50, beside the pixel floor.

A class-match of gradient matching (`hmn_nb.matching.match_step`, one class) is cut into the parts it runs, each
timed alone on the same tensors in the same process, in the eager path (the recipes compile the two gradients; the
eager parts say where the work is, the last two columns time the whole class-match as the recipes run it):

- decode:    the HMN decodes the class's `batch_syn` generated images (memories -> f_c -> decoder), with its graph;
- augment:   one DSA draw applied to the real batch and to the generated images;
- real grad: the network's weight gradient on 64 real images (forward and backward);
- syn grad:  the same on the generated images, with its graph (`create_graph`), and the layer distance;
- double bw: the distance back-propagated to the generated images (the second-order pass through the network;
             timed as syn grad with it, less syn grad alone);
- decoder bw: those images' gradient back-propagated into the memories and networks of the HMN;
- optimiser: one Adam step of the HMN (the recipes step once per matching step: a tenth of it falls on each class).

Shares are of the sum of the parts. Then, the whole class-match as the recipes run it (`match_step` over all classes,
divided by the classes; compiled, at the precision `auto` picks), for the HMN and for a pixel set at the same budget
(its floor: the same matching on IPC real-sized images instead of decoded ones), and their ratio. Data: random
CIFAR-shaped tensors (timing needs no real images). Close other torch processes first.

With --batch-syn 128 32, the compiled HMN is timed matching each of those counts of generated images a class-match
(IDC's 128, and fewer: the lever the matching ladder screens on validation), each against the same pixel floor.

    python bench/class_match_parts.py [--repeats 5] [--ipcs 1 10 50] [--no-compiled] [--no-parts] [--batch-syn 128 32]
"""
import argparse, statistics, time
import torch
import torch.nn.functional as F
from hmn_nb.base import describe_device
from hmn_nb.data import ImageData, ClassSampler
from hmn_nb.nets import ConvNet, autocast, resolve_precision
from hmn_nb.augment import DSA
from hmn_nb.memory import hmn_layout, gipc_for_budget, budget_floats
from hmn_nb.generator import HMN, PixelSet
from hmn_nb.matching import MatchConfig, match_step, matched_params, layer_distance, make_optimizer

def median_ms(f, repeats:int) -> float:
    "Median milliseconds of `f()` over `repeats` calls, after one warm-up call."
    f(); ts = []
    for _ in range(repeats):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    return 1000 * statistics.median(ts)

def fake_cifar(n:int=5000) -> ImageData:
    "Random CIFAR-shaped data, 10 classes (the timings do not depend on the pixels)."
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(n, 3, 32, 32, generator=g), torch.arange(n) % 10
    return ImageData('cifar10', x, y, x[:100], y[:100], [str(c) for c in range(10)], (0.5,) * 3, (0.25,) * 3)

def parts(model:HMN, data:ImageData, cfg:MatchConfig, repeats:int) -> dict:
    "Milliseconds of each part of one class-match (class 0), eager, in `cfg.precision`."
    g, dev = torch.Generator().manual_seed(0), data.device
    net = ConvNet(3, 10, 32, width=cfg.width).to(dev)
    params, dsa = matched_params(net, cfg.fc), DSA(cfg.augment)
    xr, yr = data.x_train[:cfg.batch_real], torch.zeros(cfg.batch_real, dtype=torch.long)
    idx = torch.randperm(model.images_per_class, generator=g)[:cfg.batch_syn]
    c, p = torch.zeros_like(idx), dsa.sample(1, (32, 32), g)
    ys, opt = torch.zeros(len(idx), dtype=torch.long), make_optimizer(model, cfg)
    targets = list(model.parameters())
    def syn_grad(xs):
        with autocast(cfg.precision, dev): gs = torch.autograd.grad(F.cross_entropy(net(xs), ys), params, create_graph=True)
        return gs
    def real_grad():
        with autocast(cfg.precision, dev): return [t.detach() for t in torch.autograd.grad(F.cross_entropy(net(xr), yr), params)]
    gr = real_grad()
    xs0 = dsa.apply(model(c, idx), p)                                           # the decoded, augmented images, with their graph
    leaf = xs0.detach().requires_grad_()
    distance = lambda: sum(layer_distance(a, b, cfg.metric) for a, b in zip(gr, syn_grad(leaf)))
    dxs = torch.autograd.grad(distance(), leaf)[0]
    def decoder_bw():
        torch.autograd.backward(xs0, dxs, inputs=targets, retain_graph=True)
        for t in targets: t.grad = None
    out = dict(decode=median_ms(lambda: model(c, idx), repeats), augment=median_ms(lambda: (dsa.apply(xr, p), dsa.apply(leaf.detach(), p)), repeats))
    out['syn grad'] = median_ms(distance, repeats)
    out['double bw'] = max(0.0, median_ms(lambda: torch.autograd.grad(distance(), leaf), repeats) - out['syn grad'])
    out['decoder bw'] = median_ms(decoder_bw, repeats)
    out['real grad'] = median_ms(real_grad, repeats)
    for t in targets: t.grad = torch.zeros_like(t)
    out['optimiser'] = median_ms(opt.step, repeats) / model.num_classes
    return out

def whole_ms(model, data:ImageData, cfg:MatchConfig, repeats:int) -> float:
    "Milliseconds per class of `match_step` over all classes, as the loop runs it (compiled when `cfg.compile`)."
    g = torch.Generator().manual_seed(0)
    net = ConvNet(3, 10, 32, width=cfg.width).to(data.device)
    sampler, dsa = ClassSampler(data.x_train, data.y_train, 10, g), DSA(cfg.augment)
    def step():
        match_step(model, net, sampler, cfg, dsa, g)
        for t in model.parameters(): t.grad = None
    return median_ms(step, repeats) / data.num_classes

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--repeats', type=int, default=5); ap.add_argument('--ipcs', type=int, nargs='+', default=[1, 10, 50])
    ap.add_argument('--no-compiled', action='store_true', help='skip the whole compiled class-matches (their first call compiles for minutes)')
    ap.add_argument('--no-parts', action='store_true', help='skip the eager parts: only the whole compiled class-matches')
    ap.add_argument('--batch-syn', type=int, nargs='+', default=[128], help='generated images a class-match sees (HMN)')
    a = ap.parse_args()
    dev, data = torch.device('cpu'), fake_cifar()
    prec = resolve_precision('auto', dev)
    print(f"{describe_device(dev)}, torch {torch.__version__}, {prec}; ms per class-match, medians of {a.repeats}")
    names = ('decode', 'augment', 'real grad', 'syn grad', 'double bw', 'decoder bw', 'optimiser')
    print(f"{'IPC':>4s} {'images':>7s}  " + '  '.join(f'{n:>10s}' for n in names) + f"  {'sum':>7s}")
    for ipc in a.ipcs:
        lay = hmn_layout('cifar10', (3, 32, 32), ipc)
        G = gipc_for_budget(lay, budget_floats(ipc, 10, (3, 32, 32)), 10, 3)
        hmn = HMN(lay, 10, G, (3, 32, 32), data.mean, data.std)
        cfg = MatchConfig(metric='l1', fc=False, precision=prec)
        if not a.no_parts:
            t = parts(hmn, data, cfg, a.repeats); s = sum(t.values())
            print(f"{ipc:4d} {min(G, cfg.batch_syn):4d}/{G:<4d} " + '  '.join(f'{t[n]:6.1f} {100 * t[n] / s:2.0f}%' for n in names) + f"  {s:7.1f}")
        if a.no_compiled: continue
        ccfg = MatchConfig(metric='l1', fc=False, precision=prec, compile=True)
        px = whole_ms(PixelSet.from_real(data, ipc), data, ccfg, a.repeats)
        for n in a.batch_syn:
            h = whole_ms(hmn, data, MatchConfig(metric='l1', fc=False, precision=prec, compile=True, batch_syn=n), a.repeats)
            print(f"IPC {ipc:2d}, as the recipes run it (compiled): HMN matching {min(n, G)} of {G} images {h:.1f} ms, "
                  f"pixels ({ipc} images) {px:.1f} ms, HMN / pixels x{h / px:.2f}", flush=True)

if __name__ == '__main__': main()
