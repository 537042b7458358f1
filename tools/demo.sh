#!/usr/bin/env bash
# The main job on its embedded default: installs what is missing, builds,
# then runs `irlab demo` (state-only AIRL on Pendulum from the shipped
# demonstrations; about a minute). Extra arguments go to the job.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
exec "${IRLAB_BUILD_DIR:-build}/tools/irlab" demo "$@"
