# The layers of the code, bottom first, and their archives. Each layer may use only the
# layers below it: base <- sim <- driver <- host <- (cli, icd, bench, tests, testkit, tools,
# regress).
# Programs link the archives top down (LAYER_LIBS), so a call from a layer to one above it
# finds nothing to resolve it; mk/check_layers.py (run by make test) also checks the include
# graph and every archive's undefined symbols.
#
# libneocog.a holds all four, for programs outside the tree.

BASE_LIB := $(BUILD)/lib/libnc_base.a
SIM_LIB := $(BUILD)/lib/libnc_sim.a
DRIVER_LIB := $(BUILD)/lib/libnc_driver.a
HOST_LIB := $(BUILD)/lib/libnc_host.a
LAYER_LIBS := $(HOST_LIB) $(DRIVER_LIB) $(SIM_LIB) $(BASE_LIB)
LAYER_LIBS_SAN := $(LAYER_LIBS:%.a=%_san.a)
BASE_LIB_SAN := $(BASE_LIB:%.a=%_san.a)
SIM_LIB_SAN := $(SIM_LIB:%.a=%_san.a)
DRIVER_LIB_SAN := $(DRIVER_LIB:%.a=%_san.a)
HOST_LIB_SAN := $(HOST_LIB:%.a=%_san.a)

# The one interface to every simulated device (sim/*.c, neocog/sim.h), and the functional
# model's objects, which the command-processor bench and the PGO trainer link without the
# rest of libnc_sim.
SIM_CORE_SRC := $(sort $(wildcard sim/*.c))
SIM_MODEL_SRC := $(sort $(wildcard sim/model/*.c))
SIM_MODEL_OBJ := $(call obj,rel,$(SIM_MODEL_SRC))

LIB := $(BUILD)/lib/libneocog.a
