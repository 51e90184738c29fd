#!/bin/sh
# What coverage costs: the same regression job (random ISA programs on the RTL against the
# model, seed 1) on the plain neocog and on the coverage build (make regress-cov: nc_top with
# verilator --coverage and the cover points), each pinned to CPU 0, CPU seconds (user + sys)
# as the median of RUNS runs, and their ratio. Also: the ConvNet's cycle count on both builds
# (the cover points must not change it). Prints the CPU model and core count.
#
# Usage: sh bench/cov_cost.sh [ITEMS]   (default 4 programs per job; RUNS=3)
set -eu
BUILD=${BUILD:-build}
ITEMS=${1:-4}
RUNS=${RUNS:-3}
make -s --no-print-directory BUILD="$BUILD" regress-cov
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "isa_cost gen=isa backends=rtl smoke=1 items=$ITEMS" >"$tmp/list"
cpu() {  # median CPU seconds of RUNS runs of one job on neocog $1
  for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%U %S" -o "$tmp/t" taskset -c 0 "$1" regress --one isa_cost --seed 1 \
      --list "$tmp/list" >/dev/null
    awk '{ print $1 + $2 }' "$tmp/t"
  done | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
plain=$(cpu "$BUILD/bin/neocog")
cov=$(cpu "$BUILD/coverage/neocog")
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
echo "isa job ($ITEMS programs, seed 1), median of $RUNS: plain $plain s, coverage $cov s CPU" \
  "($(awk -v a="$cov" -v b="$plain" 'BEGIN { printf "%.1f", a / b }')x)"
for b in bin coverage; do
  NEOCOG_TIMEOUT_MS=3600000 "$BUILD/$b/neocog" run nets/convnet.net --seed 1 --backend rtl \
    --output "$tmp/o.npy" --stats "$tmp/s.json" >/dev/null
  echo "ConvNet on rtl, $b build: $(grep -o '"cycles": *[0-9]*' "$tmp/s.json" | tail -n 1 |
    sed 's/.*: *//') cycles"
done
