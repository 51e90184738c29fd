# host/cli/: the neocog command-line program, on top of every layer.

CLI_SRC := $(sort $(wildcard host/cli/*.c))
BIN := $(BUILD)/bin/neocog
BIN_SAN := $(BUILD)/bin/neocog_san

$(BIN): $(call obj,rel,$(CLI_SRC)) $(LAYER_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

$(BIN_SAN): $(call obj,san,$(CLI_SRC)) $(LAYER_LIBS_SAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $^ $(LDLIBS) -o $@
