#!/bin/sh
# Runs one fuzz target for a few seconds over its seeds and the regression
# inputs of earlier findings; new inputs go to a scratch corpus, removed after.
#   run_fuzzer.sh FUZZER SEEDS REGRESSIONS MAX_LEN SECONDS [libFuzzer flags...]
set -eu
fuzzer=$1 seeds=$2 regressions=$3 max_len=$4 seconds=$5
shift 5
# reports fail the run; HDF5's own leaks on damaged files are suppressed
here=$(cd "$(dirname "$0")" && pwd)
export LSAN_OPTIONS="suppressions=$here/../sanitizer/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
mkdir -p fuzz_findings  # crash-*, leak-*, timeout-* inputs, in the test's build folder
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
set -- "$@" "$scratch" "$seeds"
[ -d "$regressions" ] && set -- "$@" "$regressions"
# the regression inputs once each, then a short run from the whole corpus
if [ -d "$regressions" ]; then
  "$fuzzer" -runs=0 -max_len="$max_len" "$regressions"
fi
"$fuzzer" -max_len="$max_len" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=4096 \
  -artifact_prefix=fuzz_findings/ -print_final_stats=1 "$@"
