#!/bin/sh
# Plain-harness simulation speed of this checkout against another revision, measured the
# only way this shared VM allows: both bench_rtl binaries in one session, run alternately,
# each run pinned to core 0, medians and the median of the per-round ratios. The other
# revision is checked out into a temporary git worktree and built there (make's own rules,
# profile-guided model included: a few minutes); this checkout's build/ must be built.
#
# Usage: sh bench/rtl_compare.sh REV [ROUNDS]     (e.g. sh bench/rtl_compare.sh e717962 11)
set -eu
if [ $# -lt 1 ]; then
  echo "usage: sh bench/rtl_compare.sh REV [ROUNDS]" >&2
  exit 2
fi
rev=$1
rounds=${2:-11}
BUILD=${BUILD:-build}
case $rounds in
  '' | *[!0-9]*) echo "rtl_compare: ROUNDS must be a number, not '$rounds'" >&2; exit 2 ;;
esac
git rev-parse --verify --quiet "$rev^{commit}" >/dev/null ||
  { echo "rtl_compare: no such revision: $rev" >&2; exit 2; }
make -s --no-print-directory BUILD="$BUILD" "$BUILD/bench/bench_rtl"
tmp=$(mktemp -d)
cleanup() {
  git worktree remove --force "$tmp/src" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT
git worktree add --detach -q "$tmp/src" "$rev"
echo "building $rev in a scratch worktree ..."
make -s --no-print-directory -C "$tmp/src" BUILD="$tmp/build" "$tmp/build/bench/bench_rtl" \
  >"$tmp/build.log" 2>&1 || { tail -20 "$tmp/build.log"; exit 1; }

rate() { # binary -> simulated cycles/s of the plain harness (median of bench_rtl's 5 runs)
  taskset -c 0 "$1" /nonexistent | awk '/plain harness:/ { print $3 }'
}
i=0
: >"$tmp/rates"
while [ "$i" -lt "$rounds" ]; do
  printf '%s %s\n' "$(rate "$tmp/build/bench/bench_rtl")" "$(rate "$BUILD/bench/bench_rtl")" \
    >>"$tmp/rates"
  i=$((i + 1))
done
head=$(git rev-parse --short HEAD)
sort_med() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
old=$(awk '{ print $1 }' "$tmp/rates" | sort_med)
new=$(awk '{ print $2 }' "$tmp/rates" | sort_med)
ratio=$(awk '{ printf "%.4f\n", $2 / $1 }' "$tmp/rates" | sort_med)
echo "plain harness, conv tile stream, $rounds alternating rounds (simulated cycles/s, medians):"
printf '  %-12s %10.0f\n' "$rev" "$old"
printf '  %-12s %10.0f   (this checkout)\n' "$head" "$new"
printf '  ratio %s / %s: %.3f (median of the rounds)\n' "$head" "$rev" "$ratio"
