#!/bin/sh
# Checks the build's structure checkers on trees made to break them: mk/check_layers.py must
# pass this tree and catch an include of a higher layer, an include of another component's
# private header and an archive that calls up a layer; mk/check_rtl_manifest.py must pass
# hw/rtl/manifest.mk and catch a missing use, a use of a higher level and a module file left
# out. Ends with the "name: N passed, N failed" line of tests/rtl/run.sh.
set -u
PYTHON=${PYTHON:-python3}
CC=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS check_layers.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL check_layers.$1: $2"; }

# expect NAME WANT-RC WANT-TEXT COMMAND...: the command exits WANT-RC and prints WANT-TEXT.
expect() {
  name=$1 want_rc=$2 want=$3
  shift 3
  "$@" >"$tmp/out" 2>&1
  rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    bad "$name" "exit $rc, want $want_rc: $(cat "$tmp/out")"
  elif [ -n "$want" ] && ! grep -qF -- "$want" "$tmp/out"; then
    bad "$name" "no '$want' in: $(cat "$tmp/out")"
  else
    ok "$name"
  fi
}

expect tree_passes 0 ", 0 problems" $PYTHON mk/check_layers.py

# A stand-in harness that lacks a function of the header it stands in for.
st="$tmp/stand"
mkdir -p "$st/sim/rtl/include/neocog"
printf 'int nc_rtl_a(void);\n/* nc_rtl_c(x) in a comment */\nint nc_rtl_b(int x);\n' \
  >"$st/sim/rtl/include/neocog/rtl.h"
printf 'int nc_rtl_a(void) {\n  return 0;\n}\n' >"$st/sim/rtl/harness_none.c"
expect stand_in_missing 1 "harness_none.c: does not define nc_rtl_b, which" \
  $PYTHON mk/check_layers.py --root "$st"
if grep -q nc_rtl_c "$tmp/out"; then
  bad stand_in_comment "a name in a comment counted as declared: $(cat "$tmp/out")"
else
  ok stand_in_comment
fi
printf 'int nc_rtl_b(int x) {\n  return x;\n}\n' >>"$st/sim/rtl/harness_none.c"
expect stand_in_complete 0 ", 0 problems" $PYTHON mk/check_layers.py --root "$st"

# A tree of three layers' files.
t="$tmp/tree"
mkdir -p "$t/base/include/neocog" "$t/host/include/neocog" "$t/driver"
echo '#include "neocog/tensor.h"' >"$t/base/include/neocog/quant.h"
echo 'int x;' >"$t/host/include/neocog/tensor.h"
echo 'int y;' >"$t/driver/drv_internal.h"
echo '#include "driver/drv_internal.h"' >"$t/host/accel.c"
expect upward_include 1 "base/include/neocog/quant.h:1: includes host/include/neocog/tensor.h of layer host" \
  $PYTHON mk/check_layers.py --root "$t"
expect private_include 1 "host/accel.c:1: includes driver/drv_internal.h, a private header of driver" \
  $PYTHON mk/check_layers.py --root "$t"

# Archives: base calls a function only host defines.
mkdir -p "$tmp/ar" "$tmp/empty"
printf 'int nc_host_fn(void);\nint nc_base_fn(void) { return nc_host_fn(); }\n' >"$tmp/ar/b.c"
printf 'int nc_base_fn(void);\nint nc_host_fn(void) { return 1; }\nint nc_h2(void) { return nc_base_fn(); }\n' \
  >"$tmp/ar/h.c"
$CC -c "$tmp/ar/b.c" -o "$tmp/ar/b.o" && $CC -c "$tmp/ar/h.c" -o "$tmp/ar/h.o" &&
  ar rcs "$tmp/ar/libnc_base.a" "$tmp/ar/b.o" && ar rcs "$tmp/ar/libnc_host.a" "$tmp/ar/h.o" ||
  bad archives_built "could not build the test archives"
expect upward_call 1 "libnc_base.a: uses nc_host_fn, defined in $tmp/ar/libnc_host.a" \
  $PYTHON mk/check_layers.py --root "$tmp/empty" "$tmp/ar/libnc_host.a" "$tmp/ar/libnc_base.a"
# The other way round (host calls base) is the layering.
printf 'int nc_base_fn(void) { return 2; }\n' >"$tmp/ar/b.c"
$CC -c "$tmp/ar/b.c" -o "$tmp/ar/b.o" && rm -f "$tmp/ar/libnc_base.a" &&
  ar rcs "$tmp/ar/libnc_base.a" "$tmp/ar/b.o"
expect downward_call 0 ", 0 problems" \
  $PYTHON mk/check_layers.py --root "$tmp/empty" "$tmp/ar/libnc_host.a" "$tmp/ar/libnc_base.a"

# The RTL manifest.
m=hw/rtl/manifest.mk
expect manifest_passes 0 "" $PYTHON mk/check_rtl_manifest.py $m hw/rtl
sed 's/^NC_RTL_USES_nc_compute_unit := nc_pkg nc_delay /NC_RTL_USES_nc_compute_unit := nc_pkg /' $m \
  >"$tmp/m1.mk"
expect manifest_missing_use 1 "nc_compute_unit: uses nc_delay, which its NC_RTL_USES_nc_compute_unit" \
  $PYTHON mk/check_rtl_manifest.py "$tmp/m1.mk" hw/rtl
sed 's/^NC_RTL_USES_nc_acc := nc_pkg$/NC_RTL_USES_nc_acc := nc_pkg nc_top/' $m >"$tmp/m2.mk"
expect manifest_level 1 "nc_acc (level 1) uses nc_top (level 4): not a lower level" \
  $PYTHON mk/check_rtl_manifest.py "$tmp/m2.mk" hw/rtl
sed 's/ nc_requant$//' $m >"$tmp/m3.mk"
expect manifest_file_left_out 1 "nc_requant: hw/rtl/nc_requant.sv is not in the manifest" \
  $PYTHON mk/check_rtl_manifest.py "$tmp/m3.mk" hw/rtl

echo "check_layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
