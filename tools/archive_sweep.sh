#!/usr/bin/env bash
# Keeps a sweep's finished cells beyond the machine that ran them.
#
#   tools/archive_sweep.sh SWEEP_OUT ARCHIVE            copy finished cells into ARCHIVE
#   tools/archive_sweep.sh --restore ARCHIVE SWEEP_OUT  copy them back before resuming
#
# A finished cell is one with a done marker, SWEEP_OUT/.sweep/cells/<id>/sweep.done. Its
# marker, its log and its run directory SWEEP_OUT/<id> are copied with the same layout, without
# checkpoints (*.pt), TensorBoard event files, metrics.jsonl where metrics.csv holds the
# same rows, and any file over 20 MB, so ARCHIVE is itself a sweep
# directory that `irlab table` and `irlab plot` read, small enough to commit. A marker
# records the cell's command, with the absolute path of the sweep's --out in it; the
# archive keeps that path as {sweep_out}, and --restore writes the new one, so after
# --restore `irlab sweep` with the same sweep file and --var values and the new --out
# skips the restored cells and runs only the others.
# Cells already in the destination are left as they are; nothing is overwritten.
set -euo pipefail

usage() {
  sed -n '2,15p' "$0" >&2
  exit 2
}

restore=0
if [[ "${1:-}" == "--restore" ]]; then
  restore=1
  shift
fi
[[ $# -eq 2 ]] || usage
src=${1%/}
dst=${2%/}
if [[ ! -d "$src/.sweep/cells" ]]; then
  echo "archive_sweep: $src: not a sweep directory (no .sweep/cells)" >&2
  exit 1
fi

mkdir -p "$dst"
# the absolute --out path as the sweep wrote it into its markers (from getcwd, so with
# symbolic links resolved; the unresolved form is tried too)
src_abs=$(cd "$src" && pwd -P)
src_logical=$(cd "$src" && pwd -L)
dst_abs=$(cd "$dst" && pwd -P)
rewrite() {  # marker -> destination marker, the --out path swapped
  if ((restore)); then
    FROM='{sweep_out}' TO="$dst_abs" perl -pe 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$1"
  else
    FROM="$src_abs" FROM2="$src_logical" TO='{sweep_out}' \
      perl -pe 's/\Q$ENV{FROM}\E(?=\/)/$ENV{TO}/g; s/\Q$ENV{FROM2}\E(?=\/)/$ENV{TO}/g' "$1"
  fi
}
copied=0
kept=0
while IFS= read -r -d '' marker; do
  cell_state=$(dirname "$marker")
  id=${cell_state#"$src/.sweep/cells/"}
  if [[ -e "$dst/.sweep/cells/$id/sweep.done" ]]; then
    kept=$((kept + 1))
    continue
  fi
  if [[ ! -d "$src/$id" ]]; then
    echo "archive_sweep: $src/$id: run directory missing for finished cell $id; skipped" >&2
    continue
  fi
  # The run directory first, under a temporary name, then the marker: a cell is in the
  # destination only once both are complete.
  tmp="$dst/$id.tmp.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  (cd "$src/$id" && find . -type f ! -name '*.pt' ! -name 'events.out.tfevents.*' -size -20M -print0) |
    while IFS= read -r -d '' f; do
      [[ $(basename "$f") == metrics.jsonl && -f "$src/$id/$(dirname "$f")/metrics.csv" ]] && continue
      mkdir -p "$tmp/$(dirname "$f")"
      cp -p "$src/$id/$f" "$tmp/$f"
    done
  rm -rf "$dst/$id"
  mv "$tmp" "$dst/$id"
  mkdir -p "$dst/.sweep/cells/$id"
  [[ -f "$cell_state/sweep.log" ]] && cp -p "$cell_state/sweep.log" "$dst/.sweep/cells/$id/sweep.log"
  rewrite "$marker" > "$dst/.sweep/cells/$id/sweep.done.tmp.$$"
  mv "$dst/.sweep/cells/$id/sweep.done.tmp.$$" "$dst/.sweep/cells/$id/sweep.done"
  copied=$((copied + 1))
done < <(find "$src/.sweep/cells" -name sweep.done -type f -print0 | sort -z)

# what produced the directory: the sweep file as it was and the command lines (top-level files)
find "$src" -maxdepth 1 -type f -print0 | while IFS= read -r -d '' f; do
  [[ -e "$dst/$(basename "$f")" ]] || cp -p "$f" "$dst/"
done
verb=archived
((restore)) && verb=restored
echo "archive_sweep: $verb $copied finished cells from $src to $dst ($kept already there)"
