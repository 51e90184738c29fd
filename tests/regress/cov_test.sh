#!/bin/sh
# The regression's coverage (neocog regress --cov) on the coverage build of neocog
# (build/coverage/neocog, make regress-cov): a tiny level of legal random programs on the RTL
# must hit the cover points every such program reaches (each unit's opcode issued, FINISH) and
# list as holes those no legal program can reach (deadlock, illegal opcode, halt); the
# percentages in the summary must be those of the merged coverage.dat, counted here again from
# the file (less the points regress/cov_exclude.tsv leaves out, and an exclusion checked on a
# file written here); the HTML report must exist; two shards merged with --merge must merge
# their coverage too. Bad input: --cov without the coverage build, --cov-dir alone, --cov-report of a
# missing file. Ends with "regress_cov: N passed, N failed".
set -u
BUILD=${BUILD:-build}
BIN=${1:-${NEOCOG_BIN:-$BUILD/bin/neocog}}
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS regress_cov.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL regress_cov.$1: $2"; }

# usage NAME WANT-TEXT PROGRAM ARGS...: exits 2 with exactly one line on stderr holding WANT.
usage() {
  name=$1 want=$2 prog=$3
  shift 3
  "$prog" regress "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  if [ "$rc" -ne 2 ]; then
    bad "$name" "exit $rc, want 2: $(cat "$tmp/err" "$tmp/out")"
  elif [ "$(wc -l <"$tmp/err")" -ne 1 ] || ! grep -qF -- "$want" "$tmp/err"; then
    bad "$name" "want one line with '$want', got: $(cat "$tmp/err")"
  else
    ok "$name"
  fi
}

cat >"$tmp/cov.list" <<'EOF'
isa_cov  gen=isa backends=rtl smoke=1 items=3 timeout=600
EOF

# A neocog with no coverage build next to it.
mkdir -p "$tmp/alone/bin"
cp "$BIN" "$tmp/alone/bin/neocog"
usage no_cov_build "run 'make regress-cov'" "$tmp/alone/bin/neocog" smoke --cov \
  --list "$tmp/cov.list" --out "$tmp/x"
usage cov_dir_alone "--cov-dir goes with --cov" "$BIN" smoke --cov-dir "$tmp/c" \
  --list "$tmp/cov.list"
usage cov_one "--one runs on the build it is" "$BIN" --one isa_cov --seed 1 --cov \
  --list "$tmp/cov.list"
"$BIN" regress --cov-report "$tmp/none.dat" --cov-dir "$tmp/r" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q "cannot read $tmp/none.dat" "$tmp/out"; then
  ok cov_report_missing
else
  bad cov_report_missing "exit $rc: $(cat "$tmp/out")"
fi

# The tiny level with coverage.
out=$tmp/run
"$BIN" regress smoke --cov --list "$tmp/cov.list" --out "$out" -j 2 >"$tmp/run.log" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
  bad run "exit $rc: $(tail -n 20 "$tmp/run.log")"
else
  ok run
fi
dat=$out/cov/coverage.dat
points=$out/cov/cover_points.txt
if [ -s "$dat" ] && [ "$(ls "$out"/cov/jobs/*/*.dat | wc -l)" -eq 1 ]; then
  ok one_file_per_job
else
  bad one_file_per_job "$(ls -R "$out/cov" 2>&1 | head)"
fi

# Points a legal program must reach: hit in the report and non-zero in coverage.dat itself.
holes=$(sed -n '/^holes/,/^hit:/p' "$points" 2>/dev/null)
hits=$(sed -n '/^hit:/,$p' "$points" 2>/dev/null)
for p in cp_issue_load cp_issue_gemm cp_issue_store cp_finish cp_retire_compute; do
  count=$(grep "o.$p.S" "$dat" | sed "s/.*' //")
  if echo "$hits" | grep -qw "$p" && ! echo "$holes" | grep -qw "$p" && [ "${count:-0}" -gt 0 ]; then
    ok "hit_$p"
  else
    bad "hit_$p" "not reported hit (count in coverage.dat: ${count:-none})"
  fi
done
# Points no legal program reaches: holes, zero in coverage.dat, named in the summary.
for p in cp_err_deadlock cp_err_illegal_opcode cp_err_halted; do
  count=$(grep "o.$p.S" "$dat" | sed "s/.*' //")
  if echo "$holes" | grep -qw "$p" && [ "${count:-x}" = 0 ] && grep -q "holes:.*$p" "$tmp/run.log"; then
    ok "hole_$p"
  else
    bad "hole_$p" "not reported as a hole (count in coverage.dat: ${count:-none})"
  fi
done

# The summary's percentages, counted again from coverage.dat.
# Points regress/cov_exclude.tsv names (kind, instance glob, point glob, reason) leave the
# totals.
cat >"$tmp/check.py" <<'EOF'
import fnmatch, json, sys
dat, summary = sys.argv[1], sys.argv[2]
excl = [l.rstrip("\n").split("\t") for l in open("regress/cov_exclude.tsv")
        if l.strip() and not l.startswith("#")]
hit, total = {}, {}
for line in open(dat, encoding="latin-1"):
    if not line.startswith("C '"):
        continue
    keys, count = line[3:].rsplit("'", 1)
    kv = dict(x.split("\x02", 1) for x in keys.split("\x01") if x)
    kind = kv["page"].split("/", 1)[0][2:]
    point = kv.get("o", "") + ("" if kind == "toggle" else ":" + kv.get("l", ""))
    if any(e[0] == kind and fnmatch.fnmatchcase(kv.get("h", ""), e[1]) and
           fnmatch.fnmatchcase(point, e[2]) for e in excl):
        continue
    kind = "cover_points" if kind == "user" else kind
    total[kind] = total.get(kind, 0) + 1
    hit[kind] = hit.get(kind, 0) + (int(count) > 0)
cov = json.load(open(summary))["coverage"]
bad = [k for k in ("line", "branch", "toggle", "cover_points")
       if (cov[k]["hit"], cov[k]["total"]) != (hit.get(k), total.get(k))]
print("mismatch: %s (file %s, summary %s)" % (bad, {k: (hit[k], total[k]) for k in hit}, cov)
      if bad else "ok")
EOF
res=$("$PYTHON" "$tmp/check.py" "$dat" "$out/summary.json" 2>&1)
if [ "$res" = ok ]; then ok percentages; else bad percentages "$res"; fi
if grep -q "^coverage of nc_top (1 file merged): line [0-9.]*%, branch [0-9.]*%, toggle [0-9.]*%; cover points [0-9]*/[0-9]* hit$" "$tmp/run.log" &&
  grep -q "^  excluded (regress/cov_exclude.tsv): [0-9][0-9]* line, [1-9][0-9]* branch, [1-9][0-9]* toggle points$" "$tmp/run.log"; then
  ok summary_line
else
  bad summary_line "$(grep -A3 '^coverage' "$tmp/run.log")"
fi
if [ -s "$out/cov/html/index.html" ]; then ok html; else bad html "no $out/cov/html/index.html"; fi

# Exclusions on a coverage file written here: one line point, two toggle points of which one
# (never toggled) is excluded; with no exclusion file the toggle figure is 50%. A malformed
# exclusion line is one error naming the file and line.
sep=$(printf '\001') kv=$(printf '\002')
{
  echo "# SystemC::Coverage-3"
  echo "C '${sep}f${kv}hw/rtl/nc_top.sv${sep}l${kv}10${sep}page${kv}v_line/nc_top${sep}o${kv}block${sep}h${kv}nc_top.nc_top' 3"
  echo "C '${sep}f${kv}hw/rtl/nc_top.sv${sep}l${kv}20${sep}page${kv}v_toggle/nc_top${sep}o${kv}m_axi_awid[0]${sep}h${kv}nc_top.nc_top' 0"
  echo "C '${sep}f${kv}hw/rtl/nc_top.sv${sep}l${kv}21${sep}page${kv}v_toggle/nc_top${sep}o${kv}m_axi_awaddr[4]${sep}h${kv}nc_top.nc_top' 7"
} >"$tmp/tiny.dat"
printf 'toggle\tnc_top.nc_top\tm_axi_awid[[]0]\ttied to 0\n' >"$tmp/ex.tsv"
NEOCOG_COV_EXCLUDE=$tmp/ex.tsv "$BIN" regress --cov-report "$tmp/tiny.dat" --cov-dir "$tmp/tr" \
  >"$tmp/tiny.log" 2>&1
rc=$?
if [ "$rc" -eq 0 ] && grep -q "line 100.0%, branch 0.0%, toggle 100.0%;" "$tmp/tiny.log" &&
  grep -q "excluded ($tmp/ex.tsv): 0 line, 0 branch, 1 toggle points" "$tmp/tiny.log"; then
  ok exclusion_applied
else
  bad exclusion_applied "exit $rc: $(cat "$tmp/tiny.log")"
fi
NEOCOG_COV_EXCLUDE=$tmp/none.tsv "$BIN" regress --cov-report "$tmp/tiny.dat" --cov-dir "$tmp/tr" \
  >"$tmp/tiny.log" 2>&1
if grep -q "toggle 50.0%;" "$tmp/tiny.log" && ! grep -q excluded "$tmp/tiny.log"; then
  ok exclusion_absent
else
  bad exclusion_absent "$(cat "$tmp/tiny.log")"
fi
printf 'toggle\tnc_top.nc_top\tm_axi_awid*\n' >"$tmp/ex.tsv"
NEOCOG_COV_EXCLUDE=$tmp/ex.tsv "$BIN" regress --cov-report "$tmp/tiny.dat" --cov-dir "$tmp/tr" \
  >"$tmp/tiny.log" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/tiny.log")" -eq 1 ] && grep -q "$tmp/ex.tsv:1: want kind" "$tmp/tiny.log"; then
  ok exclusion_without_reason
else
  bad exclusion_without_reason "exit $rc: $(cat "$tmp/tiny.log")"
fi

# Two shards with coverage, merged: the merged report has at least every point either hit.
for k in 1 2; do
  "$BIN" regress smoke --cov --seeds 2 --shard $k/2 --list "$tmp/cov.list" \
    --out "$tmp/s$k" -j 1 >"$tmp/s$k.log" 2>&1 || bad "shard_$k" "$(tail -n 5 "$tmp/s$k.log")"
done
"$BIN" regress --merge "$tmp/s1" "$tmp/s2" --out "$tmp/m" >"$tmp/m.log" 2>&1
rc=$?
cat >"$tmp/merged.py" <<'EOF'
import json, sys
a, b, m = (json.load(open(p))["coverage"]["cover_points"]["hit"] for p in sys.argv[1:4])
print("ok" if m >= max(a, b) and json.load(open(sys.argv[3]))["coverage"]["files"] == 2
      else "merged %d, shards %d and %d" % (m, a, b))
EOF
res=$("$PYTHON" "$tmp/merged.py" "$tmp/s1/summary.json" "$tmp/s2/summary.json" \
  "$tmp/m/summary.json" 2>&1)
if [ "$rc" -eq 0 ] && [ -s "$tmp/m/cov/coverage.dat" ] && [ "$res" = ok ]; then
  ok merge
else
  bad merge "exit $rc, $res: $(tail -n 5 "$tmp/m.log")"
fi

# The testplan names every cover point of hw/rtl, and only those.
cat >"$tmp/plan.py" <<'EOF'
import glob, re
rtl = set()
for f in glob.glob("hw/rtl/*.sv"):
    rtl |= set(re.findall(r"^\s*(cp_\w+): cover property", open(f).read(), re.M))
plan = set()
for l in open("regress/testplan.md"):
    cols = l.split("|")
    if l.startswith("|") and len(cols) > 6:
        for name in re.findall(r"`(cp_[A-Za-z0-9_{},]+)`", cols[5]):
            m = re.match(r"(.*)\{(.*)\}(.*)", name)
            plan |= {m.group(1) + x + m.group(3) for x in m.group(2).split(",")} if m else {name}
out = ["in hw/rtl, not in the testplan: " + p for p in sorted(rtl - plan)]
out += ["in the testplan, not in hw/rtl: " + p for p in sorted(plan - rtl)]
print("\n".join(out) if out else "ok" if rtl else "no cover points in hw/rtl")
EOF
res=$("$PYTHON" "$tmp/plan.py" 2>&1)
if [ "$res" = ok ]; then ok testplan_names_the_points; else bad testplan_names_the_points "$res"; fi

echo "regress_cov: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
