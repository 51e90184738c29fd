# fuzz/: fuzz targets for the parsers of untrusted input, each a
# LLVMFuzzerTestOneInput() with a seed corpus in fuzz/corpus/<target>/ that
# also holds every input that once crashed it (fuzz/README.md).
#
#   make fuzz                 installs clang and libFuzzer if missing
#                             (mk/deps.sh --fuzz), then runs each target
#                             under libFuzzer for FUZZ_SECONDS (default 60),
#                             FUZZ_JOBS at a time (default 1)
#   make fuzz-cov             line and branch coverage each corpus reaches
#                             (the last make fuzz's, else the committed one)
#   make fuzz-seeds           rewrites the seed files from what the library
#                             itself writes (then commit them)
#   (make test)               replays every corpus once through
#                             $(BUILD)/fuzz/replay_<target>: a plain C
#                             driver built with gcc, ASan and UBSan
#
# The targets: the .npy reader, the network parser, the instruction decoder
# and checker with the functional model behind them, the OpenCL program
# cache's reader, the ONNX importer (models and tensors).
FUZZ_TARGETS := npy net insn ocl_cache onnx

FUZZ_OUT := $(BUILD)/fuzz
FUZZ_REPLAY := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/replay_%)
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 1
FUZZ_CC ?= clang

# make test: the corpora through the sanitized library, as the suite runs it.
$(FUZZ_OUT)/replay_%: $(BUILD)/san/fuzz/fuzz_%.o $(BUILD)/san/fuzz/replay.o $(LAYER_LIBS_SAN)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $^ $(LDLIBS) -o $@

# libFuzzer builds: every library source compiled with clang's coverage
# instrumentation, so the fuzzer sees the paths it opens inside the library,
# not only in the target. The RTL is left out (sim/rtl/harness_none.c): the
# targets run the functional model.
FUZZ_LIB_SRC := $(BASE_SRC) $(SIM_CORE_SRC) $(SIM_MODEL_SRC) sim/rtl/harness_none.c \
  $(DRIVER_SRC) $(HOST_SRC)
FUZZ_CFLAGS := -std=c11 -O1 -gline-tables-only -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all \
  $(filter-out -Werror,$(WARN)) -MMD -MP
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_OUT)/obj/%.o,$(FUZZ_LIB_SRC)) \
  $(FUZZ_OUT)/obj/gen/kernels_cl.o $(FUZZ_OUT)/obj/gen/onnx/onnx.pb-c.o
# What the libFuzzer and coverage builds link besides the library.
FUZZ_LDLIBS := -lOpenCL -lprotobuf-c -lz -lm

$(FUZZ_OUT)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/obj/gen/kernels_cl.o: $(CL_GEN)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/obj/gen/onnx/onnx.pb-c.o: $(ONNX_GEN_C)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ONNX_CFLAGS) $(FUZZ_CFLAGS) -w -c $< -o $@

FUZZ_ONNX_USERS := $(FUZZ_OUT)/obj/host/onnx.o $(FUZZ_OUT)/cov/obj/host/onnx.o \
  $(FUZZ_OUT)/obj/host/onnx_save.o $(FUZZ_OUT)/cov/obj/host/onnx_save.o $(BUILD)/rel/fuzz/seeds.o
$(FUZZ_ONNX_USERS): CPPFLAGS += -I$(ONNX_GEN_DIR)
$(FUZZ_ONNX_USERS): $(ONNX_GEN_H)

$(FUZZ_OUT)/fuzz_%: $(FUZZ_OUT)/obj/fuzz/fuzz_%.o $(FUZZ_LIB_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $^ $(FUZZ_LDLIBS) -o $@

FUZZ_BINS := $(FUZZ_TARGETS:%=$(FUZZ_OUT)/fuzz_%)
# Per target: a scratch corpus (the committed seeds plus what it finds), its
# log, and crash reproducers in $(FUZZ_OUT)/<target>/; a crash fails the
# run. Move a reproducer into fuzz/corpus/<target>/ once it is fixed.
fuzz:
	@sh mk/deps.sh --fuzz
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZ_BINS)
	@printf '%s\n' $(FUZZ_TARGETS) | xargs -P $(FUZZ_JOBS) -I{} sh fuzz/run.sh \
	  $(FUZZ_OUT) {} $(FUZZ_SECONDS)

# make fuzz-cov: what each corpus reaches, as llvm-cov reports it (fuzz/cov.sh),
# from a build with clang's source-based coverage and no sanitizers.
FUZZ_COV_CFLAGS := -std=c11 -O0 -g -fprofile-instr-generate -fcoverage-mapping
FUZZ_COV_OBJ := $(patsubst %.c,$(FUZZ_OUT)/cov/obj/%.o,$(FUZZ_LIB_SRC)) \
  $(FUZZ_OUT)/cov/obj/gen/kernels_cl.o $(FUZZ_OUT)/cov/obj/gen/onnx/onnx.pb-c.o

$(FUZZ_OUT)/cov/obj/%.o: %.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_COV_CFLAGS) -MMD -MP -c $< -o $@

$(FUZZ_OUT)/cov/obj/gen/kernels_cl.o: $(CL_GEN)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_COV_CFLAGS) -c $< -o $@

$(FUZZ_OUT)/cov/obj/gen/onnx/onnx.pb-c.o: $(ONNX_GEN_C)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(ONNX_CFLAGS) $(FUZZ_COV_CFLAGS) -w -c $< -o $@

$(FUZZ_OUT)/cov_%: $(FUZZ_OUT)/cov/obj/fuzz/fuzz_%.o $(FUZZ_OUT)/cov/obj/fuzz/replay.o \
    $(FUZZ_COV_OBJ)
	$(FUZZ_CC) $(FUZZ_COV_CFLAGS) $^ $(FUZZ_LDLIBS) -o $@

fuzz-cov: $(FUZZ_TARGETS:%=$(FUZZ_OUT)/cov_%)
	@for t in $(FUZZ_TARGETS); do sh fuzz/cov.sh $(FUZZ_OUT) $$t || exit 1; done

FUZZ_SEEDS_BIN := $(FUZZ_OUT)/fuzz_seeds
$(FUZZ_SEEDS_BIN): $(BUILD)/rel/fuzz/seeds.o $(LAYER_LIBS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $^ $(LDLIBS) -o $@

fuzz-seeds: $(FUZZ_SEEDS_BIN)
	$(FUZZ_SEEDS_BIN) fuzz/corpus

# Objects that pattern rules chain to are kept, not deleted as intermediates.
.SECONDARY: $(FUZZ_LIB_OBJ) $(FUZZ_COV_OBJ) \
  $(FUZZ_TARGETS:%=$(BUILD)/san/fuzz/fuzz_%.o) $(BUILD)/san/fuzz/replay.o \
  $(FUZZ_TARGETS:%=$(FUZZ_OUT)/obj/fuzz/fuzz_%.o) \
  $(FUZZ_TARGETS:%=$(FUZZ_OUT)/cov/obj/fuzz/fuzz_%.o) $(FUZZ_OUT)/cov/obj/fuzz/replay.o

.PHONY: fuzz fuzz-run fuzz-cov fuzz-seeds
