#!/bin/sh
# MNIST end to end: the ONNX model zoo's MNIST CNN (mnist-12.onnx, float32) on the 10,000
# MNIST test images on the host evaluator; the same model quantized by `neocog quantize`
# (per-channel, calibrated on the first 1,000 images) on cpu, reported on the other 9,000
# and on all 10,000; then the int8 network on the cycle-accurate RTL (RTL_IMAGES images,
# default all 10,000): cycles per image, PE utilization, wall time. Accuracies and cycles
# are exact; throughputs are wall clock, single thread pinned to core 0 (loaded machines
# give lower figures). Reads the real data from ../shared/data relative to the repository
# (DATA overrides it) and says so when it is absent.
#
# Usage: sh bench/onnx_mnist.sh
set -eu
BUILD=${BUILD:-build}
DATA=${DATA:-../shared/data}
RTL_IMAGES=${RTL_IMAGES:-10000}
for f in mnist-12.onnx t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  if [ ! -f "$DATA/$f" ]; then
    echo "onnx_mnist: skipped: $DATA/$f is not here (the real data is not part of the repository)"
    exit 0
  fi
done
make -s --no-print-directory BUILD="$BUILD" "$BUILD/bin/neocog"
N="taskset -c 0 $BUILD/bin/neocog"
IM="$DATA/t10k-images-idx3-ubyte.gz"
LB="$DATA/t10k-labels-idx1-ubyte.gz"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
run() { # label, command...: the command and its summary lines
  echo "\$ $*" | sed "s|$DATA/||g; s|$tmp/||g; s|taskset -c 0 $BUILD/bin/|taskset -c 0 |"
  "$@" | grep -v '^ *[0-9]' | grep -v '^confusion'
}
run $N classify "$DATA/mnist-12.onnx" --images "$IM" --labels "$LB"
run $N classify "$DATA/mnist-12.onnx" --images "$IM" --labels "$LB" --skip 1000 --quiet
run $N quantize "$DATA/mnist-12.onnx" --calib "$IM" --limit 1000 --per-channel -o "$tmp/mnist_int8.net"
run $N classify "$tmp/mnist_int8.net" --images "$IM" --labels "$LB" --batch 100
run $N classify "$tmp/mnist_int8.net" --images "$IM" --labels "$LB" --batch 100 --skip 1000 --quiet
run $N classify "$tmp/mnist_int8.net" --images "$IM" --labels "$LB" --batch 100 --limit "$RTL_IMAGES" --backend rtl
