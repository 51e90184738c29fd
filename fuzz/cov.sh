#!/bin/sh
# Line and branch coverage a fuzz target's corpus reaches (make fuzz-cov):
# fuzz/cov.sh BUILD_FUZZ TARGET. Replays the scratch corpus of the last
# `make fuzz` (BUILD_FUZZ/TARGET/corpus), or the committed one, through
# BUILD_FUZZ/cov_TARGET (clang source-based coverage) and prints llvm-cov's
# report for the sources the target is about.
set -eu
out=$1
t=$2
corpus=$out/$t/corpus
[ -d "$corpus" ] || corpus=fuzz/corpus/$t
case $t in
npy) files="host/npy.c" ;;
net) files="host/net.c host/spec.c" ;;
insn) files="sim/model/model.c sim/model/exec.c base/sched.c driver/drv.c" ;;
ocl_cache) files="host/ocl_cache.c host/sha256.c" ;;
*) files="" ;;
esac
dir=$out/cov/$t
rm -rf "$dir"
mkdir -p "$dir"
LLVM_PROFILE_FILE="$dir/%p.profraw" "$out/cov_$t" "$corpus" >/dev/null
llvm-profdata merge -sparse "$dir"/*.profraw -o "$dir/merged.profdata"
echo "== $t: $(ls "$corpus" | wc -l) inputs from $corpus"
# shellcheck disable=SC2086
llvm-cov report "$out/cov_$t" -instr-profile="$dir/merged.profdata" $files
