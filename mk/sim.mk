# sim/: the simulated accelerator. The functional model (sim/model), the Verilator harness
# around the RTL (sim/rtl: the Verilated nc_top and nc::AxiMem behind neocog/rtl.h) and the
# SystemC/TLM-2.0 wrapper (sim/systemc). Uses base.
#
#   make sim-rtl     the Verilated nc_top and the harness ($(BUILD)/sim/rtl_model.o), with
#                    profile feedback (below)
#   make sc-test     SystemC: nc_top under verilator --sc with a TLM-2.0 memory and CSR
#                    target runs the rtl workloads; results and cycle counts must equal the
#                    plain harness's
#   make coverage    line/toggle coverage of nc_top over the rtl tests (not part of make test)
#
# Harness, memory model, Verilated model and Verilator runtime are linked into one
# relocatable object (rtl_model.o) that goes into libnc_sim like any other object, so the
# driver's "rtl" and "lockstep" backends need nothing at link time but libstdc++ and zlib.
# Without hw/rtl/nc_top.sv the library carries sim/rtl/harness_none.c instead, whose
# nc_rtl_create() answers NC_ERR_UNSUPPORTED, and the rtl tests skip.

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
  $(CPPFLAGS)
# Verilator's headers and generated code are not held to our warnings.
SIM_VINC = -isystem $(VL_INC) -isystem $(VL_INC)/vltstd -isystem $(1)
SIM_HAVE_TOP := $(wildcard hw/rtl/nc_top.sv)

.PHONY: sim-rtl sc-test coverage

ifneq ($(SIM_HAVE_TOP),)
sim-rtl: $(SIM_OBJ)
SIM_RTL_OBJ := $(SIM_OBJ)
SIM_RTL_OBJ_SAN := $(SIM_OBJ)

# The model is compiled with profile feedback from GCC: first instrumented
# ($(SIM_PGO)/vtop, -fprofile-generate), then nc_pgo_train (tools/nc_pgo_train.c) runs a mix
# of programs on it, then the model is compiled again at -O2 with -fprofile-use. The profile
# only steers the compiler (branch layout, inlining), so the model computes exactly the same;
# on the bench it simulates about 10% faster. -fprofile-prefix-path keeps the profile's file
# names relative to each build directory, so the second build finds the first one's data.
SIM_PGO := $(SIM_BUILD)/pgo
SIM_PGO_VDIR := $(SIM_PGO)/vtop
SIM_PGO_DATA := $(abspath $(SIM_PGO))/profile
sim_pgo_flags = -fprofile-$(1)=$(SIM_PGO_DATA) -fprofile-prefix-path=$(abspath $(2))

$(SIM_PGO_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(HW_CHECK) sim/rtl/check_sampled.py
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc $(SIM_VFLAGS) --top-module nc_top -Mdir $(@D) $(RTL_SRC)
	$(PYTHON) sim/rtl/check_sampled.py $(@D)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  OPT_FAST="-O2 $(call sim_pgo_flags,generate,$(@D)) -fprofile-update=single" \
	  Vnc_top__ALL.a $(VL_RT_OBJS)

$(SIM_PGO)/harness.o: sim/rtl/harness.cpp $(SIM_PGO_VDIR)/Vnc_top__ALL.a
	$(CXX) $(SIM_CXXFLAGS) $(SIM_VDEFS) $(call SIM_VINC,$(SIM_PGO_VDIR)) -c $< -o $@

# The trainer links the instrumented model ahead of the layers above sim, and the model's
# own objects instead of libnc_sim (which is what the training builds).
$(SIM_PGO)/nc_pgo_train: $(BUILD)/rel/tools/nc_pgo_train.o $(SIM_PGO)/harness.o \
    $(SIM_BUILD)/axi_mem.o $(SIM_PGO_VDIR)/Vnc_top__ALL.a $(HOST_LIB) $(DRIVER_LIB) \
    $(call obj,rel,$(SIM_CORE_SRC)) $(SIM_MODEL_OBJ) $(BASE_LIB)
	$(CC) $(CFLAGS_REL) -fprofile-generate $(BUILD)/rel/tools/nc_pgo_train.o \
	  $(SIM_PGO)/harness.o $(SIM_BUILD)/axi_mem.o $(SIM_PGO_VDIR)/Vnc_top__ALL.a \
	  $(addprefix $(SIM_PGO_VDIR)/,$(VL_RT_OBJS)) $(HOST_LIB) $(DRIVER_LIB) \
	  $(call obj,rel,$(SIM_CORE_SRC)) $(SIM_MODEL_OBJ) $(BASE_LIB) $(LDLIBS) -o $@

# A fresh profile each time: GCC adds the counts of every run to the files it finds.
$(SIM_PGO)/profile.ok: $(SIM_PGO)/nc_pgo_train
	@rm -rf $(SIM_PGO_DATA)
	$(SIM_PGO)/nc_pgo_train
	@touch $@

$(SIM_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(HW_CHECK) sim/rtl/check_sampled.py $(SIM_PGO)/profile.ok
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc $(SIM_VFLAGS) --top-module nc_top -Mdir $(@D) $(RTL_SRC)
	$(PYTHON) sim/rtl/check_sampled.py $(@D)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  OPT_FAST="-O2 $(call sim_pgo_flags,use,$(@D)) -fprofile-partial-training" \
	  Vnc_top__ALL.a $(VL_RT_OBJS)

$(SIM_BUILD)/harness.o: sim/rtl/harness.cpp $(SIM_VDIR)/Vnc_top__ALL.a
	@mkdir -p $(@D)
	$(CXX) $(SIM_CXXFLAGS) $(SIM_VDEFS) $(call SIM_VINC,$(SIM_VDIR)) -c $< -o $@

$(SIM_BUILD)/axi_mem.o: sim/rtl/axi_mem.cpp | $(NC_HW_H)
	@mkdir -p $(@D)
	$(CXX) $(SIM_CXXFLAGS) -c $< -o $@

$(SIM_OBJ): $(SIM_BUILD)/harness.o $(SIM_BUILD)/axi_mem.o $(SIM_VDIR)/Vnc_top__ALL.a
	ld -r -o $@ $(SIM_BUILD)/harness.o $(SIM_BUILD)/axi_mem.o --whole-archive \
	  $(SIM_VDIR)/Vnc_top__ALL.a --no-whole-archive $(addprefix $(SIM_VDIR)/,$(VL_RT_OBJS))

# The same model, position-independent, for the shared libraries (libneocog.so, mk/install.mk;
# the OpenCL ICD, mk/icd.mk), with the static model's profile feedback, so that a run through
# either simulates as fast as the CLI's. The profile is an order-only prerequisite: a new
# training run (after any change to the layers above sim) does not rebuild this model; a
# change to the RTL does.
SIM_PIC := $(SIM_BUILD)/pic-model
SIM_PIC_VDIR := $(SIM_PIC)/vtop
# Without interposition the compiler inlines as it does for the static model, so the
# functions' control flow matches the profile.
SIM_PIC_FLAGS := -fPIC -fno-semantic-interposition
SIM_RTL_OBJ_PIC := $(SIM_PIC)/rtl_model.o

$(SIM_PIC_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(HW_CHECK) | $(SIM_PGO)/profile.ok
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc $(SIM_VFLAGS) --top-module nc_top -Mdir $(@D) $(RTL_SRC)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk \
	  OPT_FAST="-O2 $(SIM_PIC_FLAGS) $(call sim_pgo_flags,use,$(@D)) -fprofile-partial-training" \
	  OPT_SLOW="-O1 $(SIM_PIC_FLAGS)" OPT_GLOBAL="-O2 $(SIM_PIC_FLAGS)" Vnc_top__ALL.a \
	  $(VL_RT_OBJS)

$(SIM_PIC)/harness.o: sim/rtl/harness.cpp $(SIM_PIC_VDIR)/Vnc_top__ALL.a
	$(CXX) $(SIM_CXXFLAGS) -fPIC $(SIM_VDEFS) $(call SIM_VINC,$(SIM_PIC_VDIR)) -c $< -o $@

$(SIM_PIC)/axi_mem.o: sim/rtl/axi_mem.cpp | $(NC_HW_H)
	@mkdir -p $(@D)
	$(CXX) $(SIM_CXXFLAGS) -fPIC -c $< -o $@

$(SIM_RTL_OBJ_PIC): $(SIM_PIC)/harness.o $(SIM_PIC)/axi_mem.o $(SIM_PIC_VDIR)/Vnc_top__ALL.a
	ld -r -o $@ $(SIM_PIC)/harness.o $(SIM_PIC)/axi_mem.o --whole-archive \
	  $(SIM_PIC_VDIR)/Vnc_top__ALL.a --no-whole-archive $(addprefix $(SIM_PIC_VDIR)/,$(VL_RT_OBJS))

# SystemC: the same RTL under verilator --sc (Debian's libsystemc-dev is found on the default
# paths; SYSTEMC_INCLUDE / SYSTEMC_LIBDIR override them, as for Verilator's own makefiles).
# nc_sc_gen (tools/) runs the workloads on the plain harness and writes them with their
# results and counters to .ncw files; nc_sc_run runs those files in SystemC and compares.
SC_BUILD := $(BUILD)/systemc
SC_VDIR := $(SC_BUILD)/vtop
SC_VL_RT_OBJS := verilated.o verilated_threads.o
SC_INC := $(if $(SYSTEMC_INCLUDE),-isystem $(SYSTEMC_INCLUDE))
comma := ,
SC_LIBS := $(if $(SYSTEMC_LIBDIR),-L$(SYSTEMC_LIBDIR) -Wl$(comma)-rpath$(comma)$(SYSTEMC_LIBDIR)) \
  -lsystemc -lpthread
SC_WORKLOADS := lecture_conv gemm_64_int8 conv_stream

$(SC_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(HW_CHECK)
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --sc $(filter-out --trace-fst,$(SIM_VFLAGS)) --top-module nc_top -Mdir $(@D) \
	  $(RTL_SRC)
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  Vnc_top__ALL.a $(SC_VL_RT_OBJS)

# The SystemC platform offers itself as a device of neocog/sim.h (nc_sim_wrap), so it links
# the interface (sim/sim.c) and base, not the library's own devices.
$(SC_BUILD)/nc_sc_run: sim/systemc/nc_sc_run.cpp sim/systemc/include/neocog/ncw.h \
    $(SC_VDIR)/Vnc_top__ALL.a $(SIM_BUILD)/axi_mem.o $(BUILD)/rel/sim/sim.o $(BASE_LIB)
	$(CXX) $(SIM_CXXFLAGS) -DVM_SC=1 -DVM_TRACE=0 -DVM_COVERAGE=0 \
	  $(call SIM_VINC,$(SC_VDIR)) $(SC_INC) $< $(SIM_BUILD)/axi_mem.o $(SC_VDIR)/Vnc_top__ALL.a \
	  $(addprefix $(SC_VDIR)/,$(SC_VL_RT_OBJS)) $(BUILD)/rel/sim/sim.o $(BASE_LIB) $(SC_LIBS) -o $@

$(SC_BUILD)/nc_sc_gen: $(BUILD)/rel/tools/nc_sc_gen.o $(LAYER_LIBS)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

# Both steps as one bench of tests/rtl/run.sh (make test runs it with the other RTL benches).
$(SC_BUILD)/sc_test: $(SC_BUILD)/nc_sc_run $(SC_BUILD)/nc_sc_gen
	@printf '%s\n' '#!/bin/sh' '# Generated by make: the SystemC run against the plain harness.' \
	  'set -e' 'cd "$$(dirname "$$0")"' './nc_sc_gen .' \
	  'SYSC_DISABLE_COPYRIGHT_MESSAGE=1 exec ./nc_sc_run $(SC_WORKLOADS:%=%.ncw)' > $@
	@chmod +x $@

sc-test: $(SC_BUILD)/sc_test
	$(SC_BUILD)/sc_test

RTL_TEST_BINS += $(SC_BUILD)/sc_test

# Coverage: nc_top built again with --coverage (line, branch, toggle) and the RTL's functional
# cover points (`cover property`, compiled only with +define+NC_COVER, so the plain model has
# none), the rtl tests linked against it; each process writes the points of its devices
# (NEOCOG_RTL_COV_DIR, sim/rtl/harness.cpp), verilator_coverage merges them and
# `neocog regress --cov-report` prints the percentages, the cover points hit and the holes.
# The regression runs the same model in its own neocog (`make regress-cov`, mk/regress.mk).
COV_BUILD := $(BUILD)/coverage
COV_VDIR := $(COV_BUILD)/vtop
COV_VL_RT_OBJS := verilated.o verilated_cov.o verilated_threads.o
COV_TEST_SRC := $(sort $(wildcard tests/sim/*.c)) tests/driver/test_driver_rtl.c

$(COV_VDIR)/Vnc_top__ALL.a: $(RTL_SRC) $(HW_CHECK) sim/rtl/check_sampled.py
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc --coverage +define+NC_COVER $(filter-out --trace-fst,$(SIM_VFLAGS)) \
	  --top-module nc_top -Mdir $(@D) $(RTL_SRC)
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
$(COV_BUILD)/rtl_cov_tests: $(COV_BUILD)/rtl_model.o $(call obj,rel,$(COV_TEST_SRC)) \
    $(LAYER_LIBS)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

coverage: $(COV_BUILD)/rtl_cov_tests $(BIN)
	@rm -rf $(COV_BUILD)/dat && mkdir -p $(COV_BUILD)/dat
	NEOCOG_RTL_COV_DIR=$(COV_BUILD)/dat $(COV_BUILD)/rtl_cov_tests -j2
	verilator_coverage -write $(COV_BUILD)/coverage.dat $(COV_BUILD)/dat/*.dat
	verilator_coverage --annotate $(COV_BUILD)/annotated $(COV_BUILD)/coverage.dat
	$(BIN) regress --cov-report $(COV_BUILD)/coverage.dat --cov-dir $(COV_BUILD)/report
else
SIM_RTL_OBJ := $(BUILD)/rel/sim/rtl/harness_none.o
SIM_RTL_OBJ_SAN := $(BUILD)/san/sim/rtl/harness_none.o
SIM_RTL_OBJ_PIC := $(BUILD)/pic/sim/rtl/harness_none.o
sim-rtl:
	@echo "sim-rtl: hw/rtl/nc_top.sv is missing; libnc_sim carries the rtl stub"
sc-test coverage:
	@echo "$@: hw/rtl/nc_top.sv is missing"
endif

$(SIM_LIB): $(call obj,rel,$(SIM_CORE_SRC)) $(SIM_MODEL_OBJ) $(SIM_RTL_OBJ)
	@mkdir -p $(@D)
	$(call archive,$@,$^)

$(SIM_LIB_SAN): $(call obj,san,$(SIM_CORE_SRC) $(SIM_MODEL_SRC)) $(SIM_RTL_OBJ_SAN)
	@mkdir -p $(@D)
	$(call archive,$@,$^)
