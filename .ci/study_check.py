"""The study renders from its records alone: execute nbs/15_study.ipynb (every cell but the `gpu` ones and those
with `eval: false`; `slow` cells included, which read records or skip without data) and compare each code cell's
text outputs (printed text, plain and markdown results) and its number of pictures with the committed ones.

    python .ci/study_check.py            # exit 1, naming the cells, when an output differs
    python .ci/study_check.py --write    # render the outputs into the notebook, to commit them

Pictures are compared by count only: their bytes depend on the matplotlib build."""
import json, os, sys, time
from pathlib import Path
from execnb.nbio import read_nb, write_nb
from execnb.shell import CaptureShell

NB = Path(__file__).resolve().parent.parent/'nbs'/'15_study.ipynb'

def skip(cell) -> bool:
    "Whether a cell is not run: markdown, a `gpu` cell, an `eval: false` cell, or nbdev's export call."
    if cell.cell_type != 'code' or 'nbdev_export(' in cell.source: return True
    head = [l.replace(' ', '') for l in cell.source.splitlines() if l.startswith('#|')]
    return '#|gpu' in head or '#|eval:false' in head

def texts(outputs) -> tuple:
    "(the text a cell's outputs show, the pictures it shows)."
    t, pics = [], 0
    for o in outputs:
        if o.get('output_type') == 'stream': t.append(''.join(o.get('text', '')))
        d = o.get('data', {})
        if 'image/png' in d: pics += 1
        elif 'text/markdown' in d: t.append(''.join(d['text/markdown']))
        elif 'text/plain' in d: t.append(''.join(d['text/plain']))
    return ''.join(t).strip(), pics

def render() -> tuple:
    "(the notebook with its committed outputs, the notebook executed now from the records)."
    committed, nb = json.loads(NB.read_text()), read_nb(NB)
    for c in nb.cells:
        if c.cell_type == 'code': c.outputs = []
    os.environ['HMN_NB_STUDY'] = 'read'
    cwd = os.getcwd(); os.chdir(NB.parent)
    try: CaptureShell(NB).run_all(nb, exc_stop=True, preproc=skip)
    finally: os.chdir(cwd)
    return committed, nb

if __name__ == '__main__':
    t0 = time.time()
    committed, nb = render()
    if '--write' in sys.argv: write_nb(nb, NB); print(f"== study rendered from its records into {NB.name} ({time.time() - t0:.0f} s)"); sys.exit(0)
    old = [c for c in committed['cells'] if c['cell_type'] == 'code']
    new = [c for c in nb.cells if c.cell_type == 'code']
    bad = [c.get('id') for c, n in zip(old, new) if not skip(n) and texts(c.get('outputs', [])) != texts(n.outputs)]
    if len(old) != len(new): bad.append('(the number of code cells)')
    if bad: print(f"== the study does not render its committed outputs from its records: cells {', '.join(map(str, bad))}"); sys.exit(1)
    print(f"== the study renders its committed outputs from its records ({len(new)} code cells, {time.time() - t0:.0f} s)")
