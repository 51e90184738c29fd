# base/: what every layer shares. Status codes and the error detail (neocog/status.h,
# neocog/error.h), the integer requantization arithmetic (neocog/quant.h), the timing rules
# measured on the RTL (neocog/timing.h, header only), the scheduler that applies them for the
# functional model and the planner alike (neocog/sched.h, sched.c) and, generated from
# hw/data, the hardware header hw/include/neocog/nc_hw.h. Depends on nothing else of neocog.

BASE_SRC := $(sort $(wildcard base/*.c))

$(BASE_LIB): $(call obj,rel,$(BASE_SRC))
	@mkdir -p $(@D)
	$(call archive,$@,$^)

$(BASE_LIB_SAN): $(call obj,san,$(BASE_SRC))
	@mkdir -p $(@D)
	$(call archive,$@,$^)
