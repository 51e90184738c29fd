#!/bin/sh
# Installs the Debian packages neocog needs, only those that are missing.
# Runs `apt-get update` once, and only when something has to be installed.
#   mk/deps.sh             what building and `make test` need
#   mk/deps.sh --fuzz      those and clang with libFuzzer and llvm-cov, for
#                          `make fuzz` and `make fuzz-cov`
#   mk/deps.sh --cluster   those and what the regression's cluster runs need (GNU
#                          parallel, Slurm and munge: make regress-cluster, regress-slurm)
set -eu

# OpenCL: ocl-icd-opencl-dev is the ICD loader (libOpenCL) that the OpenCL runner, the neocog
# ICD's tests and its example link; opencl-c-headers has CL/cl.h and CL/cl_icd.h (the ICD's
# dispatch table); pocl-opencl-icd is the CPU platform; clinfo lists platforms (the ICD's
# loader test runs it).
PKGS="build-essential python3 verilator libsystemc-dev ocl-icd-opencl-dev
opencl-c-headers pocl-opencl-icd clinfo libdnnl-dev libclblast-dev
protobuf-c-compiler libprotobuf-c-dev libonnx-dev zlib1g-dev libcriterion-dev pkgconf lcov"
case "${1:-}" in
  --fuzz) PKGS="$PKGS clang libclang-rt-dev llvm" ;;
  --cluster) PKGS="$PKGS parallel slurm-wlm munge" ;;
  "") ;;
  *) echo "deps: unknown option $1 (--fuzz, --cluster)" >&2; exit 2 ;;
esac

missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  echo "deps: all $(echo $PKGS | wc -w) packages present"
  exit 0
fi

echo "deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
