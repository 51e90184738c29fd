# Installing neocog for programs outside the tree:
#
#   make install [PREFIX=/usr/local] [DESTDIR=...]
#   make uninstall [PREFIX=...]
#
# installs the CLI, libneocog.a, libneocog.so (soname libneocog.so.MAJOR; it exports only the
# nc_ API, mk/neocog.map), the public headers in one include/neocog/ and neocog.pc:
#
#   cc $(pkg-config --cflags --libs neocog) prog.c
#
# works as written (the library before the program's objects) because neocog.pc links the
# library with --no-as-needed, which Debian's GCC otherwise applies and which would drop it.
#
# The shared library is built from position-independent objects of its own ($(BUILD)/pic/),
# with a Verilated model compiled for it (with the static one's profile feedback).

PREFIX ?= /usr/local
DESTDIR ?=
NC_VERSION := $(shell sed -n 's/^\#define NC_VERSION_STRING "\(.*\)"$$/\1/p' base/include/neocog/version.h)
NC_SOMAJOR := $(word 1,$(subst ., ,$(NC_VERSION)))
SHLIB_NAME := libneocog.so.$(NC_VERSION)
SHLIB_SONAME := libneocog.so.$(NC_SOMAJOR)
SHLIB := $(BUILD)/lib/$(SHLIB_NAME)
PKGCONFIG := $(BUILD)/lib/pkgconfig/neocog.pc
# The headers a user includes; internal ones (error.h, timing.h, axi_mem.h, ncw.h) stay out.
PUBLIC_HEADERS := $(addprefix base/include/neocog/,dtype.h quant.h status.h version.h) \
  $(NC_HW_H) sim/include/neocog/sim.h sim/model/include/neocog/model.h \
  sim/rtl/include/neocog/rtl.h driver/include/neocog/drv.h $(sort $(wildcard host/include/neocog/*.h))
INSTALLED := bin/neocog lib/libneocog.a lib/$(SHLIB_NAME) lib/$(SHLIB_SONAME) lib/libneocog.so \
  lib/pkgconfig/neocog.pc $(addprefix include/neocog/,$(notdir $(PUBLIC_HEADERS)))

PIC_OBJ := $(call obj,pic,$(BASE_SRC) $(SIM_CORE_SRC) $(SIM_MODEL_SRC) $(DRIVER_SRC) $(HOST_SRC)) \
  $(BUILD)/pic/gen/kernels_cl.o $(ONNX_OBJ_PIC) $(SIM_RTL_OBJ_PIC)

$(BUILD)/pic/%.o: %.c | $(NC_HW_H)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -fPIC -c $< -o $@

$(BUILD)/pic/gen/kernels_cl.o: $(CL_GEN)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_REL) -fPIC -c $< -o $@

$(SHLIB): $(PIC_OBJ) mk/neocog.map
	@mkdir -p $(@D)
	$(CC) -shared -Wl,-soname,$(SHLIB_SONAME) -Wl,--version-script=mk/neocog.map \
	  -Wl,--no-undefined $(PIC_OBJ) $(LDLIBS) -o $@

$(PKGCONFIG): mk/install.mk base/include/neocog/version.h
	@mkdir -p $(@D)
	@printf '%s\n' 'prefix=$(PREFIX)' 'exec_prefix=$${prefix}' 'libdir=$${exec_prefix}/lib' \
	  'includedir=$${prefix}/include' '' 'Name: neocog' \
	  'Description: int8 convolution/pooling accelerator: golden reference, planner, driver, functional model, RTL simulation, OpenCL' \
	  'Version: $(NC_VERSION)' \
	  'Cflags: -I$${includedir}' \
	  'Libs: -L$${libdir} -Wl,--push-state,--no-as-needed -lneocog -Wl,--pop-state' \
	  'Libs.private: $(LDLIBS)' > $@

.PHONY: install uninstall
# The .pc file names PREFIX: it is written anew at each install.
install: $(BIN) $(LIB) $(SHLIB)
	@rm -f $(PKGCONFIG) && $(MAKE) --no-print-directory $(PKGCONFIG) PREFIX=$(PREFIX)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/include/neocog
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/neocog
	install -m 644 $(LIB) $(DESTDIR)$(PREFIX)/lib/libneocog.a
	install -m 755 $(SHLIB) $(DESTDIR)$(PREFIX)/lib/$(SHLIB_NAME)
	ln -sf $(SHLIB_NAME) $(DESTDIR)$(PREFIX)/lib/$(SHLIB_SONAME)
	ln -sf $(SHLIB_SONAME) $(DESTDIR)$(PREFIX)/lib/libneocog.so
	install -m 644 $(PUBLIC_HEADERS) $(DESTDIR)$(PREFIX)/include/neocog/
	install -m 644 $(PKGCONFIG) $(DESTDIR)$(PREFIX)/lib/pkgconfig/neocog.pc

uninstall:
	rm -f $(addprefix $(DESTDIR)$(PREFIX)/,$(INSTALLED))
	-rmdir $(DESTDIR)$(PREFIX)/include/neocog 2>/dev/null
