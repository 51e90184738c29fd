#!/bin/sh
# Checks sim/rtl/check_sampled.py on real Verilator output: a top whose assertion samples a
# signal computed from its inputs must fail the check, naming the signal; the same top with
# the assertion over the inputs must pass; a directory without a model must fail. Ends with
# the "name: N passed, N failed" line of tests/rtl/run.sh.
set -u
VERILATOR=${VERILATOR:-verilator}
PYTHON=${PYTHON:-python3}
tb=tests/rtl/nc_check_sampled_tb.sv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS check_sampled.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL check_sampled.$1: $2"; }

for top in nc_cs_bad nc_cs_good; do
  if ! $VERILATOR --cc --assert -Wno-fatal --top-module $top -Mdir "$tmp/$top" $tb \
      >"$tmp/$top.log" 2>&1; then
    cat "$tmp/$top.log"
    bad "$top" "verilator failed"
  fi
done

if $PYTHON sim/rtl/check_sampled.py "$tmp/nc_cs_bad" >"$tmp/bad.out" 2>&1; then
  bad input_logic_sampled "passed a model whose assertion samples nc_cs_bad.take"
elif ! grep -q '^  nc_cs_bad\.take$' "$tmp/bad.out"; then
  bad input_logic_sampled "failed without naming nc_cs_bad.take: $(cat "$tmp/bad.out")"
else
  ok input_logic_sampled
fi

if $PYTHON sim/rtl/check_sampled.py "$tmp/nc_cs_good" >"$tmp/good.out" 2>&1; then
  ok inputs_sampled
else
  bad inputs_sampled "failed a model whose assertion samples the inputs: $(cat "$tmp/good.out")"
fi

mkdir -p "$tmp/empty"
if $PYTHON sim/rtl/check_sampled.py "$tmp/empty" >/dev/null 2>&1; then
  bad no_model "passed a directory without a model"
else
  ok no_model
fi

echo "check_sampled: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
