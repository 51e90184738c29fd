#!/bin/sh
# The lecture's ConvNet through the CLI: `--backend rtl` against `--backend opencl
# --cl-platform neocog --cl-device rtl` (the neocog ICD through the system's loader), run
# alternately N times (default 5), pinned to core 0; prints the median wall and CPU
# (user + system) seconds of each and the OpenCL path's overhead. The outputs must be equal
# byte for byte.
#   sh bench/icd_cli.sh [N]     (BUILD=build)
set -eu
BUILD=${BUILD:-build}
n=${1:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin="$BUILD/bin/neocog"
export OCL_ICD_VENDORS="$(pwd)/$BUILD/icd/vendors"
run() { # label args...
  label=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$tmp/t" taskset -c 0 "$bin" run nets/convnet.net --seed 1 \
    "$@" >/dev/null
  awk -v l="$label" '{print l, $1, $2 + $3}' "$tmp/t" >>"$tmp/all"
}
i=0
while [ "$i" -lt "$n" ]; do
  run rtl --backend rtl --output "$tmp/rtl.npy"
  run opencl --backend opencl --cl-platform neocog --cl-device rtl --output "$tmp/cl.npy"
  i=$((i + 1))
done
cmp "$tmp/rtl.npy" "$tmp/cl.npy"
med() { # label column
  awk -v l="$1" -v c="$2" '$1 == l {print $c}' "$tmp/all" | sort -g |
    awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}
rw=$(med rtl 2) rc=$(med rtl 3) ow=$(med opencl 2) oc=$(med opencl 3)
echo "icd_cli: ConvNet, $n runs each, alternating, taskset -c 0; outputs identical"
echo "  --backend rtl                                 wall $rw s, CPU $rc s (medians)"
echo "  --backend opencl --cl-platform neocog (rtl)   wall $ow s, CPU $oc s"
awk -v rw="$rw" -v rc="$rc" -v ow="$ow" -v oc="$oc" 'BEGIN {
  printf "  OpenCL path overhead: %+.1f%% wall, %+.1f%% CPU\n", 100 * (ow - rw) / rw,
    100 * (oc - rc) / rc }'
