# hw/: the accelerator. hw/data/neocog.json is the one source of the configuration, the
# register map and the instruction encoding; hw/gen/regtool.py writes hw/rtl/nc_pkg.sv,
# hw/include/neocog/nc_hw.h and docs/isa.md from it. Every RTL build first compares the
# committed copies with what the data file generates (hw-check), so a stale or hand-edited
# copy stops the build with the diff. Source lists come from hw/rtl/manifest.mk.
#
#   make hw-gen     regenerate the package, the C header and docs/isa.md in place
#   make hw-check   fail if a committed copy differs from what the data file generates
#   make rtl-lint   verilator --lint-only -Wall, assertions included, each module as top
#   make rtl-test   build the module benches (tests/rtl) and the simulation checks, run them
#
# Verilator builds go to $(BUILD)/rtl/ (models compiled with OPT_FAST=-O2).
#
# For another array size (make ROWS=.. COLS=.., mk/config.mk) regtool writes the three files
# for that size into $(HW_CFG_GEN)/ and every build takes the package and the header from
# there; hw-check still compares the committed copies with the data file as it stands.

include hw/rtl/manifest.mk

# The source files of modules $(1) and what they use (rtl_files), with this build's package.
rtl_src = $(patsubst hw/rtl/nc_pkg.sv,$(NC_PKG_SV),$(call rtl_files,$(1)))

RTL_BUILD := $(BUILD)/rtl
HW_DATA := hw/data/neocog.json
HW_GEN := hw/gen/regtool.py
HW_GEN_OUT := hw/rtl/nc_pkg.sv hw/include/neocog/nc_hw.h docs/isa.md
HW_CHECK := $(RTL_BUILD)/hw-check.ok
# The whole accelerator, in level order.
RTL_SRC := $(call rtl_src,nc_top)
RTL_MODULES := $(filter-out nc_pkg,$(NC_RTL_ORDER))
RTL_VFLAGS := --assert -Wall --x-assign fast --x-initial fast
RTL_MKFLAGS := OPT_FAST=-O2 OPT_SLOW=-O1 OPT_GLOBAL=-O2
rtl_rows = $(word 1,$(subst x, ,$(1)))
rtl_cols = $(word 2,$(subst x, ,$(1)))
RTL_LINT_STAMPS := $(patsubst %,$(RTL_BUILD)/lint/%.ok,$(RTL_MODULES))

.PHONY: hw-gen hw-check rtl-lint rtl-test

hw-gen:
	$(PYTHON) $(HW_GEN)

hw-check: $(HW_CHECK)

# The generated C header must also compile alone under the project's C warnings, and as C++
# (the Verilator benches include it); hw/gen/test_regtool.py tests the generator itself; the
# manifest must match the sources.
$(HW_CHECK): $(HW_DATA) $(HW_GEN) $(HW_GEN_OUT) hw/gen/test_regtool.py hw/rtl/manifest.mk \
    mk/check_rtl_manifest.py $(wildcard hw/rtl/*.sv)
	@mkdir -p $(@D)
	$(PYTHON) $(HW_GEN) --check
	$(PYTHON) hw/gen/test_regtool.py
	$(CC) -std=c11 $(WARN) -pedantic -fsyntax-only -x c hw/include/neocog/nc_hw.h
	$(CXX) -std=c++17 $(filter-out -Wstrict-prototypes -Wvla,$(WARN)) -pedantic -fsyntax-only \
	  -x c++ hw/include/neocog/nc_hw.h
	$(PYTHON) mk/check_rtl_manifest.py hw/rtl/manifest.mk hw/rtl
	@touch $@

# Another array size: the package, the header and isa.md for it, the header held to the same
# checks as the committed one. regtool leaves an unchanged file's timestamp alone, so a change
# to the data file that does not touch them rebuilds nothing.
ifneq ($(NC_CONFIG),)
HW_CFG_STAMP := $(HW_CFG_GEN)/gen.ok
$(HW_CFG_STAMP): $(HW_DATA) $(HW_GEN) mk/config.mk
	@mkdir -p $(@D)
	$(PYTHON) $(HW_GEN) --set rows=$(NC_ROWS) --set cols=$(NC_COLS) --out-dir $(HW_CFG_GEN)
	$(CC) -std=c11 $(WARN) -pedantic -fsyntax-only -x c $(NC_HW_H)
	$(CXX) -std=c++17 $(filter-out -Wstrict-prototypes -Wvla,$(WARN)) -pedantic -fsyntax-only \
	  -x c++ $(NC_HW_H)
	@touch $@

$(NC_HW_H) $(NC_PKG_SV): $(HW_CFG_STAMP) ;
endif

rtl-lint: $(RTL_LINT_STAMPS)

$(RTL_BUILD)/lint/%.ok: $(RTL_SRC) $(HW_CHECK)
	@mkdir -p $(@D)
	$(VERILATOR) --lint-only $(RTL_VFLAGS) --top-module $* $(call rtl_src,$*)
	@touch $@

# $(call rtl_bench,TOP,SOURCES,CPP,PARAMS,CFLAGS,LDFLAGS) as the recipe of a Verilated bench
# $@ (its directory is the Verilator build directory; the executable is named after $@).
rtl_bench = @mkdir -p $(@D) && \
  $(VERILATOR) --cc --exe $(RTL_VFLAGS) --top-module $(1) $(4) \
    -CFLAGS "-I$(CURDIR) $(addprefix -I,$(abspath $(INCLUDE_DIRS))) $(5)" \
    $(if $(6),-LDFLAGS "$(6)") -Mdir $(@D) -o $(@F) \
    $(abspath $(2) $(3)) && \
  $(MAKE) -s --no-print-directory -C $(@D) -f V$(1).mk $(RTL_MKFLAGS)
# -G and -D for an array shape ROWSxCOLS.
rtl_shape = -GNumRows=$(call rtl_rows,$(1)) -GNumCols=$(call rtl_cols,$(1))
rtl_shape_defs = -DNC_ROWS=$(call rtl_rows,$(1)) -DNC_COLS=$(call rtl_cols,$(1))
RTL_TB_DEPS := tests/rtl/tb_util.h $(HW_CHECK) $(NC_HW_H)

# The array for every shape the bench sweeps (ROWSxCOLS; each one a separate build).
RTL_SIZES ?= 4x4 8x8 16x16 4x8
RTL_ARRAY_TBS := $(foreach s,$(RTL_SIZES),$(RTL_BUILD)/$(s)/array_tb)
$(RTL_BUILD)/%/array_tb: $(call rtl_src,nc_systolic_array) tests/rtl/array_tb.cpp $(RTL_TB_DEPS)
	$(call rtl_bench,nc_systolic_array,$(call rtl_src,nc_systolic_array),tests/rtl/array_tb.cpp,$(call rtl_shape,$*),$(call rtl_shape_defs,$*))

# The SystemVerilog and C instruction checkers, both generated, must agree.
RTL_INSN_TB := $(RTL_BUILD)/insn_check/insn_check_tb
$(RTL_INSN_TB): $(NC_PKG_SV) tests/rtl/nc_insn_check_tb.sv tests/rtl/insn_check_tb.cpp \
    $(RTL_TB_DEPS)
	$(call rtl_bench,nc_insn_check_tb,$(NC_PKG_SV) tests/rtl/nc_insn_check_tb.sv,tests/rtl/insn_check_tb.cpp)

# A row of PEs (nc_pe_row): one PE on its own and a row of five, each as an inner row and as
# the top row of the array (sums start at zero). The directory names the variant.
RTL_PE_VARIANTS := inner1 first1 inner5 first5
RTL_PE_TBS := $(foreach v,$(RTL_PE_VARIANTS),$(RTL_BUILD)/pe/$(v)/pe_tb)
rtl_pe_first = $(if $(filter first%,$(1)),1,0)
rtl_pe_cols = $(patsubst first%,%,$(patsubst inner%,%,$(1)))
$(RTL_BUILD)/pe/%/pe_tb: $(call rtl_src,nc_pe_row) tests/rtl/pe_tb.cpp $(RTL_TB_DEPS)
	$(call rtl_bench,nc_pe_row,$(call rtl_src,nc_pe_row),tests/rtl/pe_tb.cpp,-GNumCols=$(call rtl_pe_cols,$*) "-GFirstRow=1'b$(call rtl_pe_first,$*)",-DNC_COLS=$(call rtl_pe_cols,$*) -DNC_FIRST_ROW=$(call rtl_pe_first,$*))

# The AXI register slice at a 20-bit payload.
RTL_SLICE_TB := $(RTL_BUILD)/slice/slice_tb
$(RTL_SLICE_TB): $(call rtl_src,nc_reg_slice) tests/rtl/slice_tb.cpp $(RTL_TB_DEPS)
	$(call rtl_bench,nc_reg_slice,$(call rtl_src,nc_reg_slice),tests/rtl/slice_tb.cpp,-GWidth=20)

# The FIFO at a 20-bit payload, for each depth the runner sweeps: powers of two and not, and
# the single entry (each one a separate build).
RTL_FIFO_DEPTHS ?= 1 2 3 4 5 8
RTL_FIFO_TBS := $(foreach d,$(RTL_FIFO_DEPTHS),$(RTL_BUILD)/fifo/$(d)/fifo_tb)
$(RTL_BUILD)/fifo/%/fifo_tb: $(call rtl_files,nc_fifo) tests/rtl/fifo_tb.cpp $(RTL_TB_DEPS)
	$(call rtl_bench,nc_fifo,$(call rtl_files,nc_fifo),tests/rtl/fifo_tb.cpp,-GDepth=$* -GWidth=20,-DNC_DEPTH=$*)

# The hold-rule watcher and nc_implies against the SVA properties they stand for.
RTL_HOLD_TB := $(RTL_BUILD)/hold/hold_tb
RTL_HOLD_SRC := $(call rtl_src,nc_hold_watch nc_implies) tests/rtl/nc_hold_watch_tb.sv
$(RTL_HOLD_TB): $(RTL_HOLD_SRC) tests/rtl/hold_tb.cpp $(RTL_TB_DEPS)
	$(call rtl_bench,nc_hold_watch_tb,$(RTL_HOLD_SRC),tests/rtl/hold_tb.cpp)

# nc::AxiMem (sim/rtl/axi_mem.*), the C++ AXI4 slave memory of every RTL bench and of the
# harness, has a bench of its own without RTL.
RTL_AXI_MEM_TB := $(RTL_BUILD)/dma/axi_mem_tb
$(RTL_AXI_MEM_TB): tests/rtl/axi_mem_tb.cpp sim/rtl/axi_mem.cpp sim/rtl/include/neocog/axi_mem.h \
    $(NC_HW_H)
	@mkdir -p $(@D)
	$(CXX) -std=c++17 -O2 -g $(filter-out -Wstrict-prototypes -Wvla,$(WARN)) $(CPPFLAGS) \
	  tests/rtl/axi_mem_tb.cpp sim/rtl/axi_mem.cpp -o $@

# Load unit, store unit and read multiplexer against nc::AxiMem and C++ references, swept
# over array shapes; the store path's golden values come from base/quant.c. The requantizer
# has a bench of its own for the corner cases a STORE cannot reach (a negative multiplier).
DMA_SIZES ?= 16x16 8x8 4x8
DMA_RTL_SRC := $(call rtl_src,nc_load_unit nc_store_unit nc_axi_rd_mux) tests/rtl/nc_dma_tb.sv
DMA_TBS := $(foreach s,$(DMA_SIZES),$(RTL_BUILD)/dma/$(s)/dma_tb)
$(RTL_BUILD)/dma/%/dma_tb: $(DMA_RTL_SRC) tests/rtl/dma_tb.cpp sim/rtl/axi_mem.cpp \
    sim/rtl/include/neocog/axi_mem.h $(BASE_LIB) $(RTL_TB_DEPS)
	$(call rtl_bench,nc_dma_tb,$(DMA_RTL_SRC),tests/rtl/dma_tb.cpp sim/rtl/axi_mem.cpp,$(call rtl_shape,$*),$(call rtl_shape_defs,$*),$(abspath $(BASE_LIB)) -lm)

RTL_REQUANT_TB := $(RTL_BUILD)/dma/requant/requant_tb
$(RTL_REQUANT_TB): $(call rtl_src,nc_requant) tests/rtl/requant_tb.cpp $(BASE_LIB) \
    $(RTL_TB_DEPS)
	$(call rtl_bench,nc_requant,$(call rtl_src,nc_requant),tests/rtl/requant_tb.cpp,,,$(abspath $(BASE_LIB)) -lm)

# The compute path (scratchpad, compute unit, accumulator), swept over array shapes.
CORE_SIZES ?= 16x16 8x8 4x8
CORE_COMPUTE_SRC := $(call rtl_src,nc_spad nc_acc nc_compute_unit) tests/rtl/nc_compute_tb.sv
CORE_COMPUTE_TBS := $(foreach s,$(CORE_SIZES),$(RTL_BUILD)/compute/$(s)/compute_tb)
$(RTL_BUILD)/compute/%/compute_tb: $(CORE_COMPUTE_SRC) tests/rtl/compute_tb.cpp $(RTL_TB_DEPS)
	$(call rtl_bench,nc_compute_tb,$(CORE_COMPUTE_SRC),tests/rtl/compute_tb.cpp,$(call rtl_shape,$*),$(call rtl_shape_defs,$*))

# The command processor with the CSRs, compared with the functional model (linked in).
CORE_CMDPROC_SRC := $(call rtl_src,nc_csr nc_cmd_proc) tests/rtl/nc_cmdproc_tb.sv
CORE_CMDPROC_TB := $(RTL_BUILD)/cmdproc/cmdproc_tb
$(CORE_CMDPROC_TB): $(CORE_CMDPROC_SRC) tests/rtl/cmdproc_tb.cpp $(SIM_MODEL_OBJ) $(BASE_LIB) \
    $(RTL_TB_DEPS)
	$(call rtl_bench,nc_cmdproc_tb,$(CORE_CMDPROC_SRC),tests/rtl/cmdproc_tb.cpp,,,$(abspath $(SIM_MODEL_OBJ) $(BASE_LIB)) -lm)

# Every module bench; the simulation fragment (mk/sim.mk) adds its own checks.
RTL_TEST_BINS := $(RTL_INSN_TB) $(RTL_PE_TBS) $(RTL_ARRAY_TBS) $(RTL_SLICE_TB) $(RTL_FIFO_TBS) \
  $(RTL_HOLD_TB) $(RTL_AXI_MEM_TB) $(RTL_REQUANT_TB) $(DMA_TBS) $(CORE_COMPUTE_TBS) $(CORE_CMDPROC_TB)
# sim/rtl/check_sampled.py on two small Verilated tops: it must catch an assertion that
# samples input logic. A script: nothing to build.
RTL_TEST_BINS += tests/rtl/check_sampled_test.sh
