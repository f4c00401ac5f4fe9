"""Peak host memory of turning a data set's pixels into normalised floats: the package's `from_pixels` against the
whole-tensor chain it replaced (`float`, `/ 255`, `- mean`, `/ std` on all images at once), each in a fresh child
process, as the resident set's high-water mark above what the process held with the uint8 pixels loaded.

    python bench/host_peak.py                      # 20,000 Tiny-ImageNet-shaped images (3 x 64 x 64), about a minute
    python bench/host_peak.py --images 110000      # all of Tiny-ImageNet's training and validation images

Linux only (VmHWM, reset through /proc/self/clear_refs).
"""
import argparse, json, subprocess, sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

def rss_kb(field:str) -> int:
    return next(int(l.split()[1]) for l in Path('/proc/self/status').read_text().splitlines() if l.startswith(field + ':'))

def child(way:str, n:int) -> float:
    "MB above the loaded uint8 pixels at the peak of converting them `way` ('package' or 'whole')."
    import torch
    from hmn_nb.data import from_pixels, normalize, _channel_stats
    x = torch.randint(0, 256, (n, 3, 64, 64), dtype=torch.uint8, generator=torch.Generator().manual_seed(0))
    y = torch.arange(n) % 200
    Path('/proc/self/clear_refs').write_text('5'); before = rss_kb('VmRSS')
    if way == 'package': d = from_pixels('tiny-shaped', x[:-n // 11], y[:-n // 11], x[-n // 11:], y[-n // 11:], [str(i) for i in range(200)])
    else:
        xtr, xte = x[:-n // 11].float() / 255, x[-n // 11:].float() / 255
        m, s = _channel_stats(xtr); d = (normalize(xtr, m, s), normalize(xte, m, s))
    assert d is not None                                               # held until the peak is read
    return (rss_kb('VmHWM') - before) / 1024

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--images', type=int, default=20000); p.add_argument('--child', default=None)
    a = p.parse_args()
    if a.child: print(json.dumps(child(a.child, a.images))); return
    run = lambda w: json.loads(subprocess.run([sys.executable, __file__, '--child', w, '--images', str(a.images)],
                                              capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    pixels = a.images * 3 * 64 * 64 / 2**20
    res = {w: run(w) for w in ('whole', 'package')}
    print(f"{a.images:,} images of 3 x 64 x 64: uint8 pixels {pixels:,.0f} MB, one float copy {4 * pixels:,.0f} MB")
    for w, mb in res.items(): print(f"  {w:8s} peak above the pixels: {mb:8,.0f} MB  ({mb / pixels:.1f} x the uint8 pixels)")
    print(f"  package / whole-tensor chain: x{res['package'] / res['whole']:.2f}")

if __name__ == '__main__': main()
