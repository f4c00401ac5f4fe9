"""Every public function and class of hmn_nb is documented: a docstring, and a comment (docments) for each parameter.

Parameters collected by `**kwargs` are exempt (docments cannot see their comments). Exit status 1 lists what lacks one."""
import importlib, inspect, pkgutil, sys
import hmn_nb
from fastcore.docments import docments

missing = []
for m in pkgutil.iter_modules(hmn_nb.__path__):
    if m.name.startswith('_'): continue
    mod = importlib.import_module(f'hmn_nb.{m.name}')
    for name in getattr(mod, '__all__', []):
        o = getattr(mod, name)
        if not (inspect.isfunction(o) or inspect.isclass(o)) or getattr(o, '__module__', '') != mod.__name__: continue
        if not (o.__doc__ or '').strip(): missing.append(f'{m.name}.{name}: no docstring'); continue
        if inspect.isclass(o): continue
        kinds = {p.name: p.kind for p in inspect.signature(o).parameters.values()}
        bare = [k for k, v in docments(o, full=True).items()
                if k != 'return' and not v.get('docment') and kinds.get(k) != inspect.Parameter.VAR_KEYWORD]
        if bare: missing.append(f"{m.name}.{name}: parameters without a comment: {', '.join(bare)}")
for line in missing: print(line)
print(f"== every public function and class documented, with its parameters" if not missing else f"== {len(missing)} undocumented")
sys.exit(1 if missing else 0)
