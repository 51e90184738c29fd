# neocog top-level build.
#
#   make demo    install missing Debian packages, build, run the lecture's ConvNet
#   make test    install missing Debian packages, build, run the whole suite
#   make         build the library, the CLI, the tests and the benchmarks
#   make bench   run the benchmarks (single thread, pinned to core 0)
#
# Outputs go to $(BUILD)/ only: bin/neocog, lib/libneocog.a, tests/, bench/.

BUILD ?= build
CC ?= cc
# Warnings are errors; the library is C11 with POSIX.1-2008.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
CPPFLAGS := -Ihost/include -I. -D_POSIX_C_SOURCE=200809L
# Model and driver (issue 4): public headers, and nc_hw.h generated from hw/data.
CPPFLAGS += -Isim/model/include -Idriver/include -Ihw/include
CFLAGS_REL := -std=c11 -O3 -g $(WARN) -MMD -MP
# Sanitized build for the test suite: AddressSanitizer + UBSan, no recovery.
CFLAGS_SAN := -std=c11 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) -MMD -MP
LDLIBS := -lm

HOST_SRC := $(sort $(wildcard host/*.c))
HOST_SRC += $(sort $(wildcard sim/model/*.c driver/*.c))
CLI_SRC := $(sort $(wildcard host/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c tests/host/*.c tests/cli/*.c))
TEST_SRC += $(sort $(wildcard tests/model/*.c tests/driver/*.c tests/sim/*.c))
# --- planner (issue 4) ---
# host/plan*.c and host/accel.c come in through HOST_SRC (host/*.c); the
# planner's tests (tests/plan/) join the suite here.
TEST_SRC += $(sort $(wildcard tests/plan/*.c))
# --- end planner (issue 4) ---
BENCH_SRC := $(sort $(wildcard bench/*.c))

obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

LIB := $(BUILD)/lib/libneocog.a
LIB_SAN := $(BUILD)/lib/libneocog_san.a
BIN := $(BUILD)/bin/neocog
BIN_SAN := $(BUILD)/bin/neocog_san
TESTS := $(BUILD)/tests/neocog_tests
TESTS_SAN := $(BUILD)/tests/neocog_tests_san
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all build deps demo test check bench format clean
.DEFAULT_GOAL := all

all: $(LIB) $(BIN) $(TESTS) $(TESTS_SAN) $(BIN_SAN) $(BENCHES)
build: all

deps:
	@sh mk/deps.sh

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -c $< -o $@

$(LIB): $(call obj,rel,$(HOST_SRC))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIB_SAN): $(call obj,san,$(HOST_SRC))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(call obj,rel,$(CLI_SRC)) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

$(BIN_SAN): $(call obj,san,$(CLI_SRC)) $(LIB_SAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $^ $(LDLIBS) -o $@

$(TESTS): $(call obj,rel,$(TEST_SRC)) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

$(TESTS_SAN): $(call obj,san,$(TEST_SRC)) $(LIB_SAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $^ -lcriterion $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/rel/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

# The two commands the README gives. Each installs what is missing first.
demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) info nets/convnet.net
	$(BIN) run nets/convnet.net --seed 1 --backend cpu \
	  --output $(BUILD)/demo_convnet_out.npy

# The suite: C tests (optimized and sanitized), the RTL lint, generated-file
# check and benches, and the OpenCL tests on POCL; one summary line at the end.
TEST_ENV = RTL_TBS="$(RTL_TEST_BINS)" OCL_TESTS="$(OCL_TESTS)"

test: deps
	@$(MAKE) --no-print-directory all hw-check rtl-lint $(RTL_TEST_BINS)
	@$(TEST_ENV) sh tests/run.sh $(BUILD)

# The suite without installing anything. RTL_TEST_BINS is complete only once the whole Makefile
# is read, so the benches are built from the recipe, as for test.
check:
	@$(MAKE) --no-print-directory all hw-check rtl-lint $(RTL_TEST_BINS)
	@$(TEST_ENV) sh tests/run.sh $(BUILD)

bench: $(BENCHES)
	@sh bench/run.sh $(BUILD)

format:
	clang-format -i $(HOST_SRC) $(CLI_SRC) $(TEST_SRC) $(BENCH_SRC) \
	  $(wildcard tests/opencl/*.c) $(wildcard host/*.h host/cli/*.h \
	  host/include/neocog/*.h sim/model/*.h sim/model/include/neocog/*.h \
	  driver/*.h driver/include/neocog/*.h tests/*.h tests/*/*.h)

clean:
	rm -rf $(BUILD)

# --- OpenCL (issue 5) ---
# Kernels are embedded into the library (mk/embed.py -> $(BUILD)/gen), so a
# binary finds them from any directory. libneocog then needs the ICD loader.
CL_SRC := kernels/common.cl $(filter-out kernels/common.cl,$(sort $(wildcard kernels/*.cl)))
CL_GEN := $(BUILD)/gen/kernels_cl.c
OCL_TEST_SRC := $(sort $(wildcard tests/opencl/*.c))
OCL_TESTS := $(BUILD)/tests/neocog_ocl_tests
LDLIBS += -lOpenCL

$(CL_GEN): mk/embed.py $(CL_SRC)
	@mkdir -p $(@D)
	python3 mk/embed.py $@ $(CL_SRC)

$(BUILD)/rel/gen/kernels_cl.o: $(CL_GEN)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -c $< -o $@

$(BUILD)/san/gen/kernels_cl.o: $(CL_GEN)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -c $< -o $@

$(LIB): $(BUILD)/rel/gen/kernels_cl.o
$(LIB_SAN): $(BUILD)/san/gen/kernels_cl.o

# Not sanitized: POCL's LLVM JIT and ASan do not mix.
$(OCL_TESTS): $(call obj,rel,$(OCL_TEST_SRC)) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

# The OpenCL benchmark runs oneDNN and CLBlast as peers.
$(BUILD)/bench/bench_ocl: LDLIBS += -ldnnl -lclblast

all: $(OCL_TESTS)
# --- end OpenCL (issue 5) ---


# --- RTL (issue 3) ---
# hw/data/neocog.json is the one source of the configuration, the register map and the
# instruction encoding; hw/gen/regtool.py writes hw/rtl/nc_pkg.sv, hw/include/neocog/nc_hw.h
# and docs/isa.md from it. Every RTL build first regenerates them into a temporary directory
# and compares (hw-check), so a stale or hand-edited copy stops the build with the diff.
#
#   make hw-gen     regenerate the package, the C header and docs/isa.md in place
#   make hw-check   fail if a committed copy differs from what the data file generates
#   make rtl-lint   verilator --lint-only -Wall, assertions included, each module as top
#   make rtl-test   build the benches (the array for every shape in RTL_SIZES, the
#                   instruction checkers) and run them all
#
# Verilator builds go to $(BUILD)/rtl/<ROWS>x<COLS>/ (model compiled with OPT_FAST=-O2).
PYTHON ?= python3
VERILATOR ?= verilator
RTL_BUILD := $(BUILD)/rtl
HW_DATA := hw/data/neocog.json
HW_GEN := hw/gen/regtool.py
HW_GEN_OUT := hw/rtl/nc_pkg.sv hw/include/neocog/nc_hw.h docs/isa.md
RTL_SRC := hw/rtl/nc_pkg.sv $(filter-out hw/rtl/nc_pkg.sv,$(sort $(wildcard hw/rtl/*.sv)))
RTL_MODULES := $(basename $(notdir $(filter-out hw/rtl/nc_pkg.sv,$(RTL_SRC))))
# Array shapes the bench sweeps, ROWSxCOLS; each one is a separate Verilator build.
RTL_SIZES ?= 4x4 8x8 16x16 4x8
RTL_VFLAGS := --assert -Wall --x-assign fast --x-initial fast
RTL_MKFLAGS := OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2
rtl_rows = $(word 1,$(subst x, ,$(1)))
rtl_cols = $(word 2,$(subst x, ,$(1)))
RTL_ARRAY_TBS := $(foreach s,$(RTL_SIZES),$(RTL_BUILD)/$(s)/array_tb)
RTL_LINT_STAMPS := $(patsubst %,$(RTL_BUILD)/lint/%.ok,$(RTL_MODULES))

.PHONY: hw-gen hw-check rtl-lint rtl-test

hw-gen:
	$(PYTHON) $(HW_GEN)

hw-check: $(RTL_BUILD)/hw-check.ok

# The generated C header must also compile alone under the project's C warnings, and as C++
# (the Verilator benches include it). hw/gen/test_regtool.py tests the generator itself.
$(RTL_BUILD)/hw-check.ok: $(HW_DATA) $(HW_GEN) $(HW_GEN_OUT) hw/gen/test_regtool.py
	@mkdir -p $(@D)
	$(PYTHON) $(HW_GEN) --check
	$(PYTHON) hw/gen/test_regtool.py
	$(CC) -std=c11 $(WARN) -pedantic -fsyntax-only -x c hw/include/neocog/nc_hw.h
	$(CXX) -std=c++17 $(filter-out -Wstrict-prototypes -Wvla,$(WARN)) -pedantic -fsyntax-only \
	  -x c++ hw/include/neocog/nc_hw.h
	@touch $@

rtl-lint: $(RTL_LINT_STAMPS)

$(RTL_BUILD)/lint/%.ok: $(RTL_SRC) $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --lint-only $(RTL_VFLAGS) --top-module $* $(RTL_SRC)
	@touch $@

$(RTL_BUILD)/%/array_tb: $(RTL_SRC) tests/rtl/array_tb.cpp tests/rtl/tb_util.h \
    $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_systolic_array \
	  -GNumRows=$(call rtl_rows,$*) -GNumCols=$(call rtl_cols,$*) \
	  -CFLAGS "-I$(CURDIR) -DNC_ROWS=$(call rtl_rows,$*) -DNC_COLS=$(call rtl_cols,$*)" \
	  -Mdir $(@D) -o array_tb $(RTL_SRC) $(CURDIR)/tests/rtl/array_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_systolic_array.mk $(RTL_MKFLAGS)

# The SystemVerilog and C instruction checkers, both generated, must agree.
RTL_INSN_TB := $(RTL_BUILD)/insn_check/insn_check_tb
$(RTL_INSN_TB): hw/rtl/nc_pkg.sv hw/include/neocog/nc_hw.h tests/rtl/nc_insn_check_tb.sv \
    tests/rtl/insn_check_tb.cpp $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_insn_check_tb -CFLAGS "-I$(CURDIR)" \
	  -Mdir $(@D) -o insn_check_tb hw/rtl/nc_pkg.sv $(CURDIR)/tests/rtl/nc_insn_check_tb.sv \
	  $(CURDIR)/tests/rtl/insn_check_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_insn_check_tb.mk $(RTL_MKFLAGS)

# A row of PEs (nc_pe_row): one PE on its own and a row of five, each as an inner row and as the
# top row of the array (sums start at zero). The directory names the variant: inner1, first5, ...
RTL_PE_VARIANTS := inner1 first1 inner5 first5
RTL_PE_TBS := $(foreach v,$(RTL_PE_VARIANTS),$(RTL_BUILD)/pe/$(v)/pe_tb)
rtl_pe_first = $(if $(filter first%,$(1)),1,0)
rtl_pe_cols = $(patsubst first%,%,$(patsubst inner%,%,$(1)))
$(RTL_BUILD)/pe/%/pe_tb: hw/rtl/nc_pkg.sv hw/rtl/nc_pe_row.sv tests/rtl/pe_tb.cpp \
    tests/rtl/tb_util.h $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_pe_row \
	  -GNumCols=$(call rtl_pe_cols,$*) "-GFirstRow=1'b$(call rtl_pe_first,$*)" \
	  -CFLAGS "-I$(CURDIR) -DNC_COLS=$(call rtl_pe_cols,$*) -DNC_FIRST_ROW=$(call rtl_pe_first,$*)" \
	  -Mdir $(@D) -o pe_tb \
	  $(CURDIR)/hw/rtl/nc_pkg.sv $(CURDIR)/hw/rtl/nc_pe_row.sv $(CURDIR)/tests/rtl/pe_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_pe_row.mk $(RTL_MKFLAGS)

# The AXI register slice (tests/rtl/slice_tb.cpp) at a 20-bit payload.
RTL_SLICE_TB := $(RTL_BUILD)/slice/slice_tb
$(RTL_SLICE_TB): hw/rtl/nc_reg_slice.sv hw/rtl/nc_hold_watch.sv tests/rtl/slice_tb.cpp \
    tests/rtl/tb_util.h
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_reg_slice -GWidth=20 \
	  -CFLAGS "-I$(CURDIR)" -Mdir $(@D) -o slice_tb \
	  $(CURDIR)/hw/rtl/nc_reg_slice.sv $(CURDIR)/hw/rtl/nc_hold_watch.sv \
	  $(CURDIR)/tests/rtl/slice_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_reg_slice.mk $(RTL_MKFLAGS)

# The hold-rule watcher and nc_implies (tests/rtl/hold_tb.cpp) against the SVA properties they
# stand for.
RTL_HOLD_TB := $(RTL_BUILD)/hold/hold_tb
$(RTL_HOLD_TB): hw/rtl/nc_hold_watch.sv hw/rtl/nc_implies.sv tests/rtl/nc_hold_watch_tb.sv \
    tests/rtl/hold_tb.cpp \
    tests/rtl/tb_util.h
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_hold_watch_tb \
	  -CFLAGS "-I$(CURDIR)" -Mdir $(@D) -o hold_tb \
	  $(CURDIR)/hw/rtl/nc_hold_watch.sv $(CURDIR)/hw/rtl/nc_implies.sv \
	  $(CURDIR)/tests/rtl/nc_hold_watch_tb.sv $(CURDIR)/tests/rtl/hold_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_hold_watch_tb.mk $(RTL_MKFLAGS)

RTL_TEST_BINS := $(RTL_INSN_TB) $(RTL_PE_TBS) $(RTL_ARRAY_TBS) $(RTL_SLICE_TB) $(RTL_HOLD_TB)
# sim/rtl/check_sampled.py (which the model builds run) on two small Verilated tops: it must
# catch an assertion that samples input logic. A script: nothing to build.
RTL_TEST_BINS += tests/rtl/check_sampled_test.sh

# --- end RTL (issue 3) ---

# --- RTL units: load, store, DMA ---
# nc::AxiMem (sim/rtl/axi_mem.*), the C++ AXI4 slave memory of every RTL bench and of the
# harness, has a bench of its own without RTL.
DMA_BUILD := $(RTL_BUILD)/dma
DMA_AXI_MEM_TB := $(DMA_BUILD)/axi_mem_tb

$(DMA_AXI_MEM_TB): tests/rtl/axi_mem_tb.cpp sim/rtl/axi_mem.cpp sim/rtl/axi_mem.h \
    hw/include/neocog/nc_hw.h
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g $(filter-out -Wstrict-prototypes -Wvla,$(WARN)) -I. \
	  tests/rtl/axi_mem_tb.cpp sim/rtl/axi_mem.cpp -o $@

# The DMA bench: load unit, store unit and read multiplexer (tests/rtl/nc_dma_tb.sv) against
# nc::AxiMem and C++ references, swept over array shapes; the store path's golden values come
# from host/quant.c, linked in. The requantizer has a bench of its own for the corner cases a
# STORE cannot reach (a negative multiplier).
DMA_SIZES ?= 16x16 8x8 4x8
DMA_RTL_SRC := hw/rtl/nc_pkg.sv hw/rtl/nc_dma_rd.sv hw/rtl/nc_dma_wr.sv hw/rtl/nc_requant.sv \
  hw/rtl/nc_hold_watch.sv hw/rtl/nc_implies.sv hw/rtl/nc_load_unit.sv hw/rtl/nc_store_unit.sv \
  hw/rtl/nc_axi_rd_mux.sv tests/rtl/nc_dma_tb.sv
DMA_HOST_C := host/quant.c host/status.c host/tensor.c
DMA_HOST_OBJ := $(patsubst %.c,$(DMA_BUILD)/obj/%.o,$(DMA_HOST_C))
DMA_TBS := $(foreach s,$(DMA_SIZES),$(DMA_BUILD)/$(s)/dma_tb)
DMA_REQUANT_TB := $(DMA_BUILD)/requant/requant_tb

$(DMA_BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -c $< -o $@

$(DMA_BUILD)/%/dma_tb: $(DMA_RTL_SRC) tests/rtl/dma_tb.cpp tests/rtl/tb_util.h sim/rtl/axi_mem.cpp \
    sim/rtl/axi_mem.h $(DMA_HOST_OBJ) $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_dma_tb \
	  -GNumRows=$(call rtl_rows,$*) -GNumCols=$(call rtl_cols,$*) \
	  -CFLAGS "-I$(CURDIR) -I$(CURDIR)/host/include -DNC_ROWS=$(call rtl_rows,$*) \
	  -DNC_COLS=$(call rtl_cols,$*)" -LDFLAGS "$(addprefix $(CURDIR)/,$(DMA_HOST_OBJ)) -lm" \
	  -Mdir $(@D) -o dma_tb $(addprefix $(CURDIR)/,$(DMA_RTL_SRC)) \
	  $(CURDIR)/tests/rtl/dma_tb.cpp $(CURDIR)/sim/rtl/axi_mem.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_dma_tb.mk $(RTL_MKFLAGS)

$(DMA_REQUANT_TB): hw/rtl/nc_requant.sv tests/rtl/requant_tb.cpp tests/rtl/tb_util.h \
    $(DMA_HOST_OBJ) $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_requant \
	  -CFLAGS "-I$(CURDIR) -I$(CURDIR)/host/include" \
	  -LDFLAGS "$(addprefix $(CURDIR)/,$(DMA_HOST_OBJ)) -lm" \
	  -Mdir $(@D) -o requant_tb $(CURDIR)/hw/rtl/nc_requant.sv $(CURDIR)/tests/rtl/requant_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_requant.mk $(RTL_MKFLAGS)

RTL_TEST_BINS += $(DMA_AXI_MEM_TB) $(DMA_REQUANT_TB) $(DMA_TBS)
# --- end RTL units ---

# --- RTL core: command processor, CSRs, compute, memories, top ---
# Benches of the compute path (scratchpad + compute unit + accumulator, swept over array shapes
# like the array bench) and of the command processor with the CSRs. Each bench is built only
# from the sources it needs, so it does not depend on the other units' files.
#
#   make rtl-test   builds and runs them with the others (RTL_TEST_BINS)
CORE_SIZES ?= 16x16 8x8 4x8
CORE_ARRAY_SRC := hw/rtl/nc_pkg.sv hw/rtl/nc_delay.sv hw/rtl/nc_hold_watch.sv hw/rtl/nc_implies.sv \
  hw/rtl/nc_pe_row.sv hw/rtl/nc_systolic_array.sv
CORE_COMPUTE_SRC := $(CORE_ARRAY_SRC) hw/rtl/nc_spad.sv hw/rtl/nc_acc.sv hw/rtl/nc_compute_unit.sv \
  tests/rtl/nc_compute_tb.sv
CORE_COMPUTE_TBS := $(foreach s,$(CORE_SIZES),$(RTL_BUILD)/compute/$(s)/compute_tb)

$(RTL_BUILD)/compute/%/compute_tb: $(CORE_COMPUTE_SRC) tests/rtl/compute_tb.cpp tests/rtl/tb_util.h \
    $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_compute_tb \
	  -GNumRows=$(call rtl_rows,$*) -GNumCols=$(call rtl_cols,$*) \
	  -CFLAGS "-I$(CURDIR) -DNC_ROWS=$(call rtl_rows,$*) -DNC_COLS=$(call rtl_cols,$*)" \
	  -Mdir $(@D) -o compute_tb $(addprefix $(CURDIR)/,$(CORE_COMPUTE_SRC)) \
	  $(CURDIR)/tests/rtl/compute_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_compute_tb.mk $(RTL_MKFLAGS)

# The command processor bench compares with the functional model, linked in from its C sources.
CORE_CMDPROC_SRC := hw/rtl/nc_pkg.sv hw/rtl/nc_csr.sv hw/rtl/nc_hold_watch.sv hw/rtl/nc_implies.sv \
  hw/rtl/nc_cmd_proc.sv tests/rtl/nc_cmdproc_tb.sv
CORE_MODEL_C := sim/model/model.c sim/model/exec.c host/status.c host/quant.c host/tensor.c
CORE_CMDPROC_TB := $(RTL_BUILD)/cmdproc/cmdproc_tb
CORE_MODEL_OBJ := $(patsubst %.c,$(RTL_BUILD)/cmdproc/obj/%.o,$(CORE_MODEL_C))

$(RTL_BUILD)/cmdproc/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -c $< -o $@

$(CORE_CMDPROC_TB): $(CORE_CMDPROC_SRC) tests/rtl/cmdproc_tb.cpp tests/rtl/tb_util.h \
    $(CORE_MODEL_OBJ) $(RTL_BUILD)/hw-check.ok
	@mkdir -p $(@D)
	$(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module nc_cmdproc_tb \
	  -CFLAGS "-I$(CURDIR) -I$(CURDIR)/sim/model/include -I$(CURDIR)/host/include" \
	  -LDFLAGS "$(addprefix $(CURDIR)/,$(CORE_MODEL_OBJ)) -lm" \
	  -Mdir $(@D) -o cmdproc_tb $(addprefix $(CURDIR)/,$(CORE_CMDPROC_SRC)) \
	  $(CURDIR)/tests/rtl/cmdproc_tb.cpp
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_cmdproc_tb.mk $(RTL_MKFLAGS)

RTL_TEST_BINS += $(CORE_COMPUTE_TBS) $(CORE_CMDPROC_TB)
# --- end RTL core ---

# --- RTL simulation: harness, memory model, SystemC, coverage ---
# sim/rtl/harness.cpp wraps the Verilated nc_top (FST tracing compiled in, off unless asked
# for) and nc::AxiMem behind the C API of sim/rtl/include/neocog/rtl.h. Harness, memory model,
# Verilated model and Verilator runtime are linked into one relocatable object that goes into
# libneocog like any other object, so the driver's "rtl" and "lockstep" backends need nothing
# at link time but libstdc++ and zlib (FST). Without hw/rtl/nc_top.sv the library carries
# sim/rtl/harness_none.c instead, whose nc_rtl_create() answers NC_ERR_UNSUPPORTED, and the
# rtl tests skip.
#
#   make sim-rtl     the Verilated nc_top and the harness ($(BUILD)/sim/rtl_model.o), with
#                    profile feedback (below)
#   make sc-test     SystemC: nc_top under verilator --sc with a TLM-2.0 memory and CSR
#                    target runs the rtl workloads; results and cycle counts must equal the
#                    plain harness's
#   make coverage    line/toggle coverage of nc_top over the rtl tests (not part of make test)
CXX ?= c++
CPPFLAGS += -Isim/rtl/include
SIM_BUILD := $(BUILD)/sim
SIM_OBJ := $(SIM_BUILD)/rtl_model.o
SIM_VDIR := $(SIM_BUILD)/vtop
VL_ROOT := $(shell $(VERILATOR) --getenv VERILATOR_ROOT 2>/dev/null)
VL_INC := $(VL_ROOT)/include
# The Verilator runtime objects the model needs (FST writer, thread pool support).
VL_RT_OBJS := verilated.o verilated_fst_c.o verilated_threads.o
SIM_VFLAGS := --assert --x-assign fast --x-initial fast -Wno-fatal --trace-fst
SIM_VDEFS := -DVM_TRACE=1 -DVM_TRACE_FST=1 -DVM_SC=0 -DVM_COVERAGE=0
SIM_CXXFLAGS := -std=c++17 -O2 -g $(filter-out -Wstrict-prototypes -Wvla,$(WARN)) -MMD -MP \
  -I. -Isim/rtl/include -Ihost/include -Ihw/include
# Verilator's headers and generated code are not held to our warnings.
SIM_VINC = -isystem $(VL_INC) -isystem $(VL_INC)/vltstd -isystem $(1)
SIM_HAVE_TOP := $(wildcard hw/rtl/nc_top.sv)
SIM_AXI_SRC := $(wildcard sim/rtl/axi_mem.cpp)

.PHONY: sim-rtl sc-test coverage

ifneq ($(SIM_HAVE_TOP),)
sim-rtl: $(SIM_OBJ)

# The model is compiled with profile feedback from GCC: first instrumented
# ($(SIM_PGO)/vtop, -fprofile-generate), then nc_pgo_train (sim/rtl/pgo_train.c) runs a mix of
# programs on it, then the model is compiled again at -O2 with -fprofile-use. The profile only
# steers the compiler (branch layout, inlining), so the model computes exactly the same; on the
# bench it simulates about 10% faster. -fprofile-prefix-path keeps the profile's file
# names relative to each build directory, so the second build finds the first one's data.
SIM_PGO := $(SIM_BUILD)/pgo
SIM_PGO_VDIR := $(SIM_PGO)/vtop
SIM_PGO_DATA := $(abspath $(SIM_PGO))/profile
sim_pgo_flags = -fprofile-$(1)=$(SIM_PGO_DATA) -fprofile-prefix-path=$(abspath $(2))

$(SIM_PGO_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(RTL_BUILD)/hw-check.ok sim/rtl/check_sampled.py
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc $(SIM_VFLAGS) --top-module nc_top -Mdir $(@D) $(RTL_SRC)
	$(PYTHON) sim/rtl/check_sampled.py $(@D)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  OPT_FAST="-O2 $(call sim_pgo_flags,generate,$(@D)) -fprofile-update=single" \
	  Vnc_top__ALL.a $(VL_RT_OBJS)

$(SIM_PGO)/harness.o: sim/rtl/harness.cpp $(SIM_PGO_VDIR)/Vnc_top__ALL.a
	$(CXX) $(SIM_CXXFLAGS) $(SIM_VDEFS) $(call SIM_VINC,$(SIM_PGO_VDIR)) -c $< -o $@

$(SIM_PGO)/nc_pgo_train: $(BUILD)/rel/sim/rtl/pgo_train.o $(SIM_PGO)/harness.o \
    $(SIM_BUILD)/axi_mem.o $(SIM_PGO_VDIR)/Vnc_top__ALL.a $(call obj,rel,$(HOST_SRC)) \
    $(BUILD)/rel/gen/kernels_cl.o
	$(CC) $(CFLAGS_REL) -fprofile-generate $(filter %.o,$^) $(SIM_PGO_VDIR)/Vnc_top__ALL.a \
	  $(addprefix $(SIM_PGO_VDIR)/,$(VL_RT_OBJS)) -lcriterion $(LDLIBS) -o $@

# A fresh profile each time: GCC adds the counts of every run to the files it finds.
$(SIM_PGO)/profile.ok: $(SIM_PGO)/nc_pgo_train
	@rm -rf $(SIM_PGO_DATA)
	$(SIM_PGO)/nc_pgo_train
	@touch $@

$(SIM_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(RTL_BUILD)/hw-check.ok sim/rtl/check_sampled.py $(SIM_PGO)/profile.ok
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc $(SIM_VFLAGS) --top-module nc_top -Mdir $(@D) $(RTL_SRC)
	$(PYTHON) sim/rtl/check_sampled.py $(@D)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  OPT_FAST="-O2 $(call sim_pgo_flags,use,$(@D)) -fprofile-partial-training" \
	  Vnc_top__ALL.a $(VL_RT_OBJS)

$(SIM_BUILD)/harness.o: sim/rtl/harness.cpp $(SIM_VDIR)/Vnc_top__ALL.a
	@mkdir -p $(@D)
	$(CXX) $(SIM_CXXFLAGS) $(SIM_VDEFS) $(call SIM_VINC,$(SIM_VDIR)) -c $< -o $@

$(SIM_BUILD)/axi_mem.o: $(SIM_AXI_SRC)
	@mkdir -p $(@D)
	$(CXX) $(SIM_CXXFLAGS) -c $< -o $@

$(SIM_OBJ): $(SIM_BUILD)/harness.o $(SIM_BUILD)/axi_mem.o $(SIM_VDIR)/Vnc_top__ALL.a
	ld -r -o $@ $(SIM_BUILD)/harness.o $(SIM_BUILD)/axi_mem.o --whole-archive \
	  $(SIM_VDIR)/Vnc_top__ALL.a --no-whole-archive $(addprefix $(SIM_VDIR)/,$(VL_RT_OBJS))

$(LIB) $(LIB_SAN): $(SIM_OBJ)
LDLIBS += -lstdc++ -lz

# SystemC: the same RTL under verilator --sc (Debian's libsystemc-dev is found on the default
# paths; SYSTEMC_INCLUDE / SYSTEMC_LIBDIR override them, as for Verilator's own makefiles).
# nc_sc_gen runs the workloads on the plain harness and writes them with its results and
# counters to .ncw files; nc_sc_run runs those files in SystemC and compares.
SC_BUILD := $(BUILD)/systemc
SC_VDIR := $(SC_BUILD)/vtop
SC_VL_RT_OBJS := verilated.o verilated_threads.o
SC_INC := $(if $(SYSTEMC_INCLUDE),-isystem $(SYSTEMC_INCLUDE))
comma := ,
SC_LIBS := $(if $(SYSTEMC_LIBDIR),-L$(SYSTEMC_LIBDIR) -Wl$(comma)-rpath$(comma)$(SYSTEMC_LIBDIR)) \
  -lsystemc -lpthread
SC_WORKLOADS := lecture_conv gemm_64_int8 conv_stream

$(SC_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(RTL_BUILD)/hw-check.ok
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --sc $(filter-out --trace-fst,$(SIM_VFLAGS)) --top-module nc_top -Mdir $(@D) \
	  $(RTL_SRC)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  Vnc_top__ALL.a $(SC_VL_RT_OBJS)

$(SC_BUILD)/nc_sc_run: sim/systemc/nc_sc_run.cpp sim/systemc/ncw.h $(SC_VDIR)/Vnc_top__ALL.a \
    $(SIM_BUILD)/axi_mem.o
	$(CXX) $(SIM_CXXFLAGS) -DVM_SC=1 -DVM_TRACE=0 -DVM_COVERAGE=0 \
	  $(call SIM_VINC,$(SC_VDIR)) $(SC_INC) $< $(SIM_BUILD)/axi_mem.o $(SC_VDIR)/Vnc_top__ALL.a \
	  $(addprefix $(SC_VDIR)/,$(SC_VL_RT_OBJS)) $(SC_LIBS) -o $@

$(SC_BUILD)/nc_sc_gen: $(BUILD)/rel/sim/systemc/nc_sc_gen.o $(LIB)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

# Both steps as one bench of tests/rtl/run.sh (make test runs it with the other RTL benches).
$(SC_BUILD)/sc_test: $(SC_BUILD)/nc_sc_run $(SC_BUILD)/nc_sc_gen
	@printf '%s\n' '#!/bin/sh' '# Generated by make: the SystemC run against the plain harness.' \
	  'set -e' 'cd "$$(dirname "$$0")"' './nc_sc_gen .' \
	  'SYSC_DISABLE_COPYRIGHT_MESSAGE=1 exec ./nc_sc_run $(SC_WORKLOADS:%=%.ncw)' > $@
	@chmod +x $@

sc-test: $(SC_BUILD)/sc_test
	$(SC_BUILD)/sc_test

RTL_TEST_BINS += $(SC_BUILD)/sc_test

# Coverage: nc_top built again with --coverage (line, toggle, user points), the rtl tests
# linked against it; each device writes its points when destroyed (NEOCOG_RTL_COV_DIR), and
# verilator_coverage merges them. sim/rtl/cov_summary.py prints line and toggle percentages.
COV_BUILD := $(BUILD)/coverage
COV_VDIR := $(COV_BUILD)/vtop
COV_VL_RT_OBJS := verilated.o verilated_cov.o verilated_threads.o
COV_TEST_SRC := $(sort $(wildcard tests/sim/*.c)) tests/driver/test_driver_rtl.c

$(COV_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(RTL_BUILD)/hw-check.ok sim/rtl/check_sampled.py
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc --coverage $(filter-out --trace-fst,$(SIM_VFLAGS)) --top-module nc_top \
	  -Mdir $(@D) $(RTL_SRC)
	$(PYTHON) sim/rtl/check_sampled.py $(@D)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  Vnc_top__ALL.a $(COV_VL_RT_OBJS)

$(COV_BUILD)/harness.o: sim/rtl/harness.cpp $(COV_VDIR)/Vnc_top__ALL.a
	$(CXX) $(SIM_CXXFLAGS) -DVM_COVERAGE=1 -DVM_TRACE=0 -DVM_SC=0 \
	  $(call SIM_VINC,$(COV_VDIR)) -c $< -o $@

$(COV_BUILD)/rtl_model.o: $(COV_BUILD)/harness.o $(SIM_BUILD)/axi_mem.o $(COV_VDIR)/Vnc_top__ALL.a
	ld -r -o $@ $(COV_BUILD)/harness.o $(SIM_BUILD)/axi_mem.o --whole-archive \
	  $(COV_VDIR)/Vnc_top__ALL.a --no-whole-archive $(addprefix $(COV_VDIR)/,$(COV_VL_RT_OBJS))

# The coverage model comes first, so the archive's plain one is never pulled in.
$(COV_BUILD)/rtl_cov_tests: $(COV_BUILD)/rtl_model.o $(call obj,rel,$(COV_TEST_SRC)) $(LIB)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

coverage: $(COV_BUILD)/rtl_cov_tests
	@rm -rf $(COV_BUILD)/dat && mkdir -p $(COV_BUILD)/dat
	NEOCOG_RTL_COV_DIR=$(COV_BUILD)/dat $(COV_BUILD)/rtl_cov_tests -j2
	verilator_coverage -write $(COV_BUILD)/coverage.dat $(COV_BUILD)/dat/*.dat
	verilator_coverage --annotate $(COV_BUILD)/annotated $(COV_BUILD)/coverage.dat
	$(PYTHON) sim/rtl/cov_summary.py $(COV_BUILD)/coverage.dat
else
sim-rtl:
	@echo "sim-rtl: hw/rtl/nc_top.sv does not exist yet; libneocog carries the rtl stub"
$(LIB): $(BUILD)/rel/sim/rtl/harness_none.o
$(LIB_SAN): $(BUILD)/san/sim/rtl/harness_none.o
sc-test coverage:
	@echo "$@: hw/rtl/nc_top.sv does not exist yet"
endif

# The RTL benchmark reuses the tests' instruction builders (Criterion).
$(BUILD)/bench/bench_rtl: LDLIBS += -lcriterion
# --- end RTL simulation ---

# Every block above appends its benches to RTL_TEST_BINS.
rtl-test: $(RTL_TEST_BINS)
	@sh tests/rtl/run.sh $(RTL_TEST_BINS)


# --- model and driver (issue 4) ---
# The model benchmark reuses the tests' instruction builders (Criterion).
$(BUILD)/bench/bench_model: LDLIBS += -lcriterion
# sim/model/ (functional model) and driver/ (nc_dev_* API) compile into
# libneocog through HOST_SRC, and their tests into the suite through
# TEST_SRC; both lists are extended at the top, next to their definitions,
# because rule prerequisites expand when parsed.
# --- end model and driver (issue 4) ---


-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
