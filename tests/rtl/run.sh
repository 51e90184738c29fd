#!/bin/sh
# Runs RTL benches (one executable per module and parameter set) and ends with one line
# "N passed, N failed" that counts the tests of all of them. A bench that dies without its
# own summary line counts as one failure. NEOCOG_SEED, when set, is passed on to every bench.
set -u
total_pass=0
total_fail=0
status=0

for tb in "$@"; do
  log=$(mktemp)
  "$tb" >"$log" 2>&1
  rc=$?
  cat "$log"
  line=$(grep -E '^[^ ]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
  rm -f "$log"
  if [ -z "$line" ]; then
    echo "$tb: no summary line (exit $rc)"
    total_fail=$((total_fail + 1))
    status=1
    continue
  fi
  pass=$(echo "$line" | sed 's/.*: \([0-9]*\) passed.*/\1/')
  fail=$(echo "$line" | sed 's/.* \([0-9]*\) failed$/\1/')
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  if [ "$rc" -ne 0 ] || [ "$fail" -ne 0 ]; then status=1; fi
done

echo
echo "$total_pass passed, $total_fail failed"
exit $status
