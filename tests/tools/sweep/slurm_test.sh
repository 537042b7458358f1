#!/usr/bin/env bash
# The slurm backend of `irlab sweep` against a real single-node Slurm:
# munged, slurmctld and slurmd are configured and started here on loopback
# with every file in a temporary directory, and stopped by their pids at the
# end. Installs slurm-wlm and munge with apt-get when missing (needs root, as
# in CI). Exits 77 (ctest: skipped) with the reason where Slurm cannot run.
#
#   tests/tools/sweep/slurm_test.sh path/to/irlab
set -uo pipefail

IRLAB=${1:?usage: slurm_test.sh IRLAB_BINARY}
IRLAB=$(readlink -f "$IRLAB")
skip() {
  echo "SKIPPED: $*"
  exit 77
}
fail() {
  echo "FAILED: $*"
  exit 1
}

[[ $(id -u) -eq 0 ]] || skip "starting slurmd and munged needs root"
[[ -x $IRLAB ]] || fail "no irlab binary at $IRLAB"

# --- packages -------------------------------------------------------------
missing=()
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing ${missing[*]} (once)"
  export DEBIAN_FRONTEND=noninteractive
  { timeout 300 apt-get update -qq && timeout 600 apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"; } >/dev/null 2>&1 || skip "cannot install ${missing[*]} with apt-get"
fi
for tool in munged munge unmunge slurmctld slurmd sbatch squeue sinfo runuser; do
  command -v "$tool" >/dev/null || skip "$tool is missing after installing slurm-wlm and munge"
done
id munge >/dev/null 2>&1 || skip "the munge user is missing"

# --- a private cluster in a temporary directory ----------------------------
T=$(mktemp -d /tmp/irlab-slurm.XXXXXX)
chmod 755 "$T"
M=$T/munge
mkdir -p "$M" "$T/state" "$T/spool" "$T/work"
chown munge:munge "$M"
chmod 755 "$M"
PIDS=()  # pid files of the daemons started here, stopped in reverse order

stop_daemons() {
  local i pidfile pid
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pidfile=${PIDS[i]}
    [[ -s $pidfile ]] || continue
    pid=$(<"$pidfile")
    [[ $pid =~ ^[0-9]+$ ]] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
cleanup() {
  stop_daemons
  if [[ ${KEEP_SLURM_TEST_DIR:-0} == 1 ]]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
show_logs() {
  for f in "$M/munged.log" "$T/slurmctld.log" "$T/slurmd.log"; do
    [[ -f $f ]] && { echo "--- $f"; tail -n 15 "$f"; }
  done
}

# munge: its own key, socket, pid and log under $M, run as the munge user
dd if=/dev/urandom of="$M/munge.key" bs=1024 count=1 status=none
chown munge:munge "$M/munge.key"
chmod 400 "$M/munge.key"
SOCKET=$M/munge.socket
runuser -u munge -- munged --key-file="$M/munge.key" --socket="$SOCKET" --pid-file="$M/munged.pid" \
  --log-file="$M/munged.log" --seed-file="$M/munged.seed" ||
  { show_logs; skip "munged would not start"; }
PIDS+=("$M/munged.pid")
for _ in $(seq 50); do [[ -S $SOCKET ]] && break; sleep 0.1; done
munge -n --socket="$SOCKET" | unmunge --socket="$SOCKET" >/dev/null ||
  { show_logs; skip "munge -n | unmunge fails"; }

# slurm.conf: one node on 127.0.0.1, ports of our own so other tests can run
HOST=$(hostname -s)
NCPU=$(nproc)
MEM=$(($(free -m | awk '/^Mem:/ {print $2}') * 9 / 10))
PORT=$((20000 + ($$ % 10000) * 2))
cat >"$T/slurm.conf" <<EOF
ClusterName=irlabtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT
SlurmdPort=$((PORT + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCKET
CredType=cred/munge
StateSaveLocation=$T/state
SlurmdSpoolDir=$T/spool
SlurmctldPidFile=$T/slurmctld.pid
SlurmdPidFile=$T/slurmd.pid
SlurmctldLogFile=$T/slurmctld.log
SlurmdLogFile=$T/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
MailProg=/bin/true
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=300
KillWait=5
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$NCPU RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$T/slurm.conf

slurmctld -f "$SLURM_CONF" || { show_logs; skip "slurmctld would not start"; }
PIDS+=("$T/slurmctld.pid")
for _ in $(seq 50); do [[ -s $T/slurmctld.pid ]] && break; sleep 0.1; done
slurmd -f "$SLURM_CONF" -N "$HOST" || { show_logs; skip "slurmd would not start"; }
PIDS+=("$T/slurmd.pid")
state=""
for _ in $(seq 60); do
  state=$(sinfo -h -n "$HOST" -o %T 2>/dev/null | head -n 1)
  [[ $state == idle* || $state == mixed* ]] && break
  sleep 0.5
done
[[ $state == idle* || $state == mixed* ]] || { show_logs; skip "the node did not come up (state '$state')"; }
echo "slurm up: node $HOST ($NCPU CPUs) on 127.0.0.1:$PORT, files in $T"

cd "$T/work" || fail "cd"
sweep() { "$IRLAB" sweep "$@" --backend slurm --poll 0.5; }
count_jobs() { grep -c . "$1/.sweep/slurm/jobs.txt"; }

# 1. a sweep with failing cells: the failures are resubmitted as a new array
cat >flaky.toml <<'EOF'
command = ["sh", "-c", "echo cell {x} {seed} on $(hostname); if [ {x} = flaky ] && [ ! -e {sweep_out}/tried-{seed} ]; then touch {sweep_out}/tried-{seed}; exit 5; fi; echo ok > {out}/result"]
mkdir_out = true
seeds = [0, 1]
[grid]
x = ["a", "b", "flaky"]
[slurm]
time = "00:05:00"
EOF
sweep flaky.toml --out runs/flaky --retries 1 >flaky.out 2>&1 ||
  { cat flaky.out; show_logs; fail "sweep with retries did not finish"; }
grep -q "6 cells: 0 finished before, 6 finished now, 0 failed" flaky.out || { cat flaky.out; fail "summary"; }
[[ $(ls runs/flaky/.sweep/cells/*/seed-*/sweep.done | wc -l) -eq 6 ]] || fail "not all 6 done markers"
grep -q 'backend = "slurm"' runs/flaky/.sweep/cells/x-a/seed-0/sweep.done || fail "marker lacks the backend"
grep -q '^job = "[0-9]*_[0-9]*"' runs/flaky/.sweep/cells/x-a/seed-0/sweep.done || fail "marker lacks the job id"
grep -q "exit 5" runs/flaky/.sweep/cells/x-flaky/seed-1/sweep.log || fail "the first, failed attempt is not logged"
grep -q "exit 0" runs/flaky/.sweep/cells/x-flaky/seed-1/sweep.log || fail "the resubmitted attempt is not logged"
[[ $(count_jobs runs/flaky) -eq 2 ]] || fail "expected 2 sbatch jobs (sweep + resubmission)"
ls runs/flaky/.sweep/slurm/slurm-*_*.out >/dev/null || fail "no per-task Slurm logs"
echo "ok: 6 cells on Slurm, 2 failures resubmitted and finished"

# 2. a rerun submits nothing
sweep flaky.toml --out runs/flaky >rerun.out 2>&1 || { cat rerun.out; fail "rerun"; }
grep -q "6 finished before, 0 finished now" rerun.out || { cat rerun.out; fail "rerun summary"; }
[[ $(count_jobs runs/flaky) -eq 2 ]] || fail "the rerun submitted again"
echo "ok: rerun skipped every finished cell"

# 3. real irlab cells: rollout runs with config, metrics, TensorBoard events, run.json
cat >rollout.toml <<'EOF'
command = "irlab rollout --env Pendulum --episodes 2 --seed {seed} --out {out}"
seeds = [0, 1, 2]
EOF
sweep rollout.toml --out runs/rollout --detach >detach.out 2>&1 || { cat detach.out; fail "detach"; }
grep -q "submitted Slurm job" detach.out || { cat detach.out; fail "nothing submitted"; }
grep -q "3 submitted" detach.out || { cat detach.out; fail "detach summary"; }
sweep rollout.toml --out runs/rollout >follow.out 2>&1 || { cat follow.out; show_logs; fail "follow"; }
grep -q "0 failed" follow.out || { cat follow.out; fail "follow summary"; }
[[ $(count_jobs runs/rollout) -eq 1 ]] || fail "following a detached sweep submitted it again"
for s in 0 1 2; do
  d=runs/rollout/seed-$s
  [[ -s runs/rollout/.sweep/cells/seed-$s/sweep.done ]] || fail "seed-$s has no done marker"
  for f in config.toml metrics.csv metrics.jsonl run.json; do
    [[ -s $d/$f ]] || fail "$d/$f missing"
  done
  ls "$d"/events.out.tfevents.* >/dev/null 2>&1 || fail "$d has no TensorBoard events file"
done
tr -d ' \n' < runs/rollout/seed-2/run.json | grep -q '"command_line":\["irlab","rollout"' || fail "run.json"
echo "ok: 3 irlab rollout cells ran on Slurm after --detach and were followed, not resubmitted"
echo "PASSED"
