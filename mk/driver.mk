# driver/: the nc_dev_* API over a simulated device: the window allocator, the command ring,
# and the backends (model, rtl, lockstep). Uses sim and base.

DRIVER_SRC := $(sort $(wildcard driver/*.c))

$(DRIVER_LIB): $(call obj,rel,$(DRIVER_SRC))
	@mkdir -p $(@D)
	$(call archive,$@,$^)

$(DRIVER_LIB_SAN): $(call obj,san,$(DRIVER_SRC))
	@mkdir -p $(@D)
	$(call archive,$@,$^)
