# The array size of a build. hw/data/neocog.json holds the default (16x16), and the committed
# generated files (hw/rtl/nc_pkg.sv, hw/include/neocog/nc_hw.h, docs/isa.md) always follow it.
#
#   make ROWS=8 COLS=8 [target...]
#
# builds the whole stack for another array: hw/gen/regtool.py writes the package, the C header
# and isa.md for that size into $(BUILD)/gen/ (--set rows=.. --set cols=.. --out-dir), never
# over the committed copies; every C, C++ and Verilator compile takes them from there instead
# of hw/include and hw/rtl/nc_pkg.sv; and BUILD defaults to build/ROWSxCOLS, so two
# configurations never share an object. A size equal to the data file's is the default build.
# One of the two may be left out: it keeps the data file's value.
#
# Refused here, before anything is built:
#   - a value that is not a whole number;
#   - what the data file forbids (regtool checks each config value's min and max and the
#     "checks"): ROWS must be a power of two from 4 (the 256 KiB scratchpad of ROWS-byte rows
#     must divide evenly and keep its row addresses within 16 bits); 0 for either;
#   - COLS = 1: the RTL builds a single column, but the test kit's programs, which the
#     profile-guided build trains on, need two (the lecture's two filters, a 64-wide GEMM
#     whose 64 / COLS output tiles of 64 rows fit the 2048 accumulator rows);
#   - ROWS + COLS above 64: Verilator 5.006 cannot build the RTL then. nc_delay's reset loop
#     runs over ROWS + COLS slots (the compute unit's metadata delay) and nc_store_unit loops
#     over COLS lanes inside always_ff; Verilator unrolls such loops up to 64 iterations
#     (--unroll-count) and stops with BLKLOOPINIT beyond.
#
# $(BUILD)/config names the size a build directory holds; make stops when it differs from the
# size asked for, so a BUILD= that points at another configuration's directory cannot mix
# the two.

ROWS ?=
COLS ?=
PYTHON ?= python3
NC_VERILATOR_MAX_LANES := 64
# Empty for the data file's own size, else ROWSxCOLS.
NC_CONFIG :=

# $(call nc_whole,VAR): stops unless $(VAR) is one whole decimal number.
nc_no_digits = $(strip $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst \
  6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1))))))))))))
nc_whole = $(if $(or $(filter-out 1,$(words $($(1)))),$(call nc_no_digits,$($(1)))),$(error \
  $(1)=$($(1)) is not a whole number; the array size is e.g. ROWS=8 COLS=8))

ifneq ($(strip $(ROWS)$(COLS)),)
$(if $(strip $(ROWS)),$(call nc_whole,ROWS))
$(if $(strip $(COLS)),$(call nc_whole,COLS))
NC_DEFAULT_SHAPE := $(shell $(PYTHON) hw/gen/regtool.py --get rows cols 2>&1)
NC_SHAPE := $(shell $(PYTHON) hw/gen/regtool.py $(if $(strip $(ROWS)),--set rows=$(strip $(ROWS))) \
  $(if $(strip $(COLS)),--set cols=$(strip $(COLS))) --get rows cols 2>&1)
ifneq ($(.SHELLSTATUS),0)
$(error array size $(strip $(if $(strip $(ROWS)),ROWS=$(ROWS)) $(if $(strip $(COLS)),COLS=$(COLS))) \
  refused by hw/data/neocog.json: $(subst regtool: hw/data/neocog.json: ,,$(NC_SHAPE)) (ROWS \
  is a power of two from 4, COLS at least 2, ROWS + COLS at most $(NC_VERILATOR_MAX_LANES)))
endif
NC_ROWS := $(word 1,$(NC_SHAPE))
NC_COLS := $(word 2,$(NC_SHAPE))
ifeq ($(NC_COLS),1)
$(error array size $(NC_ROWS)x$(NC_COLS) refused: COLS is at least 2, the test kit's programs \
  (the lecture's two filters, a 64-wide GEMM in the accumulator) need two columns; see \
  mk/config.mk)
endif
ifneq ($(shell test $$(($(NC_ROWS) + $(NC_COLS))) -le $(NC_VERILATOR_MAX_LANES) && echo ok),ok)
$(error array size $(NC_ROWS)x$(NC_COLS) refused: ROWS + COLS is at most \
  $(NC_VERILATOR_MAX_LANES), the longest loop Verilator unrolls (nc_delay's reset loop over \
  ROWS + COLS slots stops it with BLKLOOPINIT); see mk/config.mk)
endif
ifneq ($(NC_SHAPE),$(NC_DEFAULT_SHAPE))
NC_CONFIG := $(NC_ROWS)x$(NC_COLS)
endif
endif

ifneq ($(NC_CONFIG),)
BUILD ?= build/$(NC_CONFIG)
# What regtool writes for this size; the compile rules take the header and the package from
# here (mk/toolchain.mk, mk/hw.mk).
HW_CFG_GEN := $(BUILD)/gen
HW_INCLUDE := $(HW_CFG_GEN)/hw/include
NC_PKG_SV := $(HW_CFG_GEN)/hw/rtl/nc_pkg.sv
else
BUILD ?= build
HW_CFG_GEN :=
HW_INCLUDE := hw/include
NC_PKG_SV := hw/rtl/nc_pkg.sv
endif
NC_HW_H := $(HW_INCLUDE)/neocog/nc_hw.h
# The size this build directory holds, as "ROWSxCOLS" ("default" for the data file's).
NC_CONFIG_NAME := $(or $(NC_CONFIG),default)

ifneq ($(filter-out clean,$(or $(MAKECMDGOALS),all)),)
NC_CONFIG_HELD := $(shell cat $(BUILD)/config 2>/dev/null)
ifeq ($(NC_CONFIG_HELD),)
$(shell mkdir -p $(BUILD) && echo $(NC_CONFIG_NAME) > $(BUILD)/config)
else ifneq ($(NC_CONFIG_HELD),$(NC_CONFIG_NAME))
$(error $(BUILD) holds the $(NC_CONFIG_HELD) array, not $(NC_CONFIG_NAME): build it with \
  $(if $(filter default,$(NC_CONFIG_HELD)),no ROWS or COLS,ROWS=$(subst x, COLS=,$(NC_CONFIG_HELD))) \
  or name another BUILD)
endif
endif
