# The ONNX protobuf parser: protoc-c generates it at build time from the onnx.proto that
# Debian's libonnx-dev ships (no hand-written decoder, nothing downloaded). host/onnx.c
# includes the generated header; the generated code links into libnc_host with
# libprotobuf-c.

ONNX_PROTO ?= /usr/include/onnx/onnx.proto
PROTOC_C ?= protoc-c
ONNX_GEN_DIR := $(BUILD)/gen/onnx
ONNX_GEN_C := $(ONNX_GEN_DIR)/onnx.pb-c.c
ONNX_GEN_H := $(ONNX_GEN_DIR)/onnx.pb-c.h
ONNX_OBJ := $(BUILD)/rel/gen/onnx/onnx.pb-c.o
ONNX_OBJ_SAN := $(BUILD)/san/gen/onnx/onnx.pb-c.o
ONNX_OBJ_PIC := $(BUILD)/pic/gen/onnx/onnx.pb-c.o
# The generated file is not ours to keep warning-free; it is compiled without -Werror.
ONNX_CFLAGS := $(CPPFLAGS) -I$(ONNX_GEN_DIR) -w

# protoc-c names its outputs after the .proto, written next to a copy of it.
$(ONNX_GEN_C): $(ONNX_PROTO) mk/onnx.mk
	@mkdir -p $(@D)
	cp $(ONNX_PROTO) $(ONNX_GEN_DIR)/onnx.proto
	cd $(ONNX_GEN_DIR) && $(PROTOC_C) --c_out=. onnx.proto
$(ONNX_GEN_H): $(ONNX_GEN_C)

$(ONNX_OBJ): $(ONNX_GEN_C)
	@mkdir -p $(@D)
	$(CC) $(ONNX_CFLAGS) $(CFLAGS_REL) -c $< -o $@

$(ONNX_OBJ_SAN): $(ONNX_GEN_C)
	@mkdir -p $(@D)
	$(CC) $(ONNX_CFLAGS) $(CFLAGS_SAN) -c $< -o $@

$(ONNX_OBJ_PIC): $(ONNX_GEN_C)
	@mkdir -p $(@D)
	$(CC) $(ONNX_CFLAGS) $(CFLAGS_REL) -fPIC -c $< -o $@

# The loader and the writer see the generated header, and wait for it.
ONNX_USERS := host/onnx.c host/onnx_save.c
$(call obj,rel,$(ONNX_USERS)) $(call obj,san,$(ONNX_USERS)) $(call obj,pic,$(ONNX_USERS)): \
  CPPFLAGS += -I$(ONNX_GEN_DIR)
$(call obj,rel,$(ONNX_USERS)) $(call obj,san,$(ONNX_USERS)) $(call obj,pic,$(ONNX_USERS)): \
  $(ONNX_GEN_H)

# The loader's error tests build their bad models with the generated code.
$(call obj,rel,tests/host/test_onnx_errors.c) $(call obj,san,tests/host/test_onnx_errors.c): \
  CPPFLAGS += -I$(ONNX_GEN_DIR)
$(call obj,rel,tests/host/test_onnx_errors.c) $(call obj,san,tests/host/test_onnx_errors.c): \
  $(ONNX_GEN_H)
