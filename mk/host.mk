# host/: tensors and .npy files, layers and the golden CPU reference, the planner (lowering,
# tiling, instruction streams, cost model), the OpenCL runner, networks, and graphs with the
# ONNX loader (mk/onnx.mk generates its parser). Uses driver, sim and base.
#
# The OpenCL kernels (kernels/*.cl) are embedded into the library by mk/embed.py, so a
# program finds them from any directory.

HOST_SRC := $(sort $(wildcard host/*.c))

CL_SRC := kernels/common.cl $(filter-out kernels/common.cl,$(sort $(wildcard kernels/*.cl)))
CL_GEN := $(BUILD)/gen/kernels_cl.c
HOST_OBJ := $(call obj,rel,$(HOST_SRC)) $(BUILD)/rel/gen/kernels_cl.o $(ONNX_OBJ)
HOST_OBJ_SAN := $(call obj,san,$(HOST_SRC)) $(BUILD)/san/gen/kernels_cl.o $(ONNX_OBJ_SAN)

$(CL_GEN): mk/embed.py $(CL_SRC)
	@mkdir -p $(@D)
	$(PYTHON) mk/embed.py $@ $(CL_SRC)

$(BUILD)/rel/gen/kernels_cl.o: $(CL_GEN)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -c $< -o $@

$(BUILD)/san/gen/kernels_cl.o: $(CL_GEN)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -c $< -o $@

$(HOST_LIB): $(HOST_OBJ)
	@mkdir -p $(@D)
	$(call archive,$@,$^)

$(HOST_LIB_SAN): $(HOST_OBJ_SAN)
	@mkdir -p $(@D)
	$(call archive,$@,$^)
