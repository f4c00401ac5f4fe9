"""The house's layers: every module of hmn_nb imports only from the layers before its own (or from the members of its
own layer listed before it), counting imports inside functions too. Prints the arrows that point the wrong way; exits 1
when there are any.

    python3 .ci/layers.py
"""
import ast, sys
from pathlib import Path

LAYERS = [('base', 'distributed'), ('data', 'image_folders', 'datasets'), ('nets', 'augment'), ('evaluate',), ('memory',),
          ('generator', 'condensed'), ('matching', 'loop'), ('aum',), ('prune',), ('run_folder', 'pipeline'),
          ('saved', 'recipes', 'ladder', 'options', 'records'), ('cli',)]   # base -> data -> nets/augment -> ... -> cli
RANK = {m: (i, j) for i, layer in enumerate(LAYERS) for j, m in enumerate(layer)}

def imports(path:Path) -> set:
    "The hmn_nb modules `path` imports (relative imports, or `hmn_nb.x`), anywhere in the file."
    out = set()
    for n in ast.walk(ast.parse(path.read_text())):
        if isinstance(n, ast.ImportFrom) and n.level == 1 and n.module: out.add(n.module.split('.')[0])
        elif isinstance(n, ast.ImportFrom) and n.level == 0 and (n.module or '').startswith('hmn_nb.'): out.add(n.module.split('.')[1])
    return out

def main() -> int:
    pkg = Path(__file__).resolve().parent.parent/'hmn_nb'
    mods = sorted(p for p in pkg.glob('*.py') if not p.name.startswith('_'))
    unplaced = [p.stem for p in mods if p.stem not in RANK]
    bad = [f"{p.stem} -> {m}" for p in mods if p.stem in RANK for m in sorted(imports(p)) if m in RANK and RANK[m] >= RANK[p.stem]]
    for b in bad: print(f"== import against the layers: {b}")
    for u in unplaced: print(f"== module in no layer: {u} (add it to .ci/layers.py)")
    print(f"== layers: {len(mods)} modules, {len(bad)} imports against the layers, {len(unplaced)} unplaced")
    return 1 if bad or unplaced else 0

if __name__ == '__main__': sys.exit(main())
