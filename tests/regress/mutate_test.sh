#!/bin/sh
# The mutation check's own tests (neocog regress --mutate, regress/mutate.c, hw/gen/mutate.py)
# and the tests of other array shapes in the list (config=RxC, regress/config.c).
#
#   sh tests/regress/mutate_test.sh BIN [MUTANT_BIN]
#
# With BIN alone (make test): the generator's unit tests (hw/gen/test_mutate.py); bad command
# lines and lists give one clear line and exit 2 (a program that is no mutant build, --mutants
# without --mutate, a bad config=, a test whose shape's build is missing, which names the make
# command); a config test run by the wrong build fails with a line that says so.
#
# With MUTANT_BIN too (make regress-mutate-test, which builds it): a small level against
# mutant 0 and a few mutants of datapath modules stuck at 0 or 1 (any layer or program that
# reads that memory, row or lane sees them): mutant 0 must pass every job, each of those
# mutants must be killed, and each kill must reproduce with the command the report gives;
# a bad mutant id is one clear error; the table, the survivors and the JSON agree.
# Ends with "regress_mutate: N passed, N failed".
set -u
BIN=${1:-${NEOCOG_BIN:-${BUILD:-build}/bin/neocog}}
MUT=${2:-}
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS regress_mutate.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL regress_mutate.$1: $2"; }

# usage NAME WANT-TEXT ARGS...: exits 2 with exactly one line on stderr holding WANT-TEXT.
usage() {
  name=$1 want=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
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

if $PYTHON hw/gen/test_mutate.py >"$tmp/py" 2>&1; then
  ok generator
else
  bad generator "$(tail -20 "$tmp/py")"
fi

usage not_a_mutant_build "is not a mutant build" "$BIN" regress --mutate smoke
usage mutants_without_mutate "--mutants and --equivalent go with --mutate" \
  "$BIN" regress smoke --mutants 3
usage mutate_and_shard "--mutate goes with a level or tests only" \
  "$BIN" regress --mutate smoke --shard 1/2 --seed 1
usage mutate_value "--mutate takes no value" "$BIN" regress --mutate=smoke
usage mutate_unknown_level "unknown test or level 'nightlly'" "$BIN" regress --mutate nightlly

# config=RxC in the list.
printf 'a gen=self backends=model smoke=1 config=8\n' >"$tmp/c1"
usage config_bad "$tmp/c1:1: a: config=8: want an array shape ROWSxCOLS" \
  "$BIN" regress smoke --list "$tmp/c1"
# A shape no one builds here: the runner names the build it needs and how to make it.
printf 'a gen=self backends=model smoke=1 config=62x2\n' >"$tmp/c2"
usage config_missing "a (config=62x2) needs build/62x2/bin/neocog, which is missing: build it \
with 'make ROWS=62 COLS=2 build/62x2/bin/neocog'" "$BIN" regress smoke --list "$tmp/c2"
# Run by a build of another shape, a job fails and says which build it needs.
"$BIN" regress --one a --seed 1 --list "$tmp/c2" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && grep -q "^FAIL: a runs on a 62x2 array; this neocog is a .* build" "$tmp/out"
then
  ok config_wrong_build
else
  bad config_wrong_build "exit $rc: $(cat "$tmp/out")"
fi
# The build's own shape (as the job above tells it) runs in place.
own=$(sed -n 's/^FAIL: .*this neocog is a \([0-9]*x[0-9]*\) build.*/\1/p' "$tmp/out")
printf 'a gen=self backends=model smoke=1 mode=pass items=1 config=%s\n' "$own" >"$tmp/c3"
if "$BIN" regress smoke --list "$tmp/c3" --out "$tmp/r3" -j1 >"$tmp/out" 2>&1; then
  ok config_own_shape
else
  bad config_own_shape "$(tail -5 "$tmp/out")"
fi

if [ -n "$MUT" ]; then
  tsv=$(dirname "$MUT")/mutants.tsv
  usage bad_mutant_id "--mutants 0,99999: mutant 99999 does not exist: this build has mutants 1.." \
    "$MUT" regress --mutate smoke --mutants 0,99999 --list tests/regress/mutate.list
  usage bad_mutant_list "--mutants 3x: want ids like 3,7,10-12" \
    "$MUT" regress --mutate smoke --mutants 3x --list tests/regress/mutate.list
  # Up to four datapath mutants stuck at 0 or 1 (the memories' and the array's data), none
  # of those argued equivalent (an unconnected output may be stuck at anything).
  ids=$(awk -F'\t' 'FNR == NR { if ($1 !~ /^#/) eq[$1 FS $2 FS $3 FS $4] = 1; next }
    $1 !~ /^#/ && ($5 == "stuck0" || $5 == "stuck1") && !(($2 FS $5 FS $6 FS $7) in eq) &&
    ($2 == "nc_spad" || $2 == "nc_acc" || $2 == "nc_systolic_array" || $2 == "nc_requant" ||
     $2 == "nc_pe_row") { print $1 }' regress/equivalent_mutants.tsv "$tsv" | head -4 |
    tr '\n' ',' | sed 's/,$//')
  if [ -z "$ids" ]; then
    bad known_mutants "no stuck-at mutant of a datapath module in $tsv"
  else
    "$MUT" regress --mutate smoke --list tests/regress/mutate.list --mutants "0,$ids" -j2 \
      --out "$tmp/m" >"$tmp/mout" 2>&1
    rc=$?
    json=$tmp/m/mutation.json
    if [ "$rc" -ne 0 ]; then
      bad known_mutants_killed "exit $rc (mutants 0,$ids): $(tail -30 "$tmp/mout")"
    elif ! grep -q '"id": 0, .*"status": "passed"' "$json"; then
      bad mutant0_passes "mutant 0 is not 'passed' in $json"
    else
      ok mutant0_passes
      n=$(echo "$ids" | tr ',' '\n' | wc -l)
      k=$(grep -c '"status": "killed"' "$json")
      if [ "$k" -eq "$n" ] && grep -q "mutation score smoke: $n of $n non-equivalent" "$tmp/mout"
      then
        ok known_mutants_killed
      else
        bad known_mutants_killed "$k of $n killed: $(tail -20 "$tmp/mout")"
      fi
    fi
    # Each kill reproduces: that mutant fails that job on its own.
    $PYTHON - "$json" >"$tmp/kills" <<'EOF'
import json, sys
for m in json.load(open(sys.argv[1]))["mutants"]:
    if m["status"] == "killed":
        print(m["id"], m["killed_by"], m["killed_by_seed"])
EOF
    while read -r id test seed; do
      NEOCOG_RTL_MUTANT=$id "$MUT" regress --one "$test" --seed "$seed" \
        --list tests/regress/mutate.list >"$tmp/one" 2>&1
      rc1=$?
      "$MUT" regress --one "$test" --seed "$seed" --list tests/regress/mutate.list \
        >"$tmp/one0" 2>&1
      rc0=$?
      if [ "$rc1" -ne 0 ] && [ "$rc0" -eq 0 ]; then
        ok "kill_reproduces.$id"
      else
        bad "kill_reproduces.$id" "mutant $id on $test seed $seed: exit $rc1, original $rc0"
      fi
    done <"$tmp/kills"
    # A mutant that survives a level is reported as a survivor (table, list, JSON, exit 1):
    # no level kills anything when the only test's job cannot see the RTL's results.
    printf 'quiet gen=self backends=rtl smoke=1 mode=pass items=1\n' >"$tmp/q"
    first=$(echo "$ids" | cut -d, -f1)
    "$MUT" regress --mutate smoke --list "$tmp/q" --mutants "$first" -j1 --out "$tmp/q1" \
      >"$tmp/qout" 2>&1
    rc=$?
    if [ "$rc" -eq 1 ] && grep -q "^ *$first .*: .* -> " "$tmp/qout" &&
      grep -q '"status": "survived"' "$tmp/q1/mutation.json"; then
      ok survivor_reported
    else
      bad survivor_reported "exit $rc: $(tail -12 "$tmp/qout")"
    fi
  fi
fi

echo "regress_mutate: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
