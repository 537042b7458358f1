#!/usr/bin/env bash
# Seed corpora of the fuzz targets, made by irlab itself: a tiny PPO expert
# and AIRL run (their checkpoints and config.toml), demonstrations collected
# from the expert and converted to D4RL and Minari, the command lines their
# run.json files record, and the sweep files shipped in experiments/.
# Then the regression inputs made from them (make_regressions.py).
#   make_seeds.sh IRLAB SOURCE_DIR OUT_DIR REGRESSIONS_OUT_DIR
set -euo pipefail
irlab=$1 src=$2 out=$3 regressions=$4
rm -rf "$out"
mkdir -p "$out"/{demo_file,import_d4rl,import_minari,config,sweep,flags,checkpoint_archive}_fuzzer
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tiny=(--set num_envs=2 --set threads=1 --set ppo.rollout_steps=32 --set ppo.minibatches=2 --set ppo.epochs=1
      --set ppo.actor_hidden=[4] --set ppo.critic_hidden=[4] --set eval_episodes=1 --set total_steps=64)

"$irlab" expert --env Pendulum --out "$work/expert" "${tiny[@]}" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
"$irlab" collect --run "$work/expert" --episodes 2 --set horizon=6 --out "$work/demos.h5" > "$work/log" 2>&1 ||
  { cat "$work/log"; exit 1; }
"$irlab" collect --run "$work/expert" --episodes 1 --set horizon=3 --out "$work/one.h5" > /dev/null
"$irlab" convert --from irlab --to d4rl "$work/demos.h5" "$work/d4rl.hdf5" > /dev/null
"$irlab" convert --from irlab --to minari "$work/demos.h5" "$work/minari.h5" > /dev/null
"$irlab" train --algo airl --env Pendulum --demos "$work/demos.h5" --out "$work/airl" "${tiny[@]}" \
  --set disc.reward_hidden=[4] --set disc.potential_hidden=[4] --set disc.batch_size=8 \
  --set disc.updates_per_round=1 > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }

cp "$work/demos.h5" "$work/one.h5" "$out/demo_file_fuzzer/"
cp "$work/d4rl.hdf5" "$out/import_d4rl_fuzzer/"
cp "$work/minari.h5" "$out/import_minari_fuzzer/"
cp "$work/expert/config.toml" "$out/config_fuzzer/expert.toml"
cp "$work/airl/config.toml" "$out/config_fuzzer/airl.toml"
cp "$src"/experiments/sweeps/*.toml "$out/sweep_fuzzer/"
cp "$work/expert/checkpoint.pt" "$out/checkpoint_archive_fuzzer/expert.pt"
cp "$work/airl/checkpoint.pt" "$out/checkpoint_archive_fuzzer/airl.pt"
# the recorded command lines, NUL-separated, without "irlab <command>"
for run in expert airl; do
  /usr/bin/python3 - "$work/$run/run.json" "$out/flags_fuzzer/$run" <<'EOF'
import json, sys
args = json.load(open(sys.argv[1]))["command_line"][2:]
open(sys.argv[2], "wb").write(b"\0".join(a.encode() for a in args))
EOF
done
for d in "$out"/*; do
  [[ -n $(ls -A "$d") ]] || { echo "make_seeds: no seeds in $d" >&2; exit 1; }
done
if [[ -n $(find "$out" -type f -empty) ]]; then
  echo "make_seeds: empty seeds: $(find "$out" -type f -empty)" >&2
  exit 1
fi
echo "seeds: $(find "$out" -type f | wc -l) files in $out"
# the regression inputs of fixed bugs that are made from the seeds
rm -rf "$regressions"
/usr/bin/python3 "$src/tests/fuzz/make_regressions.py" "$out" "$regressions"
