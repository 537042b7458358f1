#!/usr/bin/env bash
# Issue 21's table and learning curves from the committed archive of finished cells
# (experiments/results/imitation-21, filled by tools/archive_sweep.sh as the sweep runs):
#   experiments/results/imitation-from-scratch.md / .csv   the table, with the commands
#   experiments/results/figures/from-scratch-<Task>.png    one figure per task
# Cells still running or not yet run are left out (the table shows n= for cells with
# fewer than 5 seeds); rerun this script when more cells are archived.
#
#   experiments/imitation/make_table.sh [ARCHIVE]     # ARCHIVE defaults to the committed one
set -euo pipefail
cd "$(dirname "$0")/../.."
irlab=${IRLAB:-build/tools/irlab}
archive=${1:-experiments/results/imitation-21}

"$irlab" table experiments/imitation/table_spec.toml --var root="$archive" \
  --out experiments/results/imitation-from-scratch \
  --note "- Runs: \`irlab sweep experiments/imitation/table.toml --out runs/imitation-21 --jobs 1 --var demos=runs/demos-table\` (one config per task, experiments/imitation/<Task>.toml, the same for every method); demonstrations: \`experiments/imitation/make_demos.sh\`; finished cells archived with \`tools/archive_sweep.sh runs/imitation-21 $archive\`." \
  --note "- Table and figures: \`experiments/imitation/make_table.sh\` (\`irlab table experiments/imitation/table_spec.toml --out experiments/results/imitation-from-scratch\`, \`irlab plot $archive --metric eval_normalized_score --out experiments/results/figures/from-scratch.png\`)." \
  --note "- The cells up to AntFixed GAIL ran with a binary built at adbd1d9 (session 18; AntFixed GAIL seed 5 resumed from its checkpoint on the newer one after an interruption), the rest with one built at 591221d, which adds ppo.ent_target (HopperFixed) and gives adbd1d9's training bits for every config without it (experiments/results/adversarial.md, session 20)." \
  --note "- Tuning used seeds 11-23 (experiments/imitation/trials, results in experiments/results/adversarial.md); the table's seeds are 1-5." \
  --note "- Targets (issue 21): every AIRL and GAIL cell >= 0.9 within each task's budget, steps to 0.9 <= 3M."

"$irlab" plot "$archive" --metric eval_normalized_score \
  --out experiments/results/figures/from-scratch.png
