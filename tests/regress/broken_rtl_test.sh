#!/bin/sh
# The regression against a deliberately broken RTL (make regress-broken: nc_top built from a
# copy of hw/rtl with one mutation, linked into its own neocog): the runner must report the
# RTL tests failing and the model's passing, bucket the failures, give a reproduce line that
# reproduces, a waveform and a lockstep rerun that names the first submission where the RTL
# and the model part ways; the same jobs on the real RTL must pass.
# usage: broken_rtl_test.sh GOOD-NEOCOG BROKEN-NEOCOG
# Ends with "regress_broken: N passed, N failed".
set -u
GOOD=${1:-build/bin/neocog}
BROKEN=${2:-build/regress/broken/neocog}
PYTHON=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS regress_broken.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL regress_broken.$1: $2"; }
TESTS="layer_model layer_rtl layer_rtl_extreme"

"$BROKEN" regress $TESTS --seeds 2 --seed 1 -j 2 --waves 1 --out "$tmp/b" >"$tmp/b.out" 2>&1
rc=$?
cat "$tmp/b.out"
if [ "$rc" -eq 1 ]; then ok broken_run_fails; else bad broken_run_fails "exit $rc"; fi

cat >"$tmp/check.py" <<'PY'
import json, os, sys, xml.etree.ElementTree as ET
d = sys.argv[1]
j = json.load(open(d + "/summary.json"))
out = []
by = {t["name"]: t for t in j["tests"]}
if by["layer_model"]["failed"] != 0:
    out.append("layer_model failed on the broken build: the model has no RTL in it")
if by["layer_rtl"]["failed"] + by["layer_rtl_extreme"]["failed"] == 0:
    out.append("no RTL test failed")
if not j["buckets"]:
    out.append("no buckets")
b = j["buckets"][0]
w = b["first"]["waves"]
if not w or not os.path.isfile(w) or os.path.getsize(w) < 1000:
    out.append("bucket 1 has no waveform: %r" % w)
if "lockstep: " not in b["first"]["rerun"] or "item " not in b["first"]["rerun"]:
    out.append("the lockstep rerun names no divergence: %r" % b["first"]["rerun"])
if "#" not in b["signature"]:
    out.append("signature not masked: %r" % b["signature"])
root = ET.parse(d + "/junit.xml").getroot()
nfail = len(root.findall(".//failure"))
if nfail != j["failed"]:
    out.append("junit has %d failures, json %d" % (nfail, j["failed"]))
print(b["first"]["reproduce"])
print(b["first"]["log"])
print("\n".join(out) if out else "ok")
PY
$PYTHON "$tmp/check.py" "$tmp/b" >"$tmp/c.out" 2>&1
repro=$(sed -n 1p "$tmp/c.out")
log=$(sed -n 2p "$tmp/c.out")
res=$(sed -n '3,$p' "$tmp/c.out")
if [ "$res" = ok ]; then ok buckets_waves_lockstep_junit; else bad buckets_waves_lockstep_junit "$res"; fi

# The bucket's reproduce line fails the same way.
# shellcheck disable=SC2086
$repro >"$tmp/r.out" 2>&1
rc=$?
if [ "$rc" -eq 1 ] && [ -n "$(grep '^FAIL: ' "$log")" ] &&
  [ "$(grep '^FAIL: ' "$tmp/r.out")" = "$(grep '^FAIL: ' "$log")" ]; then
  ok reproduce_line
else
  bad reproduce_line "'$repro' exit $rc: $(grep '^FAIL: ' "$tmp/r.out") vs $(grep '^FAIL: ' "$log")"
fi

# The same jobs on the real RTL pass.
"$GOOD" regress $TESTS --seeds 2 --seed 1 -j 2 --out "$tmp/g" >"$tmp/g.out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then ok real_rtl_passes; else bad real_rtl_passes "exit $rc: $(tail -3 "$tmp/g.out")"; fi

echo
echo "regress_broken: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
