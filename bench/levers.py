"""The evaluation levers of the CPU study, each timed against the plain loop in the same process.

One evaluation training step is a forward, backward and SGD step of a ConvNet-3 (width 128, instance norm) on a
CIFAR-sized batch. Timed here, alternately with that plain step, medians of --repeats measurements of --steps steps:

- threads:  the same step with 1 thread against torch's default (2 on a 2-core machine);
- stacked:  R networks trained together: their weights stacked (`torch.func.stack_module_state`) and one step of all R
            taken by `vmap` over `functional_call`, against R plain steps one network after the other;
- compiled: the network under `torch.compile` (forward and backward compiled by Inductor), against eager;
- floor:    the part of a class-match of gradient matching that no implementation can skip, the gradient of the
            network's weights on 64 real images (a forward and a backward pass), against a whole class-match of
            `hmn_nb.matching.match_step` with pixels at IPC 1 (CIFAR-sized, IDC's settings as in bench/run.py), in
            float32 and, where the CPU has it natively, bfloat16.

    python bench/levers.py [--repeats 5] [--steps 10] [--runs 5] [--batch 64]
"""
import argparse, copy, statistics, time
import torch
import torch.nn.functional as F
from torch.func import functional_call, grad, stack_module_state, vmap
from hmn_nb.nets import ConvNet, autocast, native_bf16
from hmn_nb.data import ClassSampler
from hmn_nb.datasets import load_data
from hmn_nb.augment import DSA
from hmn_nb.generator import PixelSet
from hmn_nb.matching import MatchConfig, match_step, matched_params

def timed(f) -> float:
    t = time.perf_counter(); f(); return time.perf_counter() - t

def alternate(fns:dict, repeats:int) -> dict:
    "Median seconds of each callable, timed in turn after one warm-up call each."
    for f in fns.values(): f()
    ts = {k: [] for k in fns}
    for _ in range(repeats):
        for k, f in fns.items(): ts[k].append(timed(f))
    return {k: statistics.median(v) for k, v in ts.items()}

def plain(nets, xs, y, steps):
    "`steps` SGD steps of each network in turn, network r on batch xs[r]."
    opts = [torch.optim.SGD(n.parameters(), lr=0.01, momentum=0.9) for n in nets]
    def run():
        for _ in range(steps):
            for n, o, x in zip(nets, opts, xs):
                loss = F.cross_entropy(n(x), y); o.zero_grad(set_to_none=True); loss.backward(); o.step()
    return run

def stacked(nets, xs, y, steps):
    "The same steps of all networks at once: stacked weights, a vmapped gradient, one SGD update of the stack."
    template = copy.deepcopy(nets[0]).to('meta')
    params, buffers = stack_module_state(nets)
    params = {k: v.detach().requires_grad_(False) for k, v in params.items()}
    mom = {k: torch.zeros_like(v) for k, v in params.items()}
    loss = lambda p, b, x: F.cross_entropy(functional_call(template, (p, b), (x,)), y)
    g = vmap(grad(loss))
    def run():
        for _ in range(steps):
            gs = g(params, buffers, xs)
            for k in params: mom[k].mul_(0.9).add_(gs[k]); params[k].sub_(0.01 * mom[k])
    return run

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--repeats', type=int, default=5); p.add_argument('--steps', type=int, default=10)
    p.add_argument('--runs', type=int, default=5); p.add_argument('--batch', type=int, default=64)
    a = p.parse_args()
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    nets = [ConvNet(3, 10, 32, width=128) for _ in range(a.runs)]
    xs, y = torch.randn(a.runs, a.batch, 3, 32, 32), torch.arange(a.batch) % 10
    print(f"torch {torch.__version__}, {threads} threads, ConvNet-3 width 128, batch {a.batch}, "
          f"{a.steps} steps per measurement, median of {a.repeats}")

    one = plain(nets[:1], xs[:1], y, a.steps)
    def single(): torch.set_num_threads(1); one(); torch.set_num_threads(threads)
    t = alternate({'default': one, '1 thread': single}, a.repeats)
    print(f"threads:  {threads} threads {1000 * t['default'] / a.steps:7.1f} ms/step, 1 thread {1000 * t['1 thread'] / a.steps:7.1f} ms/step"
          f"   1 thread is x{t['default'] / t['1 thread']:.2f} the speed")

    t = alternate({'one by one': plain(nets, xs, y, a.steps), 'stacked': stacked(nets, xs, y, a.steps)}, a.repeats)
    print(f"stacked:  {a.runs} networks one by one {1000 * t['one by one'] / a.steps:7.1f} ms/step, stacked with vmap "
          f"{1000 * t['stacked'] / a.steps:7.1f} ms/step   speed-up x{t['one by one'] / t['stacked']:.2f}")

    comp = [torch.compile(copy.deepcopy(nets[0]), dynamic=False)]
    c0 = time.perf_counter(); plain(comp, xs[:1], y, 1)(); c0 = time.perf_counter() - c0
    t = alternate({'eager': plain(nets[:1], xs[:1], y, a.steps), 'compiled': plain(comp, xs[:1], y, a.steps)}, a.repeats)
    print(f"compiled: eager {1000 * t['eager'] / a.steps:7.1f} ms/step, compiled {1000 * t['compiled'] / a.steps:7.1f} ms/step "
          f"(compiling took {c0:.0f} s)   speed-up x{t['eager'] / t['compiled']:.2f}")

    data = load_data('digits', channels=3)
    for precision in ('fp32', 'bf16') if native_bf16('cpu') else ('fp32',):
        cfg = MatchConfig(width=128, batch_real=64, batch_syn=128, precision=precision)
        model, net = PixelSet.from_real(data, 1), ConvNet(3, 10, 32, width=128)
        sampler, dsa, g = ClassSampler(data.x_train, data.y_train, 10, torch.Generator().manual_seed(0)), DSA(cfg.augment), torch.Generator().manual_seed(0)
        params, xr, yr = matched_params(net, cfg.fc), xs[0], torch.zeros(a.batch, dtype=torch.long)
        def floor():
            for _ in range(10):
                with autocast(precision, 'cpu'): torch.autograd.grad(F.cross_entropy(net(xr), yr), params)
        def step(): match_step(model, net, sampler, cfg, dsa, g); model.zero_grad(set_to_none=True)
        t = alternate({'floor': floor, 'step': step}, a.repeats)
        print(f"floor ({precision}): real-batch gradient {100 * t['floor']:7.1f} ms, class-match of pixels at IPC 1 {100 * t['step']:7.1f} ms"
              f"   the step is x{t['step'] / t['floor']:.2f} its floor")

if __name__ == '__main__': main()
