#!/bin/sh
# Runs the OpenCL test suite and benchmark on another machine's GPU, one
# that has an OpenCL driver (NVIDIA's ICD) but no package registry and maybe
# an older C library than this Debian 12 build.
#
#   sh bench/ocl_gpu.sh pack [BUILD] [DIR]   (here) builds DIR (default
#       BUILD/ocl-gpu, BUILD default build): the test runner, the CLI and
#       the benchmark, relinked to load their shared libraries from DIR/lib
#       through the dynamic loader carried in DIR/lib, with every library
#       they need copied there (the ICD loader libOpenCL.so.1, Criterion,
#       oneDNN, CLBlast, the C and C++ runtimes; about 60 MB), the network
#       files the CLI tests read, and this script.
#   sh DIR/ocl_gpu.sh run [--icd LIB] [--runs N]   (there) lists the devices,
#       runs the OpenCL suite and the benchmark on the default device (the
#       first GPU, else the first device; NEOCOG_CL_PLATFORM /
#       NEOCOG_CL_DEVICE select another): first with the kernels the host
#       picks for that device (on a GPU the local-memory tiled conv), then
#       with NEOCOG_CL_KERNEL=fast (the CPU-shaped register-tiled path) for
#       comparison. The ICD is the system's (/etc/OpenCL/vendors or
#       OCL_ICD_VENDORS) when there is one; --icd LIB names a vendor library
#       (e.g. /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1); otherwise
#       the script looks for libnvidia-opencl.so.1 itself.
#
# With the device tool: pack here, then run with carry ["build/ocl-gpu"]
# and the command `sh build/ocl-gpu/ocl_gpu.sh run`.
set -eu

usage() {
  echo "usage: ocl_gpu.sh pack [BUILD] [DIR] | run [--icd LIB] [--runs N]" >&2
  exit 2
}

pack() {
  build=${1:-build}
  out=${2:-$build/ocl-gpu}
  make -j2 --no-print-directory BUILD="$build" "$build/lib/libneocog.a" \
    "$build/tests/neocog_ocl_tests" "$build/bin/neocog"
  rm -rf "$out"
  mkdir -p "$out/bin" "$out/lib" "$out/nets"
  # The interpreter path is relative, resolved from the working directory:
  # `run` changes into DIR first, and every process (Criterion re-executes
  # its runner for each test, the CLI tests spawn bin/neocog) starts there.
  link="-Wl,--dynamic-linker=lib/ld-linux-x86-64.so.2"
  link="$link -Wl,-rpath,\$ORIGIN/../lib"
  cflags="-std=c11 -O3 -Ihost/include -I. -D_POSIX_C_SOURCE=200809L"
  # shellcheck disable=SC2086
  {
    cc $cflags -c bench/bench_ocl.c -o "$out/bench_ocl.o"
    cc "$out/bench_ocl.o" "$build/lib/libneocog.a" -lm -lOpenCL -ldnnl \
      -lclblast $link -o "$out/bin/bench_ocl"
    cc "$build"/rel/tests/opencl/*.o "$build/lib/libneocog.a" -lcriterion \
      -lm -lOpenCL $link -o "$out/bin/neocog_ocl_tests"
    cc "$build"/rel/host/cli/*.o "$build/lib/libneocog.a" -lm -lOpenCL \
      $link -o "$out/bin/neocog"
  }
  rm -f "$out/bench_ocl.o"
  strip "$out"/bin/*
  for b in "$out"/bin/*; do
    ldd "$b" | awk '/=> \//{print $3}'
  done | sort -u | while read -r lib; do
    cp -L "$lib" "$out/lib/"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$out/lib/"
  cp nets/*.net "$out/nets/"
  cp bench/ocl_gpu.sh "$out/ocl_gpu.sh"
  du -sh "$out"
}

# Writes a vendors directory naming `lib` and points OCL_ICD_VENDORS at it.
use_icd() {
  d=$(mktemp -d)
  echo "$1" >"$d/neocog-gpu.icd"
  OCL_ICD_VENDORS=$d
  export OCL_ICD_VENDORS
  echo "ICD: $1 (OCL_ICD_VENDORS=$d)"
}

run() {
  icd=""
  runs=11
  while [ $# -gt 0 ]; do
    case "$1" in
      --icd) [ $# -ge 2 ] || usage; icd=$2; shift 2 ;;
      --runs) [ $# -ge 2 ] || usage; runs=$2; shift 2 ;;
      *) usage ;;
    esac
  done
  cd "$(dirname "$0")"
  [ -x bin/neocog_ocl_tests ] || {
    echo "ocl_gpu.sh: no bin/ here: run 'ocl_gpu.sh pack' first" >&2
    exit 1
  }
  if [ -n "$icd" ]; then
    if [ ! -e "$icd" ]; then
      echo "ocl_gpu.sh: --icd $icd: no such file" >&2
      exit 1
    fi
    use_icd "$icd"
  elif [ -n "${OCL_ICD_VENDORS:-}" ]; then
    echo "ICD: OCL_ICD_VENDORS=$OCL_ICD_VENDORS"
  elif ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1; then
    echo "ICD: /etc/OpenCL/vendors:" \
      "$(cat /etc/OpenCL/vendors/*.icd | tr '\n' ' ')"
  else
    found=$( (
      ldconfig -p 2>/dev/null | awk '/libnvidia-opencl.so.1/{print $NF}'
      for d in /usr/lib/x86_64-linux-gnu /usr/lib64 /usr/local/nvidia/lib64 \
        /usr/lib/wsl/lib; do
        ls "$d/libnvidia-opencl.so.1" 2>/dev/null || true
      done
    ) | head -n 1)
    if [ -z "$found" ]; then
      echo "ocl_gpu.sh: no OpenCL ICD: no /etc/OpenCL/vendors, no" \
        "libnvidia-opencl.so.1; name one with --icd LIB" >&2
      exit 1
    fi
    use_icd "$found"
  fi
  NEOCOG_CL_CACHE=$(mktemp -d)
  export NEOCOG_CL_CACHE
  if command -v nvidia-smi >/dev/null 2>&1; then
    nvidia-smi -L || true
  fi
  status=0
  echo "== devices"
  bin/neocog devices || status=1
  echo "== OpenCL suite (default device)"
  NEOCOG_BIN=bin/neocog bin/neocog_ocl_tests -j2 || status=1
  echo "== benchmark, kernels as the host picks them"
  bin/bench_ocl --runs "$runs" || status=1
  echo "== benchmark, NEOCOG_CL_KERNEL=fast"
  NEOCOG_CL_KERNEL=fast bin/bench_ocl --runs "$runs" --no-peers || status=1
  exit $status
}

case "${1:-}" in
  pack) shift; pack "$@" ;;
  run) shift; run "$@" ;;
  *) usage ;;
esac
