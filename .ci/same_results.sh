#!/usr/bin/env bash
# Behaviour unchanged: run the same jobs with the package at REV (checked out beside this one) and at the working
# tree, then compare every result.json number and every tensor of every saved file, bit for bit.
# Not part of CI (about 5 minutes on 2 cores); run it before landing a change that should not change results:
#   bash .ci/same_results.sh d48f83f            # needs ../shared/data/cifar10 (or $HMN_NB_DATA/cifar10)
# Ends with "bit-for-bit" or "N files differ". Times, dates and the command line are left out of the comparison.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:?give the commit to compare with}
work=$(mktemp -d); trap 'git -C "$here" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git -C "$here" worktree add -q --detach "$work/old" "$rev"
export HMN_NB_DATA=${HMN_NB_DATA:-$(cd "$here/.." && pwd)/shared/data}
jobs() {  # jobs REPO OUT: the README's digits job, a later evaluation, pruning later, a pruned run, the ablation on disk, CIFAR-10
  local repo=$1 out=$2; mkdir -p "$out"
  h() { echo "== $*"; (cd "$repo" && PYTHONPATH="$repo" python -c "import sys; from hmn_nb.cli import main; sys.exit(main())" "$@" --no-progress); }
  h condense --dataset digits --ipc 1 --out "$out/digits"
  h evaluate "$out/digits" --runs 2 --steps 40
  h condense --dataset digits --ipc 1 --iters 2 --inner 5 --over-budget 0.1 --prune none --eval-runs 1 --eval-steps 40 --out "$out/over"
  cp -r "$out/over" "$out/abl"
  h prune "$out/over" --eval-steps 40
  (cd "$repo" && PYTHONPATH="$repo" python -c "
try: from hmn_nb.saved import ablation_saved
except ImportError: from hmn_nb.pipeline import ablation_saved
ablation_saved('$out/abl', grid=(0.0, 0.5), runs=1)")
  h condense --dataset digits --ipc 1 --iters 2 --inner 5 --over-budget 0.1 --aum-epochs 2 --eval-runs 1 --eval-steps 40 --out "$out/pruned"
  if [ -d "$HMN_NB_DATA/cifar10" ]; then
    h condense --recipe cifar10-ipc1-cpu --root "$HMN_NB_DATA/cifar10" --iters 2 --warm-start 30 --eval-runs 1 --eval-steps 40 --no-eval-compile --out "$out/c10"
  else echo "== $HMN_NB_DATA/cifar10 not found: the CIFAR-10 job is skipped"; fi
}
jobs "$work/old" "$work/a"
jobs "$here" "$work/b"
python "$here/.ci/same_results.py" "$work/a" "$work/b"
