#!/bin/sh
# Installs the Debian packages neocog needs, only those that are missing.
# Runs `apt-get update` once, and only when something has to be installed.
#
#   sh mk/deps.sh           what make test needs
#   sh mk/deps.sh cluster   that and what the regression's cluster runs need (GNU parallel,
#                           Slurm and munge: make regress-cluster, make regress-slurm)
set -eu

PKGS="build-essential python3 verilator libsystemc-dev ocl-icd-opencl-dev
opencl-c-headers pocl-opencl-icd clinfo libdnnl-dev libclblast-dev
protobuf-c-compiler libprotobuf-c-dev libonnx-dev libcriterion-dev pkgconf"
if [ "${1:-}" = cluster ]; then
  PKGS="$PKGS parallel slurm-wlm munge"
fi

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
