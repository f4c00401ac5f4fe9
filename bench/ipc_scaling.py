"""Time and peak memory of one matching step as IPC grows: HMN against pixels at the same budget (CIFAR-sized).

    python bench/ipc_scaling.py                   # IPC 1, 10 and 50 on the CPU (about 10 minutes on 2 cores)
    python bench/ipc_scaling.py --device cuda     # on a GPU: peak memory from torch's CUDA allocator
    python bench/ipc_scaling.py --ipc 1,10 --repeats 5

The paper reports the GPU memory HMN needs while condensing CIFAR-10 at IPC 1 / 10 / 50 (2,680 / 4,540 / 10,426 MB,
against HaBa's 3,368 / 11,148 / 48,276 MB). This script measures how this implementation grows: milliseconds per
matching step (all ten class-matches, IDC's settings as in bench/run.py: ConvNet-3 of width 128, 64 real images per
class, at most 128 synthetic images per class per match) and the peak memory one step takes above what the process
held before it.

Times are medians of --repeats steps, the cases timed in turn in one process, and printed also as ratios against
the pixel set at IPC 1. Peak memory is measured for each case in a fresh child process, since an allocator keeps
what a step freed: on a CPU it is the resident set's high-water mark (VmHWM, reset through /proc/self/clear_refs;
Linux only), on CUDA torch's peak allocation (torch.cuda.max_memory_allocated). Data: digits upscaled to 3x32x32,
so nothing is downloaded (matching costs the same on any images of that shape). Run it alone: on a small machine a
second process using torch's threads distorts the times far more than twice.
"""
import argparse, json, statistics, subprocess, sys, time
from pathlib import Path
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import hmn_nb
from hmn_nb import base as B, data as D, datasets as DS, memory as M, generator as G, matching as MT, nets as N, augment as A

def case(kind:str, ipc:int, dev):
    "(one matching step of all classes, images per class, stored floats) for a pixel set or an HMN at `ipc`."
    data = DS.load_data('digits', channels=3, device=dev)
    cfg = MT.MatchConfig(width=128, batch_real=64, batch_syn=128)
    budget = M.budget_floats(ipc, 10, data.shape)
    if kind == 'pixels': model = G.PixelSet.from_real(data, ipc).to(dev)
    else:
        lay = M.hmn_layout('cifar10', data.shape, ipc)
        model = G.HMN(lay, 10, M.gipc_for_budget(lay, budget, 10, 3), data.shape, data.mean, data.std).to(dev)
    g = torch.Generator().manual_seed(0); torch.manual_seed(0)
    net = N.ConvNet(3, 10, 32, width=cfg.width).to(dev)
    sampler, dsa = D.ClassSampler(data.x_train, data.y_train, 10, g), A.DSA(cfg.augment)
    def step():
        for p in model.parameters(): p.grad = None
        MT.match_step(model, net, sampler, cfg, dsa, g)
        if dev.type == 'cuda': torch.cuda.synchronize()
    return step, model.images_per_class, model.storage_floats()

def rss_kb(field:str) -> int:
    "VmRSS or VmHWM of this process, in kB."
    return next(int(l.split()[1]) for l in Path('/proc/self/status').read_text().splitlines() if l.startswith(field + ':'))

def peak_mb(kind:str, ipc:int, dev) -> float:
    "MB one step of the case takes above what the process holds before it (the first step after a warm-up one)."
    step, *_ = case(kind, ipc, dev)
    step()                                                             # first-call costs (kernels, caches) out of the way
    if dev.type == 'cuda':
        torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(dev); before = torch.cuda.memory_allocated(dev)
        step(); return (torch.cuda.max_memory_allocated(dev) - before) / 2**20
    Path('/proc/self/clear_refs').write_text('5')                      # reset the high-water mark to the current RSS
    before = rss_kb('VmRSS'); step()
    return (rss_kb('VmHWM') - before) / 1024

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--ipc', default='1,10,50'); p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--device', default='cpu'); p.add_argument('--json', default='bench/ipc_scaling.json')
    p.add_argument('--peak', help=argparse.SUPPRESS)                   # child process: KIND,IPC -> prints its peak MB
    a = p.parse_args()
    dev = B.get_device(a.device)
    if a.peak: kind, ipc = a.peak.split(','); print(peak_mb(kind, int(ipc), dev)); return
    ipcs = [int(i) for i in a.ipc.split(',')]
    cases = {(k, i): case(k, i, dev) for i in ipcs for k in ('pixels', 'hmn')}
    for s, *_ in cases.values(): s()                                   # warm-up
    times = {k: [] for k in cases}
    for _ in range(a.repeats):
        for k, (s, *_) in cases.items(): t = time.perf_counter(); s(); times[k].append(time.perf_counter() - t)
    peaks = {k: float(subprocess.run([sys.executable, __file__, '--device', a.device, '--peak', f'{k[0]},{k[1]}'], check=True,
                                     capture_output=True, text=True).stdout.split()[-1]) for k in cases}
    base = statistics.median(times['pixels', ipcs[0]])
    print(f"one matching step (10 class-matches), median of {a.repeats}; peak: memory a step takes above the process before it\n"
          f"device: {B.describe_device(dev)}, torch {torch.__version__}")
    print(f"{'case':14s} {'images/class':>12s} {'stored floats':>14s} {'ms/step':>9s} {'vs pixels IPC ' + str(ipcs[0]):>18s} {'peak MB':>9s}")
    rows = []
    for (k, i), (_, G_, floats) in cases.items():
        ms = 1000 * statistics.median(times[k, i])
        rows.append(dict(kind=k, ipc=i, images_per_class=G_, storage_floats=floats, ms_per_step=ms, peak_mb=peaks[k, i]))
        print(f"{k + ' IPC ' + str(i):14s} {G_:12d} {floats:14,d} {ms:9.0f} {'x%.2f' % (ms / (1000 * base)):>18s} {peaks[k, i]:9.0f}")
    Path(a.json).write_text(json.dumps(dict(device=B.describe_device(dev), torch=torch.__version__, version=hmn_nb.__version__,
                                            repeats=a.repeats, rows=rows), indent=2) + '\n')

if __name__ == '__main__': main()
