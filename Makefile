# neocog top-level build.
#
#   make demo    install missing Debian packages, build, run the lecture's ConvNet on the
#                golden CPU reference and on the cycle-accurate RTL
#   make test    install missing Debian packages, build, run the whole suite
#   make         build the libraries, the CLI, the tests and the benchmarks
#   make bench   run the benchmarks (single thread, pinned to core 0)
#   make install PREFIX=...   the CLI, the libraries, the headers and neocog.pc
#
# Outputs go to $(BUILD)/ only: bin/neocog, lib/ (one archive per layer, libneocog.a with all
# of them, libneocog.so), tests/, bench/, examples/, rtl/ and sim/ (Verilator builds). Each component has its
# fragment in mk/; mk/layers.mk says how the layers depend on each other.
#
#   make ROWS=8 COLS=8 [target]   the same for an 8x8 array, in build/8x8 (mk/config.mk)

include mk/config.mk
include mk/toolchain.mk
include mk/layers.mk
include mk/hw.mk
include mk/base.mk
include mk/sim.mk
include mk/driver.mk
include mk/onnx.mk
include mk/host.mk
include mk/cli.mk
include mk/tests.mk
include mk/bench.mk
include mk/examples.mk
include mk/install.mk
include mk/icd.mk
include mk/fuzz.mk
include mk/regress.mk
include mk/mutate.mk

.PHONY: all build deps demo test check check-layers bench format clean
.DEFAULT_GOAL := all

all: $(LAYER_LIBS) $(LIB) $(SHLIB) $(BIN) $(TESTS) $(TESTS_SAN) $(BIN_SAN) $(OCL_TESTS) \
  $(BENCHES) $(EXAMPLES) $(FUZZ_REPLAY) $(ICD_LIB) $(ICD_LIB_SAN) $(ICD_FILES) \
  $(ICD_TESTS) $(ICD_TESTS_SAN) $(ICD_EXAMPLE)
build: all

# Every layer in one archive, for programs outside the tree.
$(LIB): $(call obj,rel,$(BASE_SRC) $(SIM_CORE_SRC) $(SIM_MODEL_SRC) $(DRIVER_SRC)) $(SIM_RTL_OBJ) \
    $(HOST_OBJ)
	@mkdir -p $(@D)
	$(call archive,$@,$^)

deps:
	@sh mk/deps.sh

# The layering: includes and archive symbols (mk/check_layers.py).
check-layers: $(LAYER_LIBS)
	$(PYTHON) mk/check_layers.py $(LAYER_LIBS)

# The two commands the README gives. Each installs what is missing first.
DEMO_OUT := $(BUILD)/demo
demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	@mkdir -p $(DEMO_OUT)
	$(BIN) info nets/convnet.net
	$(BIN) run nets/convnet.net --seed 1 --backend cpu --output $(DEMO_OUT)/convnet_cpu.npy
	$(BIN) run nets/convnet.net --seed 1 --backend rtl --output $(DEMO_OUT)/convnet_rtl.npy
	@cmp $(DEMO_OUT)/convnet_cpu.npy $(DEMO_OUT)/convnet_rtl.npy && \
	  echo "demo: the RTL's output is byte for byte the golden reference's"
	@$(MAKE) --no-print-directory demo-mnist

# Real digits (when the MNIST data is in DEMO_DATA): the ONNX model zoo's MNIST CNN quantized
# to int8 on the first 1,000 test images, then the first 200 classified on the RTL, every
# layer checked against golden.
DEMO_DATA ?= ../shared/data
.PHONY: demo-mnist
demo-mnist: $(BIN)
	@mkdir -p $(DEMO_OUT)
	@if [ ! -f $(DEMO_DATA)/mnist-12.onnx ] || [ ! -f $(DEMO_DATA)/t10k-images-idx3-ubyte.gz ] || \
	    [ ! -f $(DEMO_DATA)/t10k-labels-idx1-ubyte.gz ]; then \
	  echo "demo: skipped real digits: no MNIST data in $(DEMO_DATA)"; exit 0; fi; \
	set -e; \
	echo "\$$ $(BIN) quantize mnist-12.onnx --calib t10k-images-idx3-ubyte.gz --limit 1000 --per-channel -o $(DEMO_OUT)/mnist_int8.net"; \
	$(BIN) quantize $(DEMO_DATA)/mnist-12.onnx --calib $(DEMO_DATA)/t10k-images-idx3-ubyte.gz \
	  --limit 1000 --per-channel -o $(DEMO_OUT)/mnist_int8.net; \
	echo "\$$ $(BIN) classify $(DEMO_OUT)/mnist_int8.net --images t10k-images-idx3-ubyte.gz --labels t10k-labels-idx1-ubyte.gz --limit 200 --batch 50 --backend rtl"; \
	$(BIN) classify $(DEMO_OUT)/mnist_int8.net --images $(DEMO_DATA)/t10k-images-idx3-ubyte.gz \
	  --labels $(DEMO_DATA)/t10k-labels-idx1-ubyte.gz --limit 200 --batch 50 --backend rtl

# The suite: layer checks, C tests (optimized and sanitized), the RTL lint, generated-file
# check and benches, and the OpenCL tests on POCL; one summary line at the end.
TEST_ENV = RTL_TBS="$(RTL_TEST_BINS) $(TEST_SCRIPTS)" OCL_TESTS="$(OCL_TESTS)" BUILD="$(BUILD)" \
  ICD_TESTS="$(ICD_TESTS) $(ICD_TESTS_SAN)" \
  CONFIG="$(CHECK_CONFIG)" JOBS="$(JOBS)" FUZZ_REPLAY="$(FUZZ_REPLAY)"

test: deps
	@$(MAKE) --no-print-directory check

# The suite without installing anything. The build uses every core (JOBS).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
check:
	@$(MAKE) --no-print-directory -j$(JOBS) all hw-check rtl-lint check-layers $(RTL_TEST_BINS)
	@$(TEST_ENV) sh tests/run.sh $(BUILD)

rtl-test: $(RTL_TEST_BINS)
	@sh tests/rtl/run.sh $(RTL_TEST_BINS)

bench: $(BENCHES)
	@sh bench/run.sh $(BUILD)

format:
	clang-format -i $(shell git ls-files '*.c' '*.h' | grep -v '^hw/include/\|^tests/rtl/\|^sim/rtl/')

clean:
	rm -rf $(BUILD)

# Other array sizes build below build/ (build/8x8, mk/config.mk): their dependencies are theirs.
-include $(shell find $(BUILD) -path '$(BUILD)/[0-9]*x[0-9]*' -prune -o -name '*.d' -print \
  2>/dev/null)
