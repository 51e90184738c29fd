#!/bin/sh
# The regression runner's own tests (neocog regress), on jobs of the "self" generator whose
# outcome the seed decides (tests/regress/selftest.list): bad command lines and test lists
# give one clear line and exit 2; a run reports every job (a pass, a failure with one of two
# signatures, a hang past its timeout, a crash) in its summary line, JUnit XML, JSON summary
# and buckets, with the job seeds the documented derivation gives; every reproduce line
# reproduces its failure; shards split the job list without overlap and merge back into the
# same report. Expected values are computed here, independently of the runner (the seed
# derivation in Python). Ends with "regress_runner: N passed, N failed".
set -u
BUILD=${BUILD:-build}
BIN=${1:-${NEOCOG_BIN:-$BUILD/bin/neocog}}
PYTHON=${PYTHON:-python3}
LIST=tests/regress/selftest.list
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS regress_runner.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL regress_runner.$1: $2"; }

# usage NAME WANT-TEXT ARGS...: exits 2 with exactly one line on stderr holding WANT-TEXT.
usage() {
  name=$1 want=$2
  shift 2
  "$BIN" regress "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne 2 ]; then
    bad "$name" "exit $rc, want 2: $(cat "$tmp/err" "$tmp/out")"
  elif [ "$lines" -ne 1 ]; then
    bad "$name" "$lines lines on stderr, want 1: $(cat "$tmp/err")"
  elif ! grep -qF -- "$want" "$tmp/err"; then
    bad "$name" "no '$want' in: $(cat "$tmp/err")"
  else
    ok "$name"
  fi
}

usage unknown_test "unknown test or level 'nope'" nope --list "$LIST"
usage shard_k_above_n "--shard 3/2: want K/N with 1 <= K <= N" smoke --shard 3/2 --list "$LIST"
usage shard_zero "--shard 0/2: want K/N" smoke --shard 0/2 --list "$LIST"
usage shard_garbage "--shard x: want K/N" smoke --shard x --list "$LIST"
usage jobs_zero "-j 0: want a number of jobs 1..256" smoke -j 0 --list "$LIST"
usage jobs_garbage "-j two: want a number of jobs" smoke -j two --list "$LIST"
usage seeds_garbage "--seeds 1x: want a count" smoke --seeds 1x --list "$LIST"
usage seed_garbage "--seed -3: want a number or 'random'" smoke --seed -3 --list "$LIST"
usage unknown_option "unknown option '--frobnicate'" smoke --frobnicate --list "$LIST"
usage random_shard "--shard needs a fixed --seed" smoke --shard 1/2 --seed random --list "$LIST"
usage one_unknown "unknown test 'nope'" --one nope --seed 1 --list "$LIST"
usage one_no_seed "--one needs --seed S" --one pass --list "$LIST"
usage no_list "cannot read test list $tmp/none.list" smoke --list "$tmp/none.list"
usage merge_missing "cannot read $tmp/nodir" --merge "$tmp/nodir"
printf 'a gen=self backends=model smoke=1\nb gen=nope backends=model\n' >"$tmp/l1"
usage list_bad_gen "$tmp/l1:2: b: unknown generator 'nope'" smoke --list "$tmp/l1"
printf 'a gen=self backends=model smoke=1 frob=3\n' >"$tmp/l2"
usage list_bad_option "$tmp/l2:1: a: generator self takes no option 'frob'" smoke --list "$tmp/l2"
printf 'a gen=layer backends=model items=0\n' >"$tmp/l3"
usage list_bad_value "$tmp/l3:1: a: items=0: want an integer 1..100000" smoke --list "$tmp/l3"
printf 'a gen=self backends=gpu\n' >"$tmp/l4"
usage list_bad_backend "$tmp/l4:1: a: unknown backend 'gpu'" smoke --list "$tmp/l4"
printf 'a gen=self backends=model\na gen=self backends=model\n' >"$tmp/l5"
usage list_duplicate "$tmp/l5:2: test 'a' is already on line 1" smoke --list "$tmp/l5"

# The expected jobs: nc_regress_job_seed, written again from its definition.
cat >"$tmp/expect.py" <<'EOF'
import sys
M = (1 << 64) - 1
def mix(z):
    z = (z + 0x9e3779b97f4a7c15) & M
    z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & M
    z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & M
    return z ^ (z >> 31)
def seed(base, name, i):
    if i == 0:
        return base
    h = 1469598103934665603
    for ch in name.encode():
        h = ((h ^ ch) * 1099511628211) & M
    return mix((mix(base ^ h) + i) & M) & 0xffffffff
def outcome(test, s):
    if test == "pass":
        return "pass"
    if test == "mixed":
        return {0: "pass", 1: "fail", 2: "fail", 3: "pass"}[s % 4]
    return {"hang": "timeout", "crash": "crash"}[test]
base = int(sys.argv[1])
for test, n in (("pass", 3), ("mixed", 8), ("hang", 1), ("crash", 1)):
    for i in range(n):
        s = seed(base, test, i)
        print(test, s, outcome(test, s))
EOF
$PYTHON "$tmp/expect.py" 7 >"$tmp/expect"
want_fail=$(grep -vc ' pass$' "$tmp/expect")
want_pass=$(grep -c ' pass$' "$tmp/expect")

# A whole run: bounded, although one job never returns.
start=$(date +%s)
timeout 120 "$BIN" regress smoke --list "$LIST" --seed 7 -j 4 --out "$tmp/run" \
  >"$tmp/run.out" 2>&1
rc=$?
took=$(($(date +%s) - start))
if [ "$rc" -eq 1 ] && [ "$took" -lt 60 ]; then
  ok run_exits_1_without_hanging
else
  bad run_exits_1_without_hanging "exit $rc after $took s: $(tail -5 "$tmp/run.out")"
fi
if grep -qx "regress.smoke: $want_pass passed, $want_fail failed" "$tmp/run.out"; then
  ok summary_line
else
  bad summary_line "want $want_pass passed, $want_fail failed: $(tail -1 "$tmp/run.out")"
fi

# JUnit, JSON and job records against the expected jobs.
cat >"$tmp/check.py" <<'EOF'
import json, sys, xml.etree.ElementTree as ET
run, expect = sys.argv[1], sys.argv[2]
want = {}
for line in open(expect):
    t, s, o = line.split()
    want[(t, int(s))] = o
problems = []
root = ET.parse(run + "/junit.xml").getroot()
cases = root.findall(".//testcase")
got = {}
for c in cases:
    test = c.get("classname").split(".")[-1]
    seed = int(c.get("name").split()[-1])
    f = c.find("failure")
    e = c.find("error")
    if f is not None:
        got[(test, seed)] = "fail"
        if "reproduce: " not in (f.text or ""):
            problems.append("junit: no reproduce line for %s %d" % (test, seed))
    elif e is not None:
        got[(test, seed)] = e.get("type")
    else:
        got[(test, seed)] = "pass"
if got != want:
    problems.append("junit: got %s, want %s" % (sorted(got.items()), sorted(want.items())))
nf = sum(1 for o in want.values() if o != "pass")
if int(root.get("tests")) != len(want) or \
        int(root.get("failures")) + int(root.get("errors")) != nf:
    problems.append("junit totals: %s" % root.attrib)
j = json.load(open(run + "/summary.json"))
if j["runs"] != len(want) or j["failed"] != nf:
    problems.append("json totals: runs %d failed %d" % (j["runs"], j["failed"]))
# Buckets: A and B of the mixed test, the timeout, the crash; each with its first seed in
# job order.
order = [k for k in open(expect).read().split("\n") if k]
firsts = {}
for line in order:
    t, s, o = line.split()
    s = int(s)
    if o == "pass":
        continue
    kind = {"fail": "A" if s % 4 == 1 else "B"}.get(o, o) if t == "mixed" else o
    firsts.setdefault(kind, (t, s))
sig = {b["signature"]: (b["first"]["test"], b["first"]["seed"], b["count"])
       for b in j["buckets"]}
if len(j["buckets"]) != len(firsts):
    problems.append("buckets: %s, want %d" % (list(sig), len(firsts)))
for kind, first in firsts.items():
    match = [v for k, v in sig.items() if
             {"A": k.startswith("self: item #: value 0x# at address 0x#, want #"),
              "B": k.startswith("self: counter # is # cycles late"),
              "timeout": k.startswith("timeout: no result after # s"),
              "crash": k.startswith("crash: Segmentation fault")}[kind]]
    if not match or match[0][:2] != first:
        problems.append("bucket %s: %s, want first %s" % (kind, match, first))
print("\n".join(problems) if problems else "ok")
EOF
out=$($PYTHON "$tmp/check.py" "$tmp/run" "$tmp/expect" 2>&1)
if [ "$out" = ok ]; then ok junit_json_buckets; else bad junit_json_buckets "$out"; fi

# Every reproduce line fails again, with the FAIL line of its log.
n=0
grep '^  [^ ].* regress --one ' "$tmp/run.out" | sed 's/^  //' >"$tmp/repro"
while read -r line; do
  case "$line" in *"--one hang "* | *"--one crash "*) continue ;; esac
  seed=$(echo "$line" | sed 's/.*--seed \([0-9]*\).*/\1/')
  test=$(echo "$line" | sed 's/.*--one \([^ ]*\).*/\1/')
  # shellcheck disable=SC2086
  timeout 20 $line >"$tmp/rep" 2>&1
  rc=$?
  if [ "$rc" -ne 1 ] || [ "$(grep '^FAIL: ' "$tmp/rep")" != \
    "$(grep '^FAIL: ' "$tmp/run/logs/$test.$seed.log")" ]; then
    bad reproduce "'$line': exit $rc: $(cat "$tmp/rep")"
    n=-1000
  fi
  n=$((n + 1))
done <"$tmp/repro"
if [ "$n" -eq "$(grep -c ' fail$' "$tmp/expect")" ]; then
  ok reproduce_lines
elif [ "$n" -ge 0 ]; then
  bad reproduce_lines "$n reproduced, want $(grep -c ' fail$' "$tmp/expect")"
fi

# Shards: three disjoint parts of the job list, merged into the whole run's report.
for k in 1 2 3; do
  "$BIN" regress smoke --list "$LIST" --seed 7 -j 4 --shard $k/3 --out "$tmp/s$k" \
    >"$tmp/s$k.out" 2>&1
done
"$BIN" regress --merge "$tmp/s1" "$tmp/s2" "$tmp/s3" --out "$tmp/merged" >"$tmp/m.out" 2>&1
rc=$?
cat >"$tmp/shards.py" <<'EOF'
import json, sys
d = sys.argv[1]
def jobs(p):
    return [(r["test"], r["seed"], r["status"]) for r in map(json.loads, open(p))
            if "test" in r]
parts = [jobs("%s/s%d/jobs.jsonl" % (d, k)) for k in (1, 2, 3)]
whole = jobs(d + "/run/jobs.jsonl")
flat = [j for p in parts for j in p]
problems = []
if sorted(flat) != sorted(whole):
    problems.append("shards %s != whole %s" % (sorted(flat), sorted(whole)))
if any(len(p) == 0 for p in parts):
    problems.append("an empty shard: %s" % [len(p) for p in parts])
m, w = json.load(open(d + "/merged/summary.json")), json.load(open(d + "/run/summary.json"))
for k in ("runs", "passed", "failed"):
    if m[k] != w[k]:
        problems.append("merged %s %s, whole %s" % (k, m[k], w[k]))
if sorted(b["signature"] for b in m["buckets"]) != sorted(b["signature"] for b in w["buckets"]):
    problems.append("merged buckets differ")
print("\n".join(problems) if problems else "ok")
EOF
out=$($PYTHON "$tmp/shards.py" "$tmp" 2>&1)
if [ "$rc" -eq 1 ] && [ "$out" = ok ]; then
  ok shards_merge
else
  bad shards_merge "merge exit $rc: $out $(tail -3 "$tmp/m.out")"
fi
usage merge_twice "seed 7 is in two of the inputs" --merge "$tmp/s1" "$tmp/s1"

# The testplan names every test of the list, and only tests of the list.
cat >"$tmp/plan.py" <<'EOF'
import re
listed = [l.split()[0] for l in open("regress/tests.list")
          if l.strip() and not l.startswith("#")]
planned = set()
for l in open("regress/testplan.md"):
    if l.startswith("|") and not l.startswith("|---"):
        cols = l.split("|")
        if len(cols) > 3:
            planned |= set(re.findall(r"`([A-Za-z0-9_.-]+)`", cols[2]))
out = ["in the list, not in the plan: " + t for t in listed if t not in planned]
out += ["in the plan, not in the list: " + t for t in sorted(planned - set(listed))]
print("\n".join(out) if out else "ok")
EOF
out=$($PYTHON "$tmp/plan.py" 2>&1)
if [ "$out" = ok ]; then ok testplan_names_the_list; else bad testplan_names_the_list "$out"; fi

echo
echo "regress_runner: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
