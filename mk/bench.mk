# bench/: the benchmarks (make bench runs them, single thread pinned to core 0).

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCHES := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

$(BUILD)/bench/%: $(BUILD)/rel/bench/%.o $(LAYER_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

# The OpenCL benchmark runs oneDNN and CLBlast as peers.
$(BUILD)/bench/bench_ocl: LDLIBS += -ldnnl -lclblast
