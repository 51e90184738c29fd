#!/bin/sh
# Instructions per run of bench_rtl without SystemC (valgrind's cachegrind: exact and
# the same on every run, unlike wall time on a shared VM), for the model as make builds it
# (profile-guided) and for two variants built here at -O2 without profile feedback: the
# same flags, and the same without --assert and with NC_NO_ASSERT defined, which also drops the
# logic that only the assertions read (what the assertions cost). Each variant is
# the Makefile's own Verilator flags and sources, linked into a copy of libneocog in place
# of the model make built. Takes about 3 minutes on one core.
#
# With --profile it builds the -O2 variant with -g instead, runs it under callgrind and prints
# bench/rtl_profile.py's breakdown: instructions per simulated cycle by unit of nc_top, and what
# the assertion checks take (the figures of the README's "where the time goes").
#
# Usage: sh bench/rtl_instructions.sh [--profile]   (needs valgrind: apt-get install valgrind)
set -eu
BUILD=${BUILD:-build}
if ! command -v valgrind >/dev/null 2>&1; then
  echo "rtl_instructions: needs valgrind (apt-get install valgrind)" >&2
  exit 1
fi
mkvar() { make -s --no-print-directory BUILD="$BUILD" --eval="print-var: ; @echo \$($1)" print-var; }
make -s --no-print-directory BUILD="$BUILD" "$BUILD/bench/bench_rtl" "$BUILD/rel/bench/bench_rtl.o"
src=$(mkvar RTL_SRC)
vflags=$(mkvar SIM_VFLAGS)
vdefs=$(mkvar SIM_VDEFS)
cxxflags=$(mkvar SIM_CXXFLAGS)
rt=$(mkvar VL_RT_OBJS)
ldlibs="-lcriterion $(mkvar LDLIBS)"
verilator=$(mkvar VERILATOR)
vinc=$($verilator --getenv VERILATOR_ROOT)/include
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

variant() { # name verilator-flags [OPT_FAST]
  d="$tmp/$1"
  # shellcheck disable=SC2086
  $verilator --cc $2 --top-module nc_top -Mdir "$d" $src >/dev/null
  # shellcheck disable=SC2086
  make -s -C "$d" -f Vnc_top.mk OPT_FAST="${3:--O2}" OPT_SLOW=-O1 OPT_GLOBAL=-O2 Vnc_top__ALL.a $rt \
    >/dev/null 2>&1
  # shellcheck disable=SC2086
  ${CXX:-g++} $cxxflags $vdefs -isystem "$vinc" -isystem "$vinc/vltstd" -isystem "$d" \
    -c sim/rtl/harness.cpp -o "$d/harness.o"
  # shellcheck disable=SC2086
  ld -r -o "$d/rtl_model.o" "$d/harness.o" "$BUILD/sim/axi_mem.o" --whole-archive \
    "$d/Vnc_top__ALL.a" --no-whole-archive $(for o in $rt; do printf '%s ' "$d/$o"; done)
  cp "$BUILD/lib/libneocog.a" "$d/libneocog.a"
  ar r "$d/libneocog.a" "$d/rtl_model.o" 2>/dev/null
  # shellcheck disable=SC2086
  ${CC:-cc} "$BUILD/rel/bench/bench_rtl.o" "$d/libneocog.a" $ldlibs -o "$d/bench_rtl"
}

count() { # binary
  valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$1" /nonexistent \
    2>&1 | awk '/I +refs/ { print $NF }'
}

if [ "${1:-}" = "--profile" ]; then
  variant profile "$vflags" "-O2 -g"
  valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.out" "$tmp/profile/bench_rtl" \
    /nonexistent >/dev/null 2>&1
  ${PYTHON:-python3} bench/rtl_profile.py "$tmp/callgrind.out" "$tmp/profile"
  exit 0
elif [ $# -gt 0 ]; then
  echo "usage: sh bench/rtl_instructions.sh [--profile]" >&2
  exit 2
fi
variant plain "$vflags"
variant no-assert "$(printf '%s\n' "$vflags" | sed 's/--assert/+define+NC_NO_ASSERT/')"
echo "instructions per run of bench_rtl /nonexistent (five conv streams and the GEMM folds):"
printf '  %-44s %15s\n' "as make builds it (profile-guided)" "$(count "$BUILD/bench/bench_rtl")"
printf '  %-44s %15s\n' "-O2, no profile feedback" "$(count "$tmp/plain/bench_rtl")"
printf '  %-44s %15s\n' "-O2, no profile feedback, no assertions" "$(count "$tmp/no-assert/bench_rtl")"
