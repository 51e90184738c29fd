#!/bin/sh
# Runs the C test suite twice, optimized and under ASan+UBSan, and ends with
# one line "N passed, N failed" that counts both runs.
set -u
BUILD=${1:-build}
total_pass=0
total_fail=0
status=0

run_suite() {
  label=$1
  exe=$2
  cli=$3
  echo "== $label: $exe"
  log=$(mktemp)
  # The CLI tests drive the binary built the same way as the suite.
  NEOCOG_BIN=$cli ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1 \
    "$exe" -j2 >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(grep 'Synthesis: Tested:' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "$label: no summary from the runner (exit $rc)"
    total_fail=$((total_fail + 1))
    status=1
    return
  fi
  pass=$(echo "$line" | sed 's/.*Passing: \([0-9]*\).*/\1/')
  fail=$(echo "$line" | sed 's/.*Failing: \([0-9]*\).*/\1/')
  crash=$(echo "$line" | sed 's/.*Crashing: \([0-9]*\).*/\1/')
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail + crash))
  if [ "$rc" -ne 0 ] || [ $((fail + crash)) -ne 0 ]; then status=1; fi
}

run_suite "host tests (-O3)" "$BUILD/tests/neocog_tests" "$BUILD/bin/neocog"
run_suite "host tests (ASan+UBSan)" "$BUILD/tests/neocog_tests_san" \
  "$BUILD/bin/neocog_san"

echo
echo "$total_pass passed, $total_fail failed"
exit $status
