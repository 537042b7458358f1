#!/usr/bin/env bash
# tools/archive_sweep.sh against a real sweep: finished cells (marker and run directory,
# without checkpoints) go to the archive, a failed cell does not, the archive reads as a
# sweep directory, and after --restore into a new --out the sweep runs only the failed cell.
#
#   tests/tools/sweep/archive_test.sh path/to/irlab path/to/tools/archive_sweep.sh
set -uo pipefail

IRLAB=$(readlink -f "${1:?usage: archive_test.sh IRLAB ARCHIVE_SCRIPT}")
ARCHIVE=$(readlink -f "${2:?usage: archive_test.sh IRLAB ARCHIVE_SCRIPT}")
fail() {
  echo "FAILED: $*"
  exit 1
}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

cat > sweep.toml <<'TOML'
command = ["sh", "-c", "[ {x} != b ] || [ -e fixed ] || exit 3; echo step,eval_normalized_score > {out}/metrics.csv; echo 0,{seed} >> {out}/metrics.csv; echo weights > {out}/checkpoint.pt; mkdir -p {out}/checkpoints; echo w > {out}/checkpoints/step_1.pt; echo e > {out}/events.out.tfevents.1.host; echo {{}} > {out}/metrics.jsonl"]
mkdir_out = true
seeds = [1, 2]
[[grid]]
x = ["a", "b"]
TOML

"$IRLAB" sweep sweep.toml --out runs/first > first.log 2>&1 && fail "the sweep should fail on x=b"
"$ARCHIVE" runs/first kept > archive.log 2>&1 || fail "archive: $(cat archive.log)"
grep -q "archived 2 finished cells" archive.log || fail "expected 2 cells archived: $(cat archive.log)"
for s in 1 2; do
  [[ -f kept/x-a/seed-$s/metrics.csv ]] || fail "kept/x-a/seed-$s/metrics.csv missing"
  [[ -f kept/.sweep/cells/x-a/seed-$s/sweep.done ]] || fail "marker of x-a/seed-$s missing"
done
[[ -f kept/sweep.toml ]] || fail "the sweep file was not kept"
[[ -e kept/x-b ]] && fail "the failed cell x-b was archived"
[[ -n $(find kept -name '*.pt') ]] && fail "checkpoints were archived: $(find kept -name '*.pt')"
[[ -n $(find kept -name 'events.out.tfevents.*' -o -name metrics.jsonl) ]] && fail "event files or metrics.jsonl were archived"
ls kept | grep -q '\.tmp\.' && fail "a temporary directory was left in the archive"

# a second archive run copies nothing and overwrites nothing
echo changed > kept/x-a/seed-1/metrics.csv
"$ARCHIVE" runs/first kept > again.log 2>&1 || fail "second archive: $(cat again.log)"
grep -q "archived 0 finished cells .* (2 already there)" again.log || fail "$(cat again.log)"
[[ $(cat kept/x-a/seed-1/metrics.csv) == changed ]] || fail "an archived cell was overwritten"
echo step,eval_normalized_score > kept/x-a/seed-1/metrics.csv
echo 0,1 >> kept/x-a/seed-1/metrics.csv

# the archived markers name the run directories by {sweep_out}, not by runs/first's path
grep -q "{sweep_out}/x-a/seed-1/metrics.csv" kept/.sweep/cells/x-a/seed-1/sweep.done ||
  fail "marker not rewritten: $(cat kept/.sweep/cells/x-a/seed-1/sweep.done)"
grep -q "$work" kept/.sweep/cells/x-a/seed-1/sweep.done && fail "the archive holds the old path"

# the archive reads as a sweep directory: a table over it has the two finished cells
cat > spec.toml <<'TOML'
title = "archived"
rows = ["x"]
column = "x"
metric = "eval_normalized_score"
[[source]]
runs = "kept"
TOML
"$IRLAB" table spec.toml > table.md 2>&1 || fail "table over the archive: $(cat table.md)"
grep -q "| a | 1.50 ± 0.50 (n=2) |" table.md || fail "table over the archive: $(cat table.md)"

# restore into a new directory: the sweep skips the two restored cells, runs the others
"$ARCHIVE" --restore kept runs/second > restore.log 2>&1 || fail "restore: $(cat restore.log)"
grep -q "restored 2 finished cells" restore.log || fail "$(cat restore.log)"
touch fixed
"$IRLAB" sweep sweep.toml --out runs/second > second.log 2>&1 || fail "resumed sweep: $(cat second.log)"
grep -q "2 finished before, 2 finished now" second.log || fail "$(cat second.log)"

# not a sweep directory: a clear error and a non-zero exit
"$ARCHIVE" nowhere kept > bad.log 2>&1 && fail "archive of a missing directory should fail"
grep -q "nowhere: not a sweep directory" bad.log || fail "$(cat bad.log)"
echo "archive_sweep: ok"
