# tests/: the C suite (Criterion), built twice: optimized and under ASan+UBSan; the OpenCL
# suite on POCL (not sanitized: POCL's LLVM JIT and ASan do not mix). testkit/ (programs,
# workloads and the lecture's data shared with the benches and tools) is header-only.

TEST_SRC := $(sort $(wildcard tests/*.c tests/host/*.c tests/cli/*.c tests/plan/*.c))
TEST_SRC += $(sort $(wildcard tests/model/*.c tests/driver/*.c tests/sim/*.c))
OCL_TEST_SRC := $(sort $(wildcard tests/opencl/*.c))
TESTS := $(BUILD)/tests/neocog_tests
TESTS_SAN := $(BUILD)/tests/neocog_tests_san
OCL_TESTS := $(BUILD)/tests/neocog_ocl_tests

$(TESTS): $(call obj,rel,$(TEST_SRC)) $(LAYER_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

$(TESTS_SAN): $(call obj,san,$(TEST_SRC)) $(LAYER_LIBS_SAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $^ -lcriterion $(LDLIBS) -o $@

$(OCL_TESTS): $(call obj,rel,$(OCL_TEST_SRC)) $(LAYER_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

# Tests of the build's own checkers (mk/check_layers.py, mk/check_rtl_manifest.py); run by
# tests/rtl/run.sh with the RTL benches, as scripts that print the same summary line.
TEST_SCRIPTS := tests/mk/check_layers_test.sh
# make install into a scratch PREFIX, the examples built outside the tree with pkg-config and
# run on the model and the RTL, the shared library's exports, make uninstall.
TEST_SCRIPTS += tests/install/install_test.sh

# Another array size end to end, in the default build only (a configured build's whole suite
# already runs at its size): the CLI for CHECK_CONFIG built into $(BUILD)/CHECK_CONFIG as
# make ROWS=.. COLS=.. builds it, then the ConvNet on cpu, rtl and lockstep, byte for byte
# (tests/config/config_test.sh). make check-config runs it alone.
CHECK_CONFIG ?= 8x8
ifeq ($(NC_CONFIG),)
TEST_SCRIPTS += tests/config/config_test.sh
endif

.PHONY: check-config
check-config:
	@BUILD="$(BUILD)" CONFIG="$(CHECK_CONFIG)" JOBS="$(JOBS)" sh tests/config/config_test.sh
