# icd/: the neocog OpenCL ICD, a shared library the system's ICD loader (ocl-icd, or the
# Khronos loader) loads next to POCL and GPU drivers. One platform, "neocog", whose devices
# are the functional model and the RTL (and the lockstep pair with NEOCOG_ICD_LOCKSTEP=1),
# running built-in kernels through the runtime of host/. On top of every layer.
#
#   make icd           $(ICD_LIB) and $(ICD_VENDORS_DIR)/neocog.icd, for
#                      OCL_ICD_VENDORS=$(ICD_VENDORS_DIR) without installing
#   make install-icd [PREFIX=/usr/local] [ICD_VENDORS=/etc/OpenCL/vendors]
#                      the library into PREFIX/lib and its .icd file into ICD_VENDORS,
#                      where the loader finds it; a PREFIX install without root writes
#                      ICD_VENDORS=PREFIX/etc/OpenCL/vendors and sets OCL_ICD_VENDORS to it
#   make uninstall-icd [PREFIX=...] [ICD_VENDORS=...]
#
# The library is linked from the ICD's own position-independent objects and an archive of
# the layers' ($(PIC_OBJ), the objects of libneocog.so), so it carries only what the
# built-in kernels use. Its version script (icd/neocog_icd.map) exports the loader's three
# entry points and keeps everything else local. $(ICD_LIB_SAN) has the ICD's own objects
# under ASan+UBSan, for the sanitized tests.

ICD_SRC := $(sort $(wildcard icd/*.c))
ICD_PIC_OBJ := $(call obj,pic,$(ICD_SRC))
ICD_SAN_OBJ := $(patsubst %.c,$(BUILD)/picsan/%.o,$(ICD_SRC))
PIC_ARCHIVE := $(BUILD)/lib/libneocog_pic.a
ICD_LIB := $(BUILD)/lib/libneocog_icd.so
ICD_LIB_SAN := $(BUILD)/lib/libneocog_icd_san.so
ICD_VENDORS_DIR := $(BUILD)/icd/vendors
ICD_VENDORS_SAN_DIR := $(BUILD)/icd/vendors-san
ICD_FILES := $(ICD_VENDORS_DIR)/neocog.icd $(ICD_VENDORS_SAN_DIR)/neocog.icd
ICD_LDFLAGS := -shared -Wl,-soname,libneocog_icd.so -Wl,--version-script=icd/neocog_icd.map \
  -Wl,-Bsymbolic -Wl,--no-undefined

$(BUILD)/picsan/%.o: %.c | $(NC_HW_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -fPIC -c $< -o $@

$(PIC_ARCHIVE): $(PIC_OBJ)
	@mkdir -p $(@D)
	$(call archive,$@,$^)

$(ICD_LIB): $(ICD_PIC_OBJ) $(PIC_ARCHIVE) icd/neocog_icd.map
	@mkdir -p $(@D)
	$(CC) $(ICD_LDFLAGS) $(ICD_PIC_OBJ) $(PIC_ARCHIVE) -lpthread -lstdc++ -lz -lm -o $@

$(ICD_LIB_SAN): $(ICD_SAN_OBJ) $(PIC_ARCHIVE) icd/neocog_icd.map
	@mkdir -p $(@D)
	$(CC) -fsanitize=address,undefined $(ICD_LDFLAGS) $(ICD_SAN_OBJ) $(PIC_ARCHIVE) \
	  -lpthread -lstdc++ -lz -lm -o $@

# The loader reads one line: the library's path.
$(ICD_VENDORS_DIR)/neocog.icd: $(ICD_LIB)
	@mkdir -p $(@D)
	@echo "$(abspath $(ICD_LIB))" > $@

$(ICD_VENDORS_SAN_DIR)/neocog.icd: $(ICD_LIB_SAN)
	@mkdir -p $(@D)
	@echo "$(abspath $(ICD_LIB_SAN))" > $@

.PHONY: icd install-icd uninstall-icd
icd: $(ICD_LIB) $(ICD_FILES)

ICD_VENDORS ?= /etc/OpenCL/vendors
install-icd: $(ICD_LIB)
	install -d $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(ICD_VENDORS)
	install -m 755 $(ICD_LIB) $(DESTDIR)$(PREFIX)/lib/libneocog_icd.so
	echo "$(PREFIX)/lib/libneocog_icd.so" > $(DESTDIR)$(ICD_VENDORS)/neocog.icd

uninstall-icd:
	rm -f $(DESTDIR)$(PREFIX)/lib/libneocog_icd.so $(DESTDIR)$(ICD_VENDORS)/neocog.icd

# The ICD's tests (tests/icd/): the plain OpenCL API through the system's loader
# (-lOpenCL), pointed at this build's vendors directory, with the layers linked for the
# golden reference. Optimized against $(ICD_LIB), sanitized against $(ICD_LIB_SAN).
ICD_TEST_SRC := $(sort $(wildcard tests/icd/*.c))
ICD_TESTS := $(BUILD)/tests/neocog_icd_tests
ICD_TESTS_SAN := $(BUILD)/tests/neocog_icd_tests_san

$(call obj,rel,$(ICD_TEST_SRC)): CPPFLAGS += \
  -DNC_TEST_ICD_VENDORS='"$(abspath $(ICD_VENDORS_DIR))"'
$(call obj,san,$(ICD_TEST_SRC)): CPPFLAGS += \
  -DNC_TEST_ICD_VENDORS='"$(abspath $(ICD_VENDORS_SAN_DIR))"'

$(ICD_TESTS): $(call obj,rel,$(ICD_TEST_SRC)) $(LAYER_LIBS) | $(ICD_VENDORS_DIR)/neocog.icd
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $(filter %.o %.a,$^) -lcriterion $(LDLIBS) -o $@

$(ICD_TESTS_SAN): $(call obj,san,$(ICD_TEST_SRC)) $(LAYER_LIBS_SAN) | \
    $(ICD_VENDORS_SAN_DIR)/neocog.icd
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_SAN) $(filter %.o %.a,$^) -lcriterion $(LDLIBS) -o $@

# The OpenCL path's overhead over the runtime (bench/bench_icd.c): linked from the same
# position-independent objects as the ICD, so both arms run the same simulator build.
$(BUILD)/rel/bench/bench_icd.o: CPPFLAGS += \
  -DNC_BENCH_ICD_VENDORS='"$(abspath $(ICD_VENDORS_DIR))"'

$(BUILD)/bench/bench_icd: $(BUILD)/rel/bench/bench_icd.o $(PIC_ARCHIVE) | \
    $(ICD_VENDORS_DIR)/neocog.icd
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $< $(PIC_ARCHIVE) $(LDLIBS) -o $@

# The example host program (examples/opencl/): the Khronos headers and the loader only.
ICD_EXAMPLE := $(BUILD)/examples/opencl/worked_conv

$(ICD_EXAMPLE): examples/opencl/worked_conv.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_REL) $< -lOpenCL -o $@

# The loader both ways, clinfo, install-icd into a scratch PREFIX, the CLI through the ICD
# and the example on POCL and neocog (tests/icd/icd_loader_test.sh, run by make test).
TEST_SCRIPTS += tests/icd/icd_loader_test.sh
