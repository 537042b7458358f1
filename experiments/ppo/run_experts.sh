#!/usr/bin/env bash
# Trains the PPO experts of experiments/results/ppo.md, one run at a time.
#   bash experiments/ppo/run_experts.sh OUT_DIR [SEEDS...]
# Each run: irlab expert --config experiments/ppo/<task>.toml --seed S --out OUT/<task>_s<S>
# An existing finished run (eval.json present) is skipped, so the script resumes.
# CONFIGS="halfcheetah hopper" picks tasks; SETS="ppo.minibatches=8" adds --set
# overrides to every new run (the fast profile of experiments/results/ppo.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:?usage: run_experts.sh OUT_DIR [SEEDS...]}
shift
seeds=("${@:-1 2 3}")
irlab=${IRLAB:-build/tools/irlab}
mkdir -p "$out"
for config in ${CONFIGS:-pendulum halfcheetah hopper walker2d ant inverted_pendulum swimmer custom_ant point_maze_left}; do
  for seed in ${seeds[@]}; do
    run="$out/${config}_s$seed"
    [[ -f "$run/eval.json" ]] && continue
    if [[ -f "$run/checkpoint.pt" ]]; then
      "$irlab" expert --resume "$run" > "$run.log" 2>&1 || echo "failed: $run (see $run.log)"
    else
      rm -rf "$run"
      sets=()
      for kv in ${SETS:-}; do sets+=(--set "$kv"); done
      "$irlab" expert --config "experiments/ppo/$config.toml" --seed "$seed" "${sets[@]}" --out "$run" > "$run.log" 2>&1 \
        || echo "failed: $run (see $run.log)"
    fi
  done
done
