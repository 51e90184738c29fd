#!/bin/sh
# Runs the benchmarks. Single-thread figures are pinned to core 0 so that
# runs on this shared 2-core machine are comparable; quote medians.
set -eu
BUILD=${1:-build}
echo "== golden CPU reference (taskset -c 0)"
taskset -c 0 "$BUILD/bench/bench_golden"
echo
echo "== OpenCL kernels vs oneDNN and CLBlast on the same device"
# Not pinned: POCL runs one thread per core, and so does oneDNN.
NEOCOG_CL_CACHE=${NEOCOG_CL_CACHE:-$BUILD/cl-cache} "$BUILD/bench/bench_ocl" --runs 11
echo
echo "== functional model of the accelerator (taskset -c 0)"
taskset -c 0 "$BUILD/bench/bench_model"
echo
echo "== planner: PE utilization, predicted vs measured cycles (taskset -c 0)"
taskset -c 0 "$BUILD/bench/bench_plan"
echo
echo "== instruction costs: model and planner replay vs RTL (taskset -c 0)"
taskset -c 0 "$BUILD/bench/bench_insn"
echo
echo "== planner on the RTL: ConvNet and AlexNet (taskset -c 0; every network:"
echo "   bench_plan --backend rtl --check, about 1.5 minutes here)"
taskset -c 0 "$BUILD/bench/bench_plan" --backend rtl --net convnet
taskset -c 0 "$BUILD/bench/bench_plan" --backend rtl --net alexnet
echo
echo "== OpenCL path to the accelerator: the ConvNet through the neocog ICD vs"
echo "   the runtime directly, same simulator build (taskset -c 0)"
taskset -c 0 "$BUILD/bench/bench_icd" rtl 5
taskset -c 0 "$BUILD/bench/bench_icd" model 11
BUILD="$BUILD" sh bench/icd_cli.sh 5
echo
echo "== RTL: simulation speed, GEMM folds vs SCALE-Sim (taskset -c 0)"
taskset -c 0 "$BUILD/bench/bench_rtl" "$BUILD"
echo
echo "== RTL: Verilator build time of nc_top (taskset -c 0)"
taskset -c 0 sh bench/rtl_build_time.sh
echo
echo "== RTL: instructions per bench run, with and without assertions (taskset -c 0)"
if command -v valgrind >/dev/null 2>&1; then
  BUILD="$BUILD" taskset -c 0 sh bench/rtl_instructions.sh
else
  echo "(skipped: needs valgrind)"
fi
