#!/bin/sh
# MNIST end to end: the ONNX model zoo's MNIST CNN (mnist-12.onnx, float32) on the 10,000
# MNIST test images on the host evaluator; the same model quantized by `neocog quantize`
# (per-channel, calibrated on the first 1,000 images) on cpu, reported on the other 9,000
# and on all 10,000; then the int8 network on the cycle-accurate RTL (RTL_IMAGES images,
# default all 10,000): cycles per image, PE utilization, wall time. Accuracies and cycles
# are exact; throughputs are wall clock, single thread pinned to core 0 (loaded machines
# give lower figures). The same quantized model is then written as an ONNX model
# (QOperator form) and run as a graph: on cpu, and on the RTL directly (its QLinearConv,
# MaxPool and MatMulInteger nodes lowered to the accelerator, the rest on the host).
# ONNX_ONLY=1 runs only that part. Reads the real data from ../shared/data relative to the repository
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
if [ "${ONNX_ONLY:-0}" != 1 ]; then
  run $N classify "$DATA/mnist-12.onnx" --images "$IM" --labels "$LB"
  run $N classify "$DATA/mnist-12.onnx" --images "$IM" --labels "$LB" --skip 1000 --quiet
  run $N quantize "$DATA/mnist-12.onnx" --calib "$IM" --limit 1000 --per-channel -o "$tmp/mnist_int8.net"
  run $N classify "$tmp/mnist_int8.net" --images "$IM" --labels "$LB" --batch 100
  run $N classify "$tmp/mnist_int8.net" --images "$IM" --labels "$LB" --batch 100 --skip 1000 --quiet
  run $N classify "$tmp/mnist_int8.net" --images "$IM" --labels "$LB" --batch 100 --limit "$RTL_IMAGES" --backend rtl
fi
# Entropy (KL) calibration instead of min/max, on the 9,000 it was not calibrated on.
run $N quantize "$DATA/mnist-12.onnx" --calib "$IM" --limit 1000 --per-channel --method entropy -o "$tmp/mnist_kl.net"
run $N classify "$tmp/mnist_kl.net" --images "$IM" --labels "$LB" --batch 100 --skip 1000 --quiet
# The quantized model as ONNX, run as a graph.
run $N quantize "$DATA/mnist-12.onnx" --calib "$IM" --limit 1000 --per-channel -o "$tmp/mnist_int8.onnx"
run $N classify "$tmp/mnist_int8.onnx" --images "$IM" --labels "$LB" --batch 100
run $N classify "$tmp/mnist_int8.onnx" --images "$IM" --labels "$LB" --batch 100 --skip 1000 --quiet
run $N classify "$tmp/mnist_int8.onnx" --images "$IM" --labels "$LB" --batch 100 --limit "$RTL_IMAGES" --backend rtl
# One batch of 100 through neocog run on the RTL: where each node ran, its cycles.
python3 - "$IM" "$tmp/x100.npy" <<'PY'
import gzip, struct, sys
d = gzip.open(sys.argv[1]).read()[16:16 + 100 * 784]
h = "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 1, 28, 28), }"
h = h + ' ' * (118 - len(h)) + '\n'
with open(sys.argv[2], 'wb') as f:
    f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode())
    f.write(struct.pack('<%df' % len(d), *[float(b) for b in d]))
PY
echo "\$ taskset -c 0 neocog run mnist_int8.onnx --input x100.npy --output y.npy --backend rtl"
$N run "$tmp/mnist_int8.onnx" --input "$tmp/x100.npy" --output "$tmp/y.npy" --backend rtl | sed "s|$tmp/||g"
