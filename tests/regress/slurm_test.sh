#!/bin/sh
# The regression on a real Slurm: a single-node cluster (munged, slurmctld and slurmd from
# Debian's munge and slurm-wlm, `sh mk/deps.sh --cluster`) started here on localhost with its
# own configuration, key, ports and state in a scratch directory, and stopped at the end.
# regress/slurm.sh runs the runner's self-test jobs as a job array of 3 shards and a merge
# job; the merged report must hold exactly the jobs, outcomes and buckets of the same run
# done locally in one process. Needs root (the daemons run as root here).
# Ends with "regress_slurm: N passed, N failed".
set -u
BIN=${1:-build/bin/neocog}
PYTHON=${PYTHON:-python3}
LIST=tests/regress/selftest.list
tmp=$(mktemp -d /tmp/neocog-slurm.XXXXXX)
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS regress_slurm.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL regress_slurm.$1: $2"; }
stop() {
  for p in slurmd slurmctld munged; do
    if [ -s "$tmp/$p.pid" ]; then
      kill "$(cat "$tmp/$p.pid")" 2>/dev/null
    fi
  done
  sleep 1
  rm -rf "$tmp"
}
trap stop EXIT
for tool in munged slurmctld slurmd sbatch sinfo; do
  if ! command -v $tool >/dev/null; then
    echo "regress_slurm: $tool missing (sh mk/deps.sh --cluster installs slurm-wlm and munge)"
    echo "regress_slurm: 0 passed, 1 failed"
    exit 1
  fi
done

# Free ports for the two daemons.
ports=$($PYTHON -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')
set -- $ports
CTLD_PORT=$1 SLURMD_PORT=$2

dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 2>/dev/null
chmod 400 "$tmp/munge.key"
munged --force --socket="$tmp/munge.sock" --key-file="$tmp/munge.key" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munge.seed"
mkdir -p "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=neocogtest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.sock
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=regress Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
slurmctld -i -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF" -N localhost
up=0
for _ in $(seq 1 60); do
  if sinfo -h -o '%t' 2>/dev/null | grep -qE '^(idle|mix|alloc)'; then
    up=1
    break
  fi
  sleep 1
done
if [ "$up" -eq 1 ]; then
  ok cluster_up
else
  bad cluster_up "node not idle: $(sinfo 2>&1); $(tail -5 "$tmp/slurmctld.log" "$tmp/slurmd.log" 2>&1)"
  echo
  echo "regress_slurm: $pass passed, $fail failed"
  exit 1
fi

# Three shards as a job array, merged by a job that waits for them.
timeout 300 sh regress/slurm.sh -b "$BIN" -o "$tmp/out" -s 7 smoke 3 -- --list "$LIST" \
  >"$tmp/slurm.out" 2>&1
rc=$?
cat "$tmp/slurm.out"
if [ "$rc" -eq 1 ] && grep -q "^merged .* from 3 shards" "$tmp/slurm.out"; then
  ok array_and_merge
else
  bad array_and_merge "exit $rc (want 1: the self-test has failing jobs)"
fi

# The same run in one process.
"$BIN" regress smoke --list "$LIST" --seed 7 --out "$tmp/local" >/dev/null 2>&1
out=$($PYTHON - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
def jobs(p):
    return sorted((r["test"], r["seed"], r["status"]) for r in map(json.loads, open(p))
                  if "test" in r)
shards = []
for k in (1, 2, 3):
    shards += jobs("%s/out/shard-%d/jobs.jsonl" % (d, k))
local = jobs(d + "/local/jobs.jsonl")
m = json.load(open(d + "/out/merged/summary.json"))
l = json.load(open(d + "/local/summary.json"))
out = []
if sorted(shards) != local:
    out.append("shard jobs %s != local %s" % (sorted(shards), local))
for k in ("runs", "passed", "failed"):
    if m[k] != l[k]:
        out.append("merged %s %s, local %s" % (k, m[k], l[k]))
if sorted(b["signature"] for b in m["buckets"]) != sorted(b["signature"] for b in l["buckets"]):
    out.append("buckets differ")
print("\n".join(out) if out else "ok")
PY
)
if [ "$out" = ok ]; then ok merged_equals_local; else bad merged_equals_local "$out"; fi
# Each shard ran as its own array task.
tasks=$(ls "$tmp/out"/slurm-*_*.out 2>/dev/null | wc -l)
if [ "$tasks" -eq 3 ]; then ok three_array_tasks; else bad three_array_tasks "$tasks task logs"; fi

echo
echo "regress_slurm: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
