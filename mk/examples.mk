# examples/: small programs that use the library as a user would, built here against the
# tree; make test also builds and runs them against an installed copy
# (tests/install/install_test.sh).

EXAMPLE_SRC := $(sort $(wildcard examples/*.c))
EXAMPLES := $(patsubst examples/%.c,$(BUILD)/examples/%,$(EXAMPLE_SRC))

$(BUILD)/examples/%: examples/%.c $(LAYER_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) $< $(LAYER_LIBS) $(LDLIBS) -o $@
