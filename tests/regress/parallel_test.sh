#!/bin/sh
# The regression's shards run by GNU parallel (regress/parallel.sh) and merged: the merged
# report must hold exactly the jobs, outcomes and buckets of the same run done in one
# process. Ends with "regress_parallel: N passed, N failed".
set -u
BIN=${1:-build/bin/neocog}
PYTHON=${PYTHON:-python3}
LIST=tests/regress/selftest.list
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS regress_parallel.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL regress_parallel.$1: $2"; }
if ! command -v parallel >/dev/null; then
  echo "regress_parallel: GNU parallel missing (sh mk/deps.sh --cluster installs it)"
  echo "regress_parallel: 0 passed, 1 failed"
  exit 1
fi
sh regress/parallel.sh -b "$BIN" -o "$tmp/par" -s 7 smoke 4 -- --list "$LIST" >"$tmp/p.out" 2>&1
rc=$?
cat "$tmp/p.out"
if [ "$rc" -eq 1 ] && grep -q "^merged .* from 4 shards" "$tmp/p.out"; then
  ok shards_and_merge
else
  bad shards_and_merge "exit $rc (want 1: the self-test has failing jobs)"
fi
"$BIN" regress smoke --list "$LIST" --seed 7 --out "$tmp/local" >/dev/null 2>&1
out=$($PYTHON - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
def jobs(p):
    return sorted((r["test"], r["seed"], r["status"]) for r in map(json.loads, open(p))
                  if "test" in r)
shards = []
for k in (1, 2, 3, 4):
    shards += jobs("%s/par/shard-%d/jobs.jsonl" % (d, k))
local = jobs(d + "/local/jobs.jsonl")
m = json.load(open(d + "/par/merged/summary.json"))
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
echo
echo "regress_parallel: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
