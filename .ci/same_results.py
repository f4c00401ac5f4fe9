"usage: python .ci/same_results.py A B -- compare two folders of runs: result.json numbers and every .pt file, bit for bit"
import json, sys, torch
from pathlib import Path
SKIP = {'seconds', 'condense_seconds', 'eval_seconds', 'at', 'argv', 'stages', 'aum_seconds', 'version', 'times', 'code'}   # clocks, the command line, the commit

ADDED = {'own_subsets', 'tf32', 'deterministic', 'processes'}   # settings and records added later: at their defaults (False, None) they change nothing

def clean(o):
    "`o` without the fields that differ between two sittings of the same computation (JSON text inside, e.g. a fingerprint, read)."
    if isinstance(o, str) and o.startswith('{'):
        try: return clean(json.loads(o))
        except ValueError: return o
    if isinstance(o, dict): return {k: clean(v) for k, v in o.items() if k not in SKIP and not (k in ADDED and v in (False, None))}
    if isinstance(o, (list, tuple)): return [clean(v) for v in o]
    return None if torch.is_tensor(o) else o

def tensors(o, pre=''):
    "(path, tensor) of every tensor in nested dicts and lists."
    if torch.is_tensor(o): yield pre, o
    elif isinstance(o, dict):
        for k, v in o.items(): yield from tensors(v, f'{pre}.{k}')
    elif isinstance(o, (list, tuple)):
        for i, v in enumerate(o): yield from tensors(v, f'{pre}[{i}]')

def diff(a, b, pre='') -> list:
    "The paths at which two cleaned JSON values differ."
    if isinstance(a, dict) and isinstance(b, dict): return [p for k in sorted(set(a) | set(b)) for p in diff(a.get(k), b.get(k), f'{pre}.{k}')]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b): return [p for i, (x, y) in enumerate(zip(a, b)) for p in diff(x, y, f'{pre}[{i}]')]
    return [] if a == b else [pre or '.']

def same(fa:Path, fb:Path) -> bool:
    "Whether two result files agree: JSON up to the clocks; .pt in every tensor (dtype, shape, bits) and all plain data."
    if fa.suffix == '.json':
        d = diff(clean(json.loads(fa.read_text())), clean(json.loads(fb.read_text())))
        if d: print(f'  {fa.name}: differs at', ', '.join(d[:8]))
        return not d
    a, b = torch.load(fa, weights_only=True), torch.load(fb, weights_only=True)
    ta, tb = dict(tensors(a)), dict(tensors(b))
    return (ta.keys() == tb.keys() and all(ta[k].dtype == tb[k].dtype and torch.equal(ta[k], tb[k]) for k in ta)
            and clean(a) == clean(b))

A, B = map(Path, sys.argv[1:3])
files = sorted(f.relative_to(A) for f in A.rglob('*') if f.suffix in ('.json', '.pt'))
bad = [f for f in files if not (B/f).exists() or not same(A/f, B/f)]
for f in files: print('same' if f not in bad else 'DIFFERS', f)
print('bit-for-bit' if files and not bad else f'{len(bad)} of {len(files)} files differ')
sys.exit(1 if bad or not files else 0)
