#!/usr/bin/env bash
# The demonstrations of issue 21's table (experiments/imitation/table.toml): trains the
# five experts with the commands recorded there, one thread each, and collects 25
# deterministic episodes of each. Deterministic: the same revision gives the same files
# (HalfCheetahFixed: expert evaluation 4461.4, demonstrations 4711 +- 636 per episode).
# Runs two experts at a time; skips an expert or a demonstration file that exists.
#
#   experiments/imitation/make_demos.sh [RUNS]     # RUNS defaults to runs
#   -> RUNS/experts/<Task>/, RUNS/demos-table/<Task>.h5, logs in RUNS/experts/<Task>.log
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-runs}
irlab=${IRLAB:-build/tools/irlab}
mkdir -p "$runs/experts" "$runs/demos-table"

expert() {  # TASK ARGS...: train (unless done) and collect (unless done)
  local task=$1
  shift
  local log=$runs/experts/$task.log
  if [[ ! -f $runs/experts/$task/checkpoint.pt ]]; then
    "$irlab" expert "$@" --set threads=1 --set eval_every=0 --out "$runs/experts/$task" >> "$log" 2>&1
  fi
  if [[ ! -f $runs/demos-table/$task.h5 ]]; then
    "$irlab" collect --run "$runs/experts/$task" --env "$task" --episodes 25 --deterministic \
      --seed 7 --out "$runs/demos-table/$task.h5" >> "$log" 2>&1
  fi
  echo "make_demos: $task: $(tail -n 1 "$log")"
}

# Hopper and Walker2d are trained on the terminating tasks with the x position kept in the
# observation, then collected on the fixed-horizon tasks.
keep_x=(--set env_options.exclude_current_positions_from_observation=false)
{
  expert Walker2dFixed --config experiments/ppo/walker2d.toml --env Walker2d --seed 2 \
    --set total_steps=3000000 "${keep_x[@]}"
  expert SwimmerFixed --config experiments/ppo/swimmer.toml --env SwimmerFixed --seed 1
} &
walker=$!
expert HalfCheetahFixed --config experiments/ppo/halfcheetah.toml --env HalfCheetahFixed --seed 6
expert AntFixed --config experiments/ppo/ant.toml --env AntFixed --seed 1 --set ppo.minibatches=8
expert HopperFixed --config experiments/ppo/hopper.toml --env Hopper --seed 1 "${keep_x[@]}"
wait "$walker"
