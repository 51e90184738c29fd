#!/bin/sh
# The MNIST CNN of the ONNX model zoo (mnist-12.onnx, float32) on the 10,000 MNIST test
# images through `neocog classify` on the host reference evaluator: top-1 and top-5
# accuracy (exact, the same on every machine) and throughput (wall clock, single thread
# pinned to core 0; loaded machines give lower figures). Reads the real data from
# ../shared/data relative to the repository (DATA overrides it) and says so when it is
# absent.
#
# Usage: sh bench/onnx_mnist.sh [LIMIT]
set -eu
BUILD=${BUILD:-build}
DATA=${DATA:-../shared/data}
limit=${1:-10000}
for f in mnist-12.onnx t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
  if [ ! -f "$DATA/$f" ]; then
    echo "onnx_mnist: skipped: $DATA/$f is not here (the real data is not part of the repository)"
    exit 0
  fi
done
make -s --no-print-directory BUILD="$BUILD" "$BUILD/bin/neocog"
echo "machine: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores"
echo "\$ taskset -c 0 $BUILD/bin/neocog classify mnist-12.onnx --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz --limit $limit"
taskset -c 0 "$BUILD/bin/neocog" classify "$DATA/mnist-12.onnx" \
  --images "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz" \
  --limit "$limit"
