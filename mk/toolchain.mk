# Compilers, flags and the compile rules every component's fragment uses.
#
# Objects go to $(BUILD)/rel/ (optimized) and $(BUILD)/san/ (AddressSanitizer and UBSan, for
# the test suite), mirroring the source tree.

CC ?= cc
CXX ?= c++
PYTHON ?= python3
VERILATOR ?= verilator
# Warnings are errors; the library is C11 with POSIX.1-2008.
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla
# Includes are rooted at the repository top; each layer's public headers are in
# <layer>/include/neocog/ (mk/check_layers.py keeps every file to its own and lower layers).
# The generated hardware header comes from $(HW_INCLUDE): hw/include, or for another array
# size the copy regtool writes into the build directory (mk/config.mk).
INCLUDE_DIRS := base/include $(HW_INCLUDE) sim/include sim/model/include sim/rtl/include \
  sim/systemc/include \
  driver/include host/include
CPPFLAGS := -I. $(addprefix -I,$(INCLUDE_DIRS)) -D_POSIX_C_SOURCE=200809L
CFLAGS_REL := -std=c11 -O3 -g $(WARN) -MMD -MP
CFLAGS_SAN := -std=c11 -O1 -g -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=all $(WARN) -MMD -MP
# What a program that links the library needs besides it: the OpenCL ICD loader, for
# the Verilated model inside libnc_sim the C++ runtime, zlib (FST waveforms and gzip'd IDX
# images), and protobuf-c for the ONNX parser.
LDLIBS := -lOpenCL -lprotobuf-c -lstdc++ -lz -lm

# $(call obj,rel|san,SOURCES): the objects of C sources.
obj = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

# Every compile waits for the hardware header, which a configured build generates first (its
# dependency files take over from the second build on).
$(BUILD)/rel/%.o: %.c | $(NC_HW_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -c $< -o $@

$(BUILD)/san/%.o: %.c | $(NC_HW_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -c $< -o $@

# $(call archive,OUT,OBJECTS) as a recipe line: a fresh archive, so a removed source leaves
# no stale member behind.
archive = rm -f $(1) && ar rcs $(1) $(2)
