# neocog top-level build.
#
#   make demo    install missing Debian packages, build, run the lecture's ConvNet
#   make test    install missing Debian packages, build, run the whole suite
#   make         build the library, the CLI, the tests and the benchmarks
#   make bench   run the benchmarks (single thread, pinned to core 0)
#
# Outputs go to $(BUILD)/ only: bin/neocog, lib/libneocog.a, tests/, bench/.

BUILD ?= build
CC ?= cc
# Warnings are errors; the library is C11 with POSIX.1-2008.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
CPPFLAGS := -Ihost/include -I. -D_POSIX_C_SOURCE=200809L
CFLAGS_REL := -std=c11 -O3 -g $(WARN) -MMD -MP
# Sanitized build for the test suite: AddressSanitizer + UBSan, no recovery.
CFLAGS_SAN := -std=c11 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) -MMD -MP
LDLIBS := -lm

HOST_SRC := $(sort $(wildcard host/*.c))
CLI_SRC := $(sort $(wildcard host/cli/*.c))
TEST_SRC := $(sort $(wildcard tests/*.c tests/host/*.c tests/cli/*.c))
BENCH_SRC := $(sort $(wildcard bench/*.c))

obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

LIB := $(BUILD)/lib/libneocog.a
LIB_SAN := $(BUILD)/lib/libneocog_san.a
BIN := $(BUILD)/bin/neocog
BIN_SAN := $(BUILD)/bin/neocog_san
TESTS := $(BUILD)/tests/neocog_tests
TESTS_SAN := $(BUILD)/tests/neocog_tests_san
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all build deps demo test check bench format clean
.DEFAULT_GOAL := all

all: $(LIB) $(BIN) $(TESTS) $(TESTS_SAN) $(BIN_SAN) $(BENCHES)
build: all

deps:
	@sh mk/deps.sh

$(BUILD)/rel/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -c $< -o $@

$(LIB): $(call obj,rel,$(HOST_SRC))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(LIB_SAN): $(call obj,san,$(HOST_SRC))
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(BIN): $(call obj,rel,$(CLI_SRC)) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

$(BIN_SAN): $(call obj,san,$(CLI_SRC)) $(LIB_SAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $^ $(LDLIBS) -o $@

$(TESTS): $(call obj,rel,$(TEST_SRC)) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ -lcriterion $(LDLIBS) -o $@

$(TESTS_SAN): $(call obj,san,$(TEST_SRC)) $(LIB_SAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $^ -lcriterion $(LDLIBS) -o $@

$(BUILD)/bench/%: $(BUILD)/rel/bench/%.o $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

# The two commands the README gives. Each installs what is missing first.
demo: deps
	@$(MAKE) --no-print-directory $(BIN)
	$(BIN) info nets/convnet.net
	$(BIN) run nets/convnet.net --seed 1 --backend cpu \
	  --output $(BUILD)/demo_convnet_out.npy

test: deps
	@$(MAKE) --no-print-directory all
	@sh tests/run.sh $(BUILD)

check: all
	@sh tests/run.sh $(BUILD)

bench: $(BENCHES)
	@sh bench/run.sh $(BUILD)

format:
	clang-format -i $(HOST_SRC) $(CLI_SRC) $(TEST_SRC) $(BENCH_SRC) \
	  $(wildcard host/*.h host/include/neocog/*.h tests/*.h)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
