"""Does the notebooks' install cell leave a Colab-like runtime whole, and do the notebooks run there?

A current Colab runtime ships fastai, which needs fastcore 2 and fastprogress 1.1. This script makes a fresh virtual
environment, installs torch and torchvision, then fastai (2.8.12 by default) as the runtime has it, then this
checkout with the `nb` extra exactly as every notebook's install cell does (`pip install "hmn_nb[nb] @ ..."`), and
checks:

1. `pip check`: no broken requirement, and nothing that fastai needs was downgraded (fastcore and fastprogress are
   the versions fastai brought);
2. fastai still imports, beside hmn_nb, fastcore's test functions and nbdev's `show_doc`;
3. the notebooks run there top to bottom (every code cell but `slow`, `gpu` and `eval: false` ones), as a Colab kernel
   runs them: each in a fresh IPython shell in the main thread, from a copy of `nbs/` outside the checkout (a notebook
   opened on Colab has no settings.ini above it, and nbdev 3's `show_doc` refuses one).

    python bench/colab_install.py [--venv /tmp/colab] [--fastai 2.8.12] [--notebooks 01_data 05_evaluate ...]

With no --notebooks, every notebook runs (about as long as the test suite). Prints one line per check, and exits 1
when one fails.
"""
import argparse, json, subprocess, sys, time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

RUNNER = r"""
import io, json, os, shutil, sys, tempfile, contextlib
from IPython.core.interactiveshell import InteractiveShell
def skipped(src:str) -> bool:
    "What the test suite leaves out: slow, gpu and eval: false cells."
    flags = [l.strip() for l in src.splitlines() if l.startswith('#|')]
    return any(l.startswith('#| eval: false') or l in ('#| slow', '#| gpu') for l in flags)
copy, failed = os.path.join(tempfile.mkdtemp(), 'nbs'), []
shutil.copytree(sys.argv[1], copy)                           # outside the checkout, as on Colab
for name in sys.argv[2:]:
    os.chdir(copy); InteractiveShell.clear_instance(); sh = InteractiveShell.instance()
    for c in json.load(open(name))['cells']:
        src = ''.join(c['source'])
        if c['cell_type'] != 'code' or skipped(src): continue
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()) as err: r = sh.run_cell(src)
        if not r.success:
            e = r.error_in_exec or r.error_before_exec
            failed.append(f"{name}: {type(e).__name__}: {str(e)[:300]}"); break
    print(f"{name}: {'failed' if failed and failed[-1].startswith(name) else 'ran'}", file=sys.stderr, flush=True)
print(json.dumps(failed))
"""

def sh(cmd:list, **kw) -> subprocess.CompletedProcess:
    "Run `cmd`, capturing its output."
    return subprocess.run(cmd, capture_output=True, text=True, **kw)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--venv', default='/tmp/hmn_nb-colab'); ap.add_argument('--fastai', default='2.8.12')
    ap.add_argument('--torch', default='torch==2.14.1 torchvision==0.29.1')
    ap.add_argument('--notebooks', nargs='*', help='notebook names under nbs/ (default: all)')
    a = ap.parse_args()
    t0, venv = time.time(), Path(a.venv)
    py, ok = venv/'bin'/'python', True
    if not py.exists(): sh([sys.executable, '-m', 'venv', str(venv)], check=True)
    pip = lambda *args: sh([str(py), '-m', 'pip', '-q', *args])
    for step in (a.torch.split(), [f'fastai=={a.fastai}']):
        if (r := pip('install', *step)).returncode: sys.exit(f"installing {' '.join(step)} failed: {r.stderr[-500:]}")
    before = {k: sh([str(py), '-c', f'import {k}; print({k}.__version__)']).stdout.strip() for k in ('fastcore', 'fastprogress')}
    r = pip('install', f'{REPO}[nb]')
    print(f"== pip install hmn_nb[nb] beside fastai {a.fastai}: {'done' if r.returncode == 0 else 'FAILED: ' + r.stderr[-500:]}")
    after = {k: sh([str(py), '-c', f'import {k}; print({k}.__version__)']).stdout.strip() for k in before}
    check = pip('check')
    ok &= r.returncode == 0 and check.returncode == 0 and after == before
    print(f"== pip check: {check.stdout.strip() or 'clean'}; fastcore and fastprogress before and after: {before} -> {after}")
    imp = sh([str(py), '-c', 'import fastai.vision.all, hmn_nb.cli; from fastcore.test import test_eq; from nbdev.showdoc import show_doc; print("imports fine")'])
    ok &= imp.returncode == 0
    print(f"== fastai, hmn_nb, fastcore.test and nbdev's show_doc import together: {imp.stdout.strip() or imp.stderr[-500:]}")
    pip('install', 'ipython')                                  # a Colab kernel's shell
    nbs = [f'{n.removesuffix(".ipynb")}.ipynb' for n in a.notebooks] if a.notebooks else sorted(p.name for p in (REPO/'nbs').glob('[0-9]*.ipynb'))
    (venv/'run_nbs.py').write_text(RUNNER)
    run = sh([str(py), str(venv/'run_nbs.py'), str(REPO/'nbs'), *nbs], env={'OMP_NUM_THREADS': '1', 'PATH': f"{venv/'bin'}:/usr/bin:/bin", 'HOME': str(Path.home())})
    if run.returncode: sys.exit(f"the notebook runner failed: {run.stderr[-800:]}")
    failed = json.loads(run.stdout.strip().splitlines()[-1])
    ok &= not failed
    print(f"== {len(nbs) - len(failed)} of {len(nbs)} notebooks ran top to bottom there" + ''.join(f"\n   {f}" for f in failed))
    print(f"== {'passed' if ok else 'FAILED'} in {time.time() - t0:.0f} s")
    sys.exit(0 if ok else 1)

if __name__ == '__main__': main()
