#!/bin/sh
# Another array size end to end (make check-config; make test runs it in the default build):
# the CLI built for CONFIG (ROWSxCOLS, default 8x8) in its own build directory,
# $BUILD/CONFIG, exactly as `make ROWS=.. COLS=..` builds it (regenerated package and header,
# profile-guided RTL model); then the lecture's ConvNet (nets/convnet.net, --seed 1) planned
# for that array and run on the golden reference, the RTL and lockstep (RTL and functional
# model compared at every stop). The three outputs and the default build's golden output
# must be byte for byte equal, and the CLI must report the configured array.
# Ends with the "name: N passed, N failed" line of tests/rtl/run.sh.
set -u
BUILD=${BUILD:-build}
CONFIG=${CONFIG:-8x8}
JOBS=${JOBS:-2}
rows=${CONFIG%x*}
cols=${CONFIG#*x}
out="$BUILD/$CONFIG"
bin="$out/bin/neocog"
name="config($CONFIG)"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS $name.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL $name.$1: $2"; }
finish() {
  echo "$name: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
  exit
}

start=$(date +%s)
if make -s --no-print-directory -j"$JOBS" ROWS="$rows" COLS="$cols" BUILD="$out" "$bin" \
    >"$tmp/build.log" 2>&1; then
  ok "build ($(($(date +%s) - start)) s)"
else
  bad build "$(tail -5 "$tmp/build.log")"
  finish
fi

if "$bin" --version 2>&1 | grep -q "accelerator: .* $CONFIG array,"; then
  ok version_names_the_array
else
  bad version_names_the_array "$("$bin" --version 2>&1 | grep accelerator)"
fi

for be in cpu rtl lockstep; do
  if "$bin" run nets/convnet.net --seed 1 --backend "$be" --output "$tmp/$be.npy" \
      --stats "$tmp/$be.json" >"$tmp/$be.log" 2>&1; then
    ok "convnet_$be"
  else
    bad "convnet_$be" "$(tail -3 "$tmp/$be.log")"
  fi
done
# The accelerator runs say which array they ran on, in the summary and in the statistics.
for be in rtl lockstep; do
  if grep -q "PE utilization .* of the $CONFIG array; every layer matches golden" \
      "$tmp/$be.log" && grep -q "\"array\": \"$CONFIG\"" "$tmp/$be.json"; then
    ok "${be}_reports_$CONFIG"
  else
    bad "${be}_reports_$CONFIG" "$(tail -1 "$tmp/$be.log")"
  fi
done
for be in rtl lockstep; do
  if [ -s "$tmp/$be.npy" ] && cmp -s "$tmp/cpu.npy" "$tmp/$be.npy"; then
    ok "${be}_output_is_golden"
  else
    bad "${be}_output_is_golden" "$be.npy differs from cpu.npy (or is missing)"
  fi
done
# The golden reference does not depend on the array: the default build's gives the same bytes.
if [ -x "$BUILD/bin/neocog" ]; then
  if "$BUILD/bin/neocog" run nets/convnet.net --seed 1 --output "$tmp/default.npy" --quiet \
      >"$tmp/default.log" 2>&1 && cmp -s "$tmp/cpu.npy" "$tmp/default.npy"; then
    ok golden_matches_the_default_build
  else
    bad golden_matches_the_default_build "$(tail -2 "$tmp/default.log")"
  fi
fi
echo "$name: $(grep -o '[0-9]* cycles (predicted [0-9]*), PE utilization [0-9.]*%' \
  "$tmp/rtl.log") on rtl"
finish
