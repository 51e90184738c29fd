#!/bin/sh
# The neocog ICD through the system's OpenCL ICD loader, end to end: clinfo lists the
# platform without an error through OCL_ICD_VENDORS; make install-icd into a scratch PREFIX
# writes a vendors file the loader follows, and make uninstall-icd removes it; neocog devices
# lists the platform; neocog run --backend opencl --cl-platform neocog runs the ConvNet on
# the model and the RTL byte for byte as --backend model/rtl do, and refuses a float32
# network with one error line; the example host program (examples/opencl/worked_conv) runs
# the lecture's convolution on POCL and on neocog and they agree.
# Ends with the "name: N passed, N failed" line of tests/rtl/run.sh.
set -u
BUILD=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "PASS icd.$1"; }
bad() { fail=$((fail + 1)); echo "FAIL icd.$1: $2"; }
bin="$BUILD/bin/neocog"
vendors="$(pwd)/$BUILD/icd/vendors"

# clinfo through the environment: the platform, both devices, no error anywhere.
if OCL_ICD_VENDORS="$vendors" clinfo >"$tmp/clinfo" 2>&1 &&
    grep -q "Platform Name *neocog" "$tmp/clinfo" &&
    grep -q "Device Name *neocog RTL (Verilator)" "$tmp/clinfo" &&
    grep -q "Built-in kernels *neocog.dnn.conv2d.int8;" "$tmp/clinfo" &&
    ! grep -v "Error Correction" "$tmp/clinfo" | grep -qi "error\|invalid"; then
  ok clinfo_clean
else
  bad clinfo_clean "$(grep -i "error\|invalid" "$tmp/clinfo" | head -3)"
fi

# A PREFIX install: the library and a vendors file naming it.
if make -s --no-print-directory BUILD="$BUILD" install-icd PREFIX="$tmp/usr" \
    ICD_VENDORS="$tmp/vendors" >"$tmp/log" 2>&1 &&
    [ "$(cat "$tmp/vendors/neocog.icd")" = "$tmp/usr/lib/libneocog_icd.so" ] &&
    OCL_ICD_VENDORS="$tmp/vendors" clinfo -l 2>&1 | grep -q "Platform #0: neocog"; then
  ok install_icd
else
  bad install_icd "$(tail -3 "$tmp/log")"
fi
# Only the loader's three entry points are exported.
if [ "$(nm -D --defined-only "$tmp/usr/lib/libneocog_icd.so" | awk '$2 == "T" {print $3}' |
    sed 's/@.*//' | sort | tr '\n' ' ')" = \
    "clGetExtensionFunctionAddress clGetPlatformInfo clIcdGetPlatformIDsKHR " ]; then
  ok exports
else
  bad exports "$(nm -D --defined-only "$tmp/usr/lib/libneocog_icd.so" | head -5)"
fi
make -s --no-print-directory BUILD="$BUILD" uninstall-icd PREFIX="$tmp/usr" \
  ICD_VENDORS="$tmp/vendors" >"$tmp/log" 2>&1
if [ ! -e "$tmp/vendors/neocog.icd" ] && [ ! -e "$tmp/usr/lib/libneocog_icd.so" ]; then
  ok uninstall_icd
else
  bad uninstall_icd "files left"
fi

# POCL (as the system registers it) next to neocog.
mkdir -p "$tmp/both"
cp /etc/OpenCL/vendors/*.icd "$tmp/both/" 2>/dev/null
cp "$vendors/neocog.icd" "$tmp/both/"
export OCL_ICD_VENDORS="$tmp/both"

if "$bin" devices >"$tmp/out" 2>&1 && grep -q "platform .*: neocog (OpenCL 1.2" "$tmp/out" &&
    grep -q "built-in kernels only (no compiler): neocog.dnn.conv2d.int8" "$tmp/out"; then
  ok cli_devices
else
  bad cli_devices "$(tail -3 "$tmp/out")"
fi

for dev in model rtl; do
  if "$bin" run nets/convnet.net --seed 1 --backend "$dev" --output "$tmp/$dev.npy" \
      >"$tmp/out" 2>&1 &&
      "$bin" run nets/convnet.net --seed 1 --backend opencl --cl-platform neocog \
        --cl-device "$dev" --output "$tmp/cl_$dev.npy" >"$tmp/out" 2>&1 &&
      grep -q "convnet on opencl" "$tmp/out" && cmp -s "$tmp/$dev.npy" "$tmp/cl_$dev.npy" &&
      grep -q "^conv1 .* built-in$" "$tmp/out" && grep -q "^pool1 .*(fused into conv1)$" "$tmp/out"; then
    ok "cli_convnet_opencl_$dev"
  else
    bad "cli_convnet_opencl_$dev" "$(tail -3 "$tmp/out")"
  fi
done

"$bin" run nets/convnet_fp32.net --seed 1 --backend opencl --cl-platform neocog \
  --output "$tmp/f.npy" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "int8 built-in kernels only" "$tmp/err" && [ ! -e "$tmp/f.npy" ]; then
  ok cli_float_refused
else
  bad cli_float_refused "exit $rc: $(cat "$tmp/err")"
fi

if "$BUILD/examples/opencl/worked_conv" >"$tmp/out" 2>&1 &&
    grep -q "1 OpenCL C and 2 built-in kernel runs agree" "$tmp/out"; then
  ok example_worked_conv
else
  bad example_worked_conv "$(tail -3 "$tmp/out")"
fi

echo "icd: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
