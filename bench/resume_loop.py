"""Kill and resume `hmn_nb condense` in a loop, and say which recorded field differs from an uninterrupted run.

    python bench/resume_loop.py --repeats 10          # about 10 minutes on 2 cores
    python bench/resume_loop.py --precision bf16      # the arithmetic the resume flake was seen with (AMX)

One uninterrupted run of a small digits job is the reference. Each repeat starts the same job in a new folder,
kills it with SIGKILL at a random moment after its first checkpoint (during matching, AUM or evaluation), runs the
same command again, and compares what the two runs recorded: every accuracy, the loss curve, the storage, the
pruning report and every tensor of `condensed.pt`. It prints the fields that differ, with the largest difference,
and a line with the count, the CPU and the precision, for bench/README.
"""
import argparse, json, os, random, shutil, signal, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

def job(out:Path, precision:str) -> list:
    return [sys.executable, '-m', 'hmn_nb.cli', 'condense', '--iters', '4', '--inner', '3', '--warm-start', '20', '--over-budget', '0.1',
            '--width', '16', '--eval-steps', '40', '--eval-runs', '2', '--aum-epochs', '2', '--precision', precision,
            '--device', 'cpu', '--no-progress', '--out', str(out)]

def outcome(d:Path) -> dict:
    "What a finished run recorded, without its times: field -> value (lists of numbers, or tensors)."
    from hmn_nb.condensed import load_condensed
    r = json.loads((d/'result.json').read_text())
    got = {k: r[k] for k in ('accs', 'storage_floats', 'images_per_class', 'loss_curve')}
    got |= {f'prune.{k}': v for k, v in (r['prune'] or {}).items() if not k.endswith('seconds')}
    got |= {f'condensed.{k}': v for k, v in load_condensed(d/'condensed.pt').model.state_dict().items()}
    return got

def differences(a:dict, b:dict) -> dict:
    "field -> largest absolute difference (or 'differs'), for the fields of `a` and `b` that are not equal."
    import torch
    out = {}
    for k in a:
        x, y = a[k], b.get(k)
        if torch.is_tensor(x): d = (x.float() - y.float()).abs().max().item() if x.shape == y.shape else float('inf')
        else: d = None if x == y else 'differs'
        if d: out[k] = d
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--repeats', type=int, default=10); p.add_argument('--precision', default='auto'); p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    from hmn_nb.base import describe_device
    import torch
    rng, env = random.Random(a.seed), {**os.environ}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); t0 = time.time()
        subprocess.run(job(tmp/'ref', a.precision), check=True, capture_output=True); T = time.time() - t0
        ref, failed = outcome(tmp/'ref'), 0
        for i in range(a.repeats):
            d = tmp/f'r{i}'; proc = subprocess.Popen(job(d, a.precision), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            while not (d/'checkpoint.pt').exists() and proc.poll() is None: time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.6 * T)); killed = proc.poll() is None
            if killed: proc.send_signal(signal.SIGKILL)
            proc.wait()
            subprocess.run(job(d, a.precision), capture_output=True)
            diff = differences(ref, outcome(d)); failed += bool(diff)
            print(f"repeat {i + 1}: {'killed' if killed else 'finished first'}; " + (', '.join(f'{k}: {v}' for k, v in diff.items()) if diff else 'identical'), flush=True)
            shutil.rmtree(d)
    print(f"== {failed} of {a.repeats} resumed runs differ from the uninterrupted one; {describe_device(torch.device('cpu'))}, precision {a.precision}, "
          f"torch {torch.__version__}, a run {T:.0f} s")

if __name__ == '__main__': main()
