"""The shape of the exported code, measured from the notebooks: how long the exported cells are, how many public
names each defines, and whether each is followed at once by a demo or test (a code cell that exports nothing, before
the next exported cell). Prints one line per figure and a line per notebook with --by-notebook.

    python .ci/cell_stats.py [--by-notebook] [--long] [--limits]

With --limits it exits 1 when the house limits are broken: median exported cell at most 8 code lines, at most 15 %
of exported cells over 10 lines, one public name per exported cell, every exported cell followed by a demo; and
every module of the package at most 350 lines, opening with a docstring of one sentence that says its one job.
"""
import ast, json, statistics, sys
from pathlib import Path

def code_lines(src:str) -> list:
    "The lines of a cell that are code: not blank, not a comment or a `#|` directive."
    return [l for l in src.splitlines() if l.strip() and not l.lstrip().startswith('#')]

def public_names(src:str) -> list:
    "Public names a cell defines at top level (functions, classes, assignments), in order."
    body = '\n'.join(l for l in src.splitlines() if not l.startswith(('#|', '%', '!')))
    try: tree = ast.parse(body)
    except SyntaxError: return []
    names = []
    for n in tree.body:
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)): names.append(n.name)
        elif isinstance(n, (ast.Assign, ast.AnnAssign)):
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):     # `a, b = ...` names two; `C.m = f` none
                names += [e.id for e in (t.elts if isinstance(t, ast.Tuple) else [t]) if isinstance(e, ast.Name)]
    return [x for x in names if not x.startswith('_') and x != '__all__']

def exported(src:str) -> bool:
    return any(l.strip() in ('#| export', '#|export', '#| exports') for l in src.splitlines())

def notebook_cells(path:Path) -> list:
    "(lines, public names, followed by a demo) of every exported cell of a notebook that defines something."
    cells = [c for c in json.loads(path.read_text())['cells'] if c['cell_type'] == 'code']
    srcs = [''.join(c['source']) for c in cells]
    out = []
    for i, s in enumerate(srcs):
        if not exported(s) or 'default_exp' in s: continue
        if not public_names(s) and not any(l.startswith(('def ', 'class ', '@')) for l in s.splitlines()): continue   # imports only
        nxt = next((t for t in srcs[i + 1:] if code_lines(t)), None)
        out.append((len(code_lines(s)), public_names(s), nxt is not None and not exported(nxt), cells[i].get('id', '')))
    return out

def stats(cells:list) -> dict:
    n = len(cells)
    lines = [c[0] for c in cells]
    return dict(cells=n, median=statistics.median(lines) if n else 0, max=max(lines, default=0),
                over10=sum(l > 10 for l in lines) / n if n else 0.0,
                multi=sum(len(c[1]) > 1 for c in cells), no_demo=sum(not c[2] for c in cells))

MODULE_LINES = 350

def modules(root:Path) -> list:
    "(name, lines, docstring) of every module of the package but nbdev's index and `__init__`."
    out = []
    for f in sorted((root/'hmn_nb').glob('*.py')):
        if f.name in ('__init__.py', '_modidx.py'): continue
        text = f.read_text(); out.append((f.stem, len(text.splitlines()), ast.get_docstring(ast.parse(text)) or ''))
    return out

def one_sentence(doc:str) -> bool:
    "A docstring of one sentence: a single line that ends with its only full stop."
    body = doc.strip().rstrip('.').replace('et al.', 'et al')          # an abbreviation ends no sentence
    return bool(body) and '\n' not in body and '. ' not in body

def main():
    nbs = sorted(Path(__file__).resolve().parent.parent.glob('nbs/[0-9]*.ipynb'))
    per = {p.stem: notebook_cells(p) for p in nbs}
    if '--by-notebook' in sys.argv:
        for k, v in per.items():
            s = stats(v)
            if s['cells']: print(f"{k:14s} {s['cells']:3d} cells, median {s['median']:4.1f} / max {s['max']:3d} lines, "
                                 f"{100 * s['over10']:3.0f} % over 10, {s['multi']:2d} with several names, {s['no_demo']:2d} without a demo")
    if '--long' in sys.argv:                   # the cells over 10 lines, longest first: where the work is
        for n, k, c in sorted(((c[0], k, c) for k, v in per.items() for c in v if c[0] > 10), reverse=True):
            print(f"{k:14s} {c[3]:10s} {n:3d} lines  {', '.join(c[1]) or '(private)'}")
    s = stats([c for v in per.values() for c in v])
    print(f"== exported cells: {s['cells']}, median {s['median']:.1f} / max {s['max']} code lines, {100 * s['over10']:.0f} % over 10 lines, "
          f"{s['multi']} with more than one public name, {s['no_demo']} not followed by a demo")
    mods = modules(Path(__file__).resolve().parent.parent)
    big = max(mods, key=lambda m: m[1])
    long_ = [f'{m[0]} ({m[1]})' for m in mods if m[1] > MODULE_LINES]
    undoc = [m[0] for m in mods if not one_sentence(m[2])]
    print(f"== modules: {len(mods)}, longest {big[0]} at {big[1]} lines; over {MODULE_LINES}: {', '.join(long_) or 'none'}; "
          f"without a one-sentence docstring: {', '.join(undoc) or 'none'}")
    if '--limits' in sys.argv:
        ok = s['median'] <= 8 and s['over10'] <= 0.15 and s['multi'] == 0 and s['no_demo'] == 0 and not long_ and not undoc
        print('== cell limits: ' + ('met' if ok else f'not met (median <= 8, <= 15 % over 10, one public name, a demo after each, '
                                                     f'modules <= {MODULE_LINES} lines with a one-sentence docstring)'))
        sys.exit(0 if ok else 1)

if __name__ == '__main__': main()
