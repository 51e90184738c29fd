#!/bin/sh
# Times the Verilator builds of the whole accelerator (nc_top), the way the Makefile does
# them: Verilation, then the C++ build of the model with OPT_FAST=-O2 and the Verilator
# runtime, each for the plain harness model (--cc --trace-fst) and the SystemC model (--sc).
# Then the plain model the way make really builds it, with profile feedback: Verilation and
# an instrumented build, the training run (nc_pgo_train), Verilation and the final build
# (make's own rule, into a scratch BUILD directory; that includes compiling the host
# objects the training program links, which the library needs anyway).
# Builds into a temporary directory, one compiler job (run it pinned: taskset -c 0).
#
# Usage: sh bench/rtl_build_time.sh
set -eu
VERILATOR=${VERILATOR:-verilator}
if [ ! -f hw/rtl/nc_top.sv ]; then
  echo "rtl build time: hw/rtl/nc_top.sv does not exist yet"
  exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src="hw/rtl/nc_pkg.sv $(ls hw/rtl/*.sv | grep -v '^hw/rtl/nc_pkg.sv$' | tr '\n' ' ')"
flags="--assert --x-assign fast --x-initial fast -Wno-fatal --top-module nc_top"
now() { date +%s.%N; }

build() { # name verilator-mode-flags runtime-objects
  t0=$(now)
  # shellcheck disable=SC2086
  $VERILATOR $2 $flags -Mdir "$tmp/$1" $src >/dev/null
  t1=$(now)
  make -s -j1 -C "$tmp/$1" -f Vnc_top.mk OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2 \
    Vnc_top__ALL.a $3 >/dev/null
  t2=$(now)
  awk -v n="$1" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
    printf "  %-8s verilate %6.1f s   C++ build %6.1f s   total %6.1f s\n", n, b - a, c - b, c - a
  }'
}

echo "nc_top Verilator builds ($(getconf _NPROCESSORS_ONLN) cores here, one compiler job, pinned by the caller):"
build plain "--cc --trace-fst" "verilated.o verilated_fst_c.o verilated_threads.o"
build systemc "--sc" "verilated.o verilated_threads.o"

t0=$(now)
make -s -j1 --no-print-directory BUILD="$tmp/make" "$tmp/make/sim/rtl_model.o" >/dev/null
t1=$(now)
awk -v a="$t0" -v b="$t1" 'BEGIN {
  printf "  plain, as make builds it (profile-guided, host objects included): %6.1f s\n", b - a
}'
