# regress/: the regression system (neocog/regress.h): the test list with its levels
# (regress/tests.list), the stimulus generators, the runner that spreads (test, seed) jobs
# over child processes, shards and machines, and its reports. The CLI links it:
# `neocog regress` (host/cli/cmd_regress.c).
#
#   make regress LEVEL=nightly [JOBS=N] [ARGS=...]   run a level (default smoke)
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
.PHONY: regress

regress: $(BIN)
	$(BIN) regress $(LEVEL) -j$(JOBS) $(ARGS)

