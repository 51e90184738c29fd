#!/bin/sh
# CPU time of two bench_rtl builds, run alternately: each run pinned to core 0, its CPU time
# taken from perf's task-clock (the time the process ran, not the time it waited for a core),
# medians and the median of the per-round ratios. On a loaded VM the wall-clock rates of
# bench/rtl_compare.sh scatter by 15% between rounds, since the bench waits for the core
# most of the time; the CPU time of one run varies by a few percent. The runs are whole
# `bench_rtl /nonexistent` processes: the five conv streams and the GEMM folds, as
# bench/rtl_instructions.sh counts them.
#
# Usage: sh bench/rtl_cpu_compare.sh OLD_BENCH_RTL NEW_BENCH_RTL [ROUNDS]
#   e.g. git worktree add /tmp/old cb50fdc && make -C /tmp/old build/bench/bench_rtl &&
#        sh bench/rtl_cpu_compare.sh /tmp/old/build/bench/bench_rtl build/bench/bench_rtl 21
# (needs perf: apt-get install linux-perf)
set -eu
if [ $# -lt 2 ]; then
  echo "usage: sh bench/rtl_cpu_compare.sh OLD_BENCH_RTL NEW_BENCH_RTL [ROUNDS]" >&2
  exit 2
fi
old=$1
new=$2
rounds=${3:-21}
case $rounds in
  '' | *[!0-9]*) echo "rtl_cpu_compare: ROUNDS must be a number, not '$rounds'" >&2; exit 2 ;;
esac
for b in "$old" "$new"; do
  [ -x "$b" ] || { echo "rtl_cpu_compare: not an executable: $b" >&2; exit 2; }
done
command -v perf >/dev/null 2>&1 ||
  { echo "rtl_cpu_compare: needs perf (apt-get install linux-perf)" >&2; exit 1; }

cpu_ms() { # binary -> milliseconds of CPU time of one run
  perf stat -e task-clock -x, taskset -c 0 "$1" /nonexistent 2>&1 >/dev/null |
    awk -F, '/task-clock/ { print $1 }'
}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
i=0
while [ "$i" -lt "$rounds" ]; do
  printf '%s %s\n' "$(cpu_ms "$old")" "$(cpu_ms "$new")" >>"$tmp"
  i=$((i + 1))
done
if awk 'NF != 2 || $1 !~ /^[0-9.]+$/ || $2 !~ /^[0-9.]+$/ { bad = 1 } END { exit !bad }' "$tmp"; then
  echo "rtl_cpu_compare: perf gave no task-clock figure (perf_event_paranoid?)" >&2
  exit 1
fi
med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
o=$(awk '{ print $1 }' "$tmp" | med)
n=$(awk '{ print $2 }' "$tmp" | med)
r=$(awk '{ printf "%.4f\n", $1 / $2 }' "$tmp" | med)
echo "CPU time per run of bench_rtl /nonexistent, $rounds alternating pinned rounds (ms, medians):"
printf '  %-12s %8.2f   %s\n' old "$o" "$old"
printf '  %-12s %8.2f   %s\n' new "$n" "$new"
printf '  speed ratio new / old: %.3f (median of the rounds; ratio of the medians %.3f)\n' "$r" \
  "$(awk -v o="$o" -v n="$n" 'BEGIN { print o / n }')"
