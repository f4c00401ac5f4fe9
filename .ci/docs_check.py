"""The docs, checked up to Quarto: every notebook as the docs build processes it (`nbdev_proc_nbs` wrote `_proc/`),
rendered to HTML with nbconvert, opened in headless Chromium, and photographed.

Fails (exit status 1) when a page does not render, when a figure of the notebook is missing from its page, or when
a screenshot is blank. The pages and screenshots stay in `_docs_check/` for a person to look at: NAME.png is the top
of each page, NAME-figures.png the page's figures alone, as Chromium draws them.

    python .ci/docs_check.py [--chromium /usr/bin/chromium] [--out _docs_check]
"""
import argparse, json, re, shutil, subprocess, sys
from pathlib import Path
from nbconvert import HTMLExporter
from PIL import Image, ImageStat

FIGURE = ('image/png', 'image/svg+xml', 'image/jpeg')

def figures(nb:dict) -> int:
    "How many figure outputs the notebook holds."
    return sum(any(k in o.get('data', {}) for k in FIGURE) for c in nb['cells'] for o in c.get('outputs', []))

def shoot(page:Path, shot:Path, chromium:str) -> list:
    "Problems photographing `page` with Chromium into `shot`: Chromium failing, or a blank picture."
    p = subprocess.run([chromium, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--window-size=1280,2400',
                        f'--screenshot={shot}', page.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    if p.returncode != 0 or not shot.exists(): return [f'{page.name}: Chromium failed ({p.returncode}): {p.stderr.strip()[-300:]}']
    return [f'{page.name}: the screenshot is blank'] if ImageStat.Stat(Image.open(shot).convert('L')).stddev[0] < 5 else []

def check(page:Path, chromium:str, want:int) -> list:
    "Problems with one rendered page: figures missing from its HTML, and what `shoot` finds of the page and its figures."
    html = page.read_text()
    imgs = re.findall(r'<img[^>]+src="data:image/(?:png|jpeg)[^>]*>', html)
    bad = [f'{page.name}: {want} figure(s) in the notebook, {len(imgs)} on the page'] if len(imgs) + html.count('<svg') < want else []
    bad += shoot(page, page.with_suffix('.png'), chromium)
    if imgs:
        figs = page.with_name(page.stem + '-figures.html')
        figs.write_text('<html><body style="margin:8px">' + '<br>'.join(imgs) + '</body></html>')
        bad += shoot(figs, figs.with_suffix('.png'), chromium)
    return bad

def main():
    a = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    a.add_argument('--chromium', default=shutil.which('chromium') or shutil.which('chromium-browser') or 'chromium')
    a.add_argument('--proc', default='_proc'); a.add_argument('--out', default='_docs_check')
    args = a.parse_args()
    nbs = sorted(Path(args.proc).glob('*.ipynb'))
    if not nbs: sys.exit(f"no processed notebooks in {args.proc}/: run nbdev_proc_nbs first")
    out = Path(args.out); shutil.rmtree(out, ignore_errors=True); out.mkdir()
    exporter, problems = HTMLExporter(), []
    for f in nbs:
        nb = json.loads(f.read_text())
        try: body, _ = exporter.from_filename(str(f))
        except Exception as e: problems.append(f'{f.name}: nbconvert failed: {type(e).__name__}: {e}'); continue
        page = out/f'{f.stem}.html'; page.write_text(body)
        found = check(page, args.chromium, figures(nb))
        problems += found
        print(f"{f.stem:14s} {figures(nb)} figure(s), screenshot {out/f'{f.stem}.png'}" + (f"  PROBLEM: {'; '.join(found)}" if found else ''))
    for p in problems: print('problem:', p)
    print(f"== docs: {len(nbs)} pages rendered and photographed, {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)

if __name__ == '__main__': main()
