"""Notebook hygiene the docs build relies on.

Building the docs executes every cell that contains an import (and every `show_doc`), whatever its test flags. So a
cell with an import must hold imports only: otherwise a `slow` or `gpu` cell, or a test, would run during a docs
build. Exported cells (definitions, harmless to run) and the last `import nbdev; nbdev.nbdev_export()` cell are
the allowed exceptions."""
import json, re, sys
from pathlib import Path

IMPORT = re.compile(r'^\s*(import|from)\s+\S+')
bad = []
for nb in sorted(Path('nbs').glob('*.ipynb')):
    for k, cell in enumerate(json.loads(nb.read_text())['cells']):
        if cell['cell_type'] != 'code': continue
        lines = ''.join(cell['source']).splitlines()
        if not any(IMPORT.match(l) for l in lines): continue
        if any('nbdev_export()' in l for l in lines) or re.match(r'#\|\s*exports?\b', lines[0]): continue
        other = [l for l in lines if l.strip() and not l.lstrip().startswith('#') and not IMPORT.match(l)]
        if other: bad.append(f"{nb.name} cell {k}: imports mixed with code: {other[0].strip()[:60]!r}")
print('\n'.join(bad) if bad else 'every cell with an import holds imports only')
sys.exit(1 if bad else 0)
