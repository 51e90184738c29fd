# regress/: the regression system (neocog/regress.h): the test list with its levels
# (regress/tests.list), the stimulus generators, the runner that spreads (test, seed) jobs
# over child processes, shards and machines, and its reports. The CLI links it:
# `neocog regress` (host/cli/cmd_regress.c).
#
#   make regress LEVEL=nightly [JOBS=N] [ARGS=...]   run a level (default smoke); every level
#                        but smoke first builds the array shapes its tests name (config=RxC)
#   make regress-shapes  only those builds (make ROWS=R COLS=C into $(BUILD)/RxC)
#   make regress-test    the runner against a deliberately broken RTL build: it must report
#                        it failing, bucketed, with a waveform, a lockstep rerun and a
#                        reproduce line (tests/regress/broken_rtl_test.sh)
#   make regress-cluster shards run by GNU parallel (regress/parallel.sh), merged
#   make regress-slurm   shards as a Slurm job array on a single-node Slurm started here on
#                        localhost and stopped at the end (tests/regress/slurm_test.sh)
#   make regress-cov     the coverage build of neocog ($(BUILD)/coverage/neocog) that
#                        `neocog regress LEVEL --cov` runs its jobs on
# The last two install GNU parallel, slurm-wlm and munge first (sh mk/deps.sh --cluster).
#
# `make test` runs the smoke level (tests/regress/smoke.sh) and the runner's own tests
# (tests/regress/runner_test.sh) with the other script tests.

REGRESS_SRC := $(sort $(wildcard regress/*.c))
REGRESS_OBJ := $(call obj,rel,$(REGRESS_SRC))
REGRESS_OBJ_SAN := $(call obj,san,$(REGRESS_SRC))
CPPFLAGS += -Iregress/include

# The CLI's objects are linked ahead of the layer archives; the runner's objects come after
# them on the command line (extra prerequisites follow the recipe's own), so the layers are
# searched once more behind them.
$(BIN): $(REGRESS_OBJ)
$(BIN): private LDLIBS := $(LAYER_LIBS) $(LDLIBS)
$(BIN_SAN): $(REGRESS_OBJ_SAN)
$(BIN_SAN): private LDLIBS := $(LAYER_LIBS_SAN) $(LDLIBS)

TEST_SCRIPTS += tests/regress/runner_test.sh tests/regress/smoke.sh

LEVEL ?= smoke
.PHONY: regress regress-test regress-cluster regress-slurm

# The array shapes the list's tests name (config=RxC) other than this build's, each built
# by make ROWS=R COLS=C into $(BUILD)/RxC; every level but smoke needs them.
# (Recursively expanded: worked out only when a recipe uses it.)
REGRESS_OWN_SHAPE = $(if $(NC_CONFIG),$(NC_CONFIG),$(shell $(PYTHON) hw/gen/regtool.py --get rows \
  cols | tr ' ' x))
REGRESS_SHAPES = $(filter-out $(REGRESS_OWN_SHAPE),$(sort $(patsubst config=%,%,$(shell \
  grep -o 'config=[0-9]*x[0-9]*' regress/tests.list 2>/dev/null))))

regress: $(BIN) $(if $(filter-out smoke,$(LEVEL)),regress-shapes)
	$(BIN) regress $(LEVEL) -j$(JOBS) $(ARGS)

regress-shapes:
	@for s in $(REGRESS_SHAPES); do \
	  $(MAKE) --no-print-directory ROWS=$${s%x*} COLS=$${s#*x} BUILD=$(BUILD)/$$s \
	    $(BUILD)/$$s/bin/neocog || exit 1; done
.PHONY: regress-shapes

# A deliberately broken RTL: nc_top built from a copy of hw/rtl with one mutation applied
# (never hw/rtl itself), linked into its own neocog. The rounding of the requantizer's
# right shift moves a tie the wrong way: a bug only some requantized outputs show.
# tests/regress/broken_rtl_test.sh runs the regression with it and checks that the runner
# reports it failing, bucketed, with a reproduce line, a waveform and a lockstep rerun.
REGRESS_BROKEN := $(BUILD)/regress/broken
REGRESS_MUTANT_FILE ?= nc_requant.sv
REGRESS_MUTANT_SED ?= s/(rem > thr ?/(rem >= thr ?/
REGRESS_BROKEN_BIN := $(REGRESS_BROKEN)/neocog

$(REGRESS_BROKEN)/rtl/mutated.ok: $(RTL_SRC) mk/regress.mk
	@rm -rf $(@D) && mkdir -p $(@D)
	cp $(RTL_SRC) $(@D)/
	sed -i -e '$(REGRESS_MUTANT_SED)' $(@D)/$(REGRESS_MUTANT_FILE)
	@if cmp -s hw/rtl/$(REGRESS_MUTANT_FILE) $(@D)/$(REGRESS_MUTANT_FILE); then \
	  echo "regress: the mutation '$(REGRESS_MUTANT_SED)' does not apply to" \
	    "hw/rtl/$(REGRESS_MUTANT_FILE)"; exit 1; fi
	@diff hw/rtl/$(REGRESS_MUTANT_FILE) $(@D)/$(REGRESS_MUTANT_FILE) || true
	@touch $@

$(REGRESS_BROKEN)/vtop/Vnc_top__ALL.a: $(REGRESS_BROKEN)/rtl/mutated.ok
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc $(SIM_VFLAGS) --top-module nc_top -Mdir $(@D) \
	  $(addprefix $(REGRESS_BROKEN)/rtl/,$(notdir $(RTL_SRC)))
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  Vnc_top__ALL.a $(VL_RT_OBJS)

$(REGRESS_BROKEN)/harness.o: sim/rtl/harness.cpp $(REGRESS_BROKEN)/vtop/Vnc_top__ALL.a
	$(CXX) $(SIM_CXXFLAGS) $(SIM_VDEFS) $(call SIM_VINC,$(REGRESS_BROKEN)/vtop) -c $< -o $@

$(REGRESS_BROKEN)/rtl_model.o: $(REGRESS_BROKEN)/harness.o $(SIM_BUILD)/axi_mem.o \
    $(REGRESS_BROKEN)/vtop/Vnc_top__ALL.a
	ld -r -o $@ $(REGRESS_BROKEN)/harness.o $(SIM_BUILD)/axi_mem.o --whole-archive \
	  $(REGRESS_BROKEN)/vtop/Vnc_top__ALL.a --no-whole-archive \
	  $(addprefix $(REGRESS_BROKEN)/vtop/,$(VL_RT_OBJS))

# The broken model comes first, so the archive's own is never pulled in.
$(REGRESS_BROKEN_BIN): $(REGRESS_BROKEN)/rtl_model.o $(call obj,rel,$(CLI_SRC)) \
    $(REGRESS_OBJ) $(LAYER_LIBS)
	$(CC) $(CFLAGS_REL) $(REGRESS_BROKEN)/rtl_model.o $(call obj,rel,$(CLI_SRC)) \
	  $(LAYER_LIBS) $(REGRESS_OBJ) $(LAYER_LIBS) $(LDLIBS) -o $@

regress-broken: $(REGRESS_BROKEN_BIN)
.PHONY: regress-broken

regress-test: $(BIN) $(REGRESS_BROKEN_BIN)
	@sh tests/regress/broken_rtl_test.sh $(BIN) $(REGRESS_BROKEN_BIN)

regress-cluster: $(BIN)
	@sh mk/deps.sh --cluster
	@sh tests/regress/parallel_test.sh $(BIN)

regress-slurm: $(BIN)
	@sh mk/deps.sh --cluster
	@sh tests/regress/slurm_test.sh $(BIN)

# The coverage build: neocog with nc_top built with --coverage and the RTL's cover points
# ($(COV_BUILD)/rtl_model.o, mk/sim.mk) instead of the plain model. `neocog regress --cov`
# finds it next to build/bin as build/coverage/neocog and runs every job on it. make test
# runs tests/regress/cov_test.sh on it (a tiny level with --cov, its report, holes, HTML and
# shard merge, and --cov without the build).
.PHONY: regress-cov
ifneq ($(SIM_HAVE_TOP),)
REGRESS_COV_BIN := $(COV_BUILD)/neocog

$(REGRESS_COV_BIN): $(COV_BUILD)/rtl_model.o $(call obj,rel,$(CLI_SRC)) $(REGRESS_OBJ) \
    $(LAYER_LIBS)
	$(CC) $(CFLAGS_REL) $(COV_BUILD)/rtl_model.o $(call obj,rel,$(CLI_SRC)) \
	  $(LAYER_LIBS) $(REGRESS_OBJ) $(LAYER_LIBS) $(LDLIBS) -o $@

regress-cov: $(BIN) $(REGRESS_COV_BIN)

$(COV_BUILD)/regress_cov_test: tests/regress/cov_test.sh $(BIN) $(REGRESS_COV_BIN)
	@printf '%s\n' '#!/bin/sh' '# Generated by make: the regression with --cov.' \
	  'exec sh tests/regress/cov_test.sh $(BIN)' > $@
	@chmod +x $@

RTL_TEST_BINS += $(COV_BUILD)/regress_cov_test
else
regress-cov:
	@echo "regress-cov: hw/rtl/nc_top.sv is missing"
endif
