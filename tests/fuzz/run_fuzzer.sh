#!/bin/sh
# Runs one fuzz target for a few seconds over its seeds and the regression
# inputs of earlier findings (REGRESSIONS: the committed ones; MADE: those
# make_regressions.py makes from the seeds); new inputs go to a scratch
# corpus, removed after.
#   run_fuzzer.sh FUZZER SEEDS REGRESSIONS MADE MAX_LEN SECONDS [libFuzzer flags...]
set -eu
fuzzer=$1 seeds=$2 regressions=$3 made=$4 max_len=$5 seconds=$6
shift 6
# reports fail the run; HDF5's own leaks on damaged files are suppressed
here=$(cd "$(dirname "$0")" && pwd)
export LSAN_OPTIONS="suppressions=$here/../sanitizer/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
mkdir -p fuzz_findings  # crash-*, leak-*, timeout-* inputs, in the test's build folder
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
set -- "$@" "$scratch" "$seeds"
# the regression inputs once each (any finding fails the test), then a short
# run from the whole corpus
for dir in "$regressions" "$made"; do
  [ -d "$dir" ] || continue
  echo "regression inputs: $(ls "$dir" | wc -l) in $dir"
  "$fuzzer" -runs=0 -max_len="$max_len" -rss_limit_mb=4096 "$dir"
  set -- "$@" "$dir"
done
"$fuzzer" -max_len="$max_len" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
  -artifact_prefix=fuzz_findings/ -print_final_stats=1 "$@"
