#!/bin/sh
# Runs the whole test suite and ends with one line "N passed, N failed" that
# counts every test of every part:
#   - the C suite twice, optimized and under ASan+UBSan (Criterion);
#   - the OpenCL suite on POCL, if OCL_TESTS names its runner (Criterion,
#     not sanitized: POCL's LLVM JIT and ASan do not mix);
#   - the neocog OpenCL ICD's runners named in ICD_TESTS (Criterion);
#   - the RTL benches named in RTL_TBS (tests/rtl/run.sh);
#   - each fuzz target's corpus replayed once under ASan+UBSan, if
#     FUZZ_REPLAY names the replay drivers (one test per target).
set -u
BUILD=${1:-build}
total_pass=0
total_fail=0
status=0

add_() { # pass fail rc
  total_pass=$((total_pass + $1))
  total_fail=$((total_fail + $2))
  if [ "$3" -ne 0 ] || [ "$2" -ne 0 ]; then status=1; fi
}

criterion_suite() { # label exe cli
  echo "== $1: $2"
  log=$(mktemp)
  # The CLI tests drive the binary built the same way as the suite.
  NEOCOG_BIN=$3 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$2" -j2 >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(grep 'Synthesis: Tested:' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "$1: no summary from the runner (exit $rc)"
    add_ 0 1 1
    return
  fi
  pass=$(echo "$line" | sed 's/.*Passing: \([0-9]*\).*/\1/')
  fail=$(echo "$line" | sed 's/.*Failing: \([0-9]*\).*/\1/')
  crash=$(echo "$line" | sed 's/.*Crashing: \([0-9]*\).*/\1/')
  add_ "$pass" $((fail + crash)) "$rc"
}

criterion_suite "host tests (-O3)" "$BUILD/tests/neocog_tests" \
  "$BUILD/bin/neocog"
criterion_suite "host tests (ASan+UBSan)" "$BUILD/tests/neocog_tests_san" \
  "$BUILD/bin/neocog_san"
if [ -n "${OCL_TESTS:-}" ]; then
  # Compiled kernels are cached per build tree, not in the user's cache.
  NEOCOG_CL_CACHE=${NEOCOG_CL_CACHE:-$BUILD/cl-cache}
  export NEOCOG_CL_CACHE
  criterion_suite "OpenCL tests (POCL)" "$OCL_TESTS" "$BUILD/bin/neocog"
fi
if [ -n "${ICD_TESTS:-}" ]; then
  # The ICD through the system's loader: each runner points OCL_ICD_VENDORS at
  # its own build of the ICD (optimized, or its code under ASan+UBSan).
  for t in $ICD_TESTS; do
    criterion_suite "OpenCL ICD tests" "$t" "$BUILD/bin/neocog"
  done
fi
if [ -n "${RTL_TBS:-}" ]; then
  echo "== RTL benches"
  log=$(mktemp)
  # shellcheck disable=SC2086
  sh tests/rtl/run.sh $RTL_TBS >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(tail -n 1 "$log")
  rm -f "$log"
  case "$line" in
  *" passed, "*" failed")
    add_ "${line%% passed*}" "$(echo "$line" | sed 's/.* \([0-9]*\) failed$/\1/')" "$rc" ;;
  *) echo "RTL benches: no summary (exit $rc)"; add_ 0 1 1 ;;
  esac
fi

if [ -n "${FUZZ_REPLAY:-}" ]; then
  echo "== fuzz corpora (ASan+UBSan)"
  for r in $FUZZ_REPLAY; do
    t=${r##*/replay_}
    if ASAN_OPTIONS=detect_leaks=1 "$r" "fuzz/corpus/$t"; then
      add_ 1 0 0
    else
      echo "$r: FAILED on fuzz/corpus/$t"
      add_ 0 1 1
    fi
  done
fi

echo
echo "$total_pass passed, $total_fail failed"
exit $status
