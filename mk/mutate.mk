# The mutation check of the regression: would the suite notice a bug put into the RTL?
#
#   make regress-mutate [LEVEL=smoke] [JOBS=N] [MUT_COUNT=80] [MUT_SEED=1] [ARGS=...]
#        runs the level's RTL tests against every mutant of the mutant build and reports the
#        mutation score and the survivors (neocog regress --mutate, regress/mutate.c)
#   make regress-mutant-bin   only the mutant build: $(MUT_BIN)
#   make regress-mutate-test  the check of the check (tests/regress/mutate_test.sh): datapath
#        mutants stuck at 0 or 1 killed by a small level (tests/regress/mutate.list), each kill
#        reproducing, the original design (mutant 0) passing it, a survivor reported, a bad
#        mutant id refused. make test runs the same script without the mutant build: the
#        generator's tests (hw/gen/test_mutate.py) and the bad command lines.
#
# The mutant build: hw/gen/mutate.py writes one copy of the RTL in which every mutant sits
# beside the original text, selected at run time by the plusarg +mutant=K (the harness passes
# $$NEOCOG_RTL_MUTANT as that plusarg), so one Verilator build holds MUT_COUNT mutants; the
# list of them (mutants.tsv) lies next to the binary, where `neocog regress --mutate` looks.
# Never hw/rtl itself: the copy is in $(MUT_DIR)/rtl.

MUT_DIR := $(BUILD)/regress/mutate
MUT_BIN := $(MUT_DIR)/neocog
MUT_COUNT ?= 80
MUT_SEED ?= 1
MUT_RTL_NAMES := $(notdir $(RTL_SRC))

$(MUT_DIR)/rtl/mutants.tsv: $(RTL_SRC) hw/gen/mutate.py mk/mutate.mk
	@rm -rf $(@D) && mkdir -p $(@D)
	$(PYTHON) hw/gen/mutate.py --out $(@D) --seed $(MUT_SEED) --count $(MUT_COUNT) \
	  --verilator $(VERILATOR) $(RTL_SRC)

# Stuck-at values are written as '0 and '1 also into enum-typed state: Verilator allows it
# with ENUMVALUE off (the mutant is the state register stuck at encoding 0 or all ones).
$(MUT_DIR)/vtop/Vnc_top__ALL.a: $(MUT_DIR)/rtl/mutants.tsv
	@rm -rf $(@D) && mkdir -p $(@D)
	$(VERILATOR) --cc $(SIM_VFLAGS) -Wno-ENUMVALUE --top-module nc_top -Mdir $(@D) \
	  $(addprefix $(MUT_DIR)/rtl/,$(MUT_RTL_NAMES))
	@$(MAKE) -s --no-print-directory -C $(@D) -f Vnc_top.mk $(RTL_MKFLAGS) \
	  Vnc_top__ALL.a $(VL_RT_OBJS)

$(MUT_DIR)/harness.o: sim/rtl/harness.cpp $(MUT_DIR)/vtop/Vnc_top__ALL.a
	$(CXX) $(SIM_CXXFLAGS) $(SIM_VDEFS) $(call SIM_VINC,$(MUT_DIR)/vtop) -c $< -o $@

$(MUT_DIR)/rtl_model.o: $(MUT_DIR)/harness.o $(SIM_BUILD)/axi_mem.o $(MUT_DIR)/vtop/Vnc_top__ALL.a
	ld -r -o $@ $(MUT_DIR)/harness.o $(SIM_BUILD)/axi_mem.o --whole-archive \
	  $(MUT_DIR)/vtop/Vnc_top__ALL.a --no-whole-archive $(addprefix $(MUT_DIR)/vtop/,$(VL_RT_OBJS))

$(MUT_DIR)/mutants.tsv: $(MUT_DIR)/rtl/mutants.tsv
	cp $< $@

# The mutant model comes first, so the archive's own is never pulled in.
$(MUT_BIN): $(MUT_DIR)/rtl_model.o $(call obj,rel,$(CLI_SRC)) $(REGRESS_OBJ) $(LAYER_LIBS) \
    $(MUT_DIR)/mutants.tsv
	$(CC) $(CFLAGS_REL) $(MUT_DIR)/rtl_model.o $(call obj,rel,$(CLI_SRC)) \
	  $(LAYER_LIBS) $(REGRESS_OBJ) $(LAYER_LIBS) $(LDLIBS) -o $@

.PHONY: regress-mutant-bin regress-mutate regress-mutate-test
regress-mutant-bin: $(MUT_BIN)

regress-mutate: $(MUT_BIN)
	$(MUT_BIN) regress --mutate $(LEVEL) -j$(JOBS) $(ARGS)

regress-mutate-test: $(BIN) $(MUT_BIN)
	@sh tests/regress/mutate_test.sh $(BIN) $(MUT_BIN)
TEST_SCRIPTS += tests/regress/mutate_test.sh
