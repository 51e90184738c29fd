# The RTL's source manifest: every module of hw/rtl, level by level, with the modules (and the
# package) it uses. A module uses only modules of lower levels, so listing the levels in order
# gives Verilator a file order in which everything is declared before it is used.
#
# The build takes every source list from here (rtl_files, below): the whole accelerator for
# nc_top, and for each unit bench only the modules its unit needs. mk/check_rtl_manifest.py
# (run by make test) checks this file against the sources: each module's instances and package
# references, and that no module uses one of its own level or above.

NC_RTL_LEVELS := 0 1 2 3 4

# Level 0: the package and the primitives that use nothing.
NC_RTL_LEVEL_0 := nc_pkg nc_implies nc_hold_watch nc_delay nc_fifo nc_requant
NC_RTL_USES_nc_pkg :=
NC_RTL_USES_nc_implies :=
NC_RTL_USES_nc_hold_watch :=
NC_RTL_USES_nc_delay :=
NC_RTL_USES_nc_fifo :=
NC_RTL_USES_nc_requant :=

# Level 1: the array's rows, the memories, the register file, the AXI slice and DMA engines,
# the command processor.
NC_RTL_LEVEL_1 := nc_pe_row nc_spad nc_acc nc_csr nc_reg_slice nc_dma_rd nc_dma_wr \
  nc_axi_rd_mux nc_cmd_proc
NC_RTL_USES_nc_pe_row := nc_pkg
NC_RTL_USES_nc_spad := nc_pkg
NC_RTL_USES_nc_acc := nc_pkg
NC_RTL_USES_nc_csr := nc_pkg
NC_RTL_USES_nc_reg_slice := nc_hold_watch
NC_RTL_USES_nc_dma_rd := nc_pkg nc_fifo nc_hold_watch nc_implies
NC_RTL_USES_nc_dma_wr := nc_pkg nc_fifo nc_hold_watch nc_implies
NC_RTL_USES_nc_axi_rd_mux := nc_pkg nc_hold_watch
NC_RTL_USES_nc_cmd_proc := nc_pkg nc_fifo nc_hold_watch nc_implies

# Level 2: the systolic array, the load and store units.
NC_RTL_LEVEL_2 := nc_systolic_array nc_load_unit nc_store_unit
NC_RTL_USES_nc_systolic_array := nc_pkg nc_hold_watch nc_pe_row
NC_RTL_USES_nc_load_unit := nc_pkg nc_dma_rd nc_fifo nc_hold_watch nc_implies
NC_RTL_USES_nc_store_unit := nc_pkg nc_dma_rd nc_dma_wr nc_fifo nc_hold_watch nc_implies \
  nc_requant

# Level 3: the compute unit around the array.
NC_RTL_LEVEL_3 := nc_compute_unit
NC_RTL_USES_nc_compute_unit := nc_pkg nc_delay nc_fifo nc_hold_watch nc_implies \
  nc_systolic_array

# Level 4: the accelerator.
NC_RTL_LEVEL_4 := nc_top
NC_RTL_USES_nc_top := nc_pkg nc_acc nc_axi_rd_mux nc_cmd_proc nc_compute_unit nc_csr \
  nc_load_unit nc_reg_slice nc_spad nc_store_unit

# Every module, lowest level first.
NC_RTL_ORDER := $(foreach l,$(NC_RTL_LEVELS),$(NC_RTL_LEVEL_$(l)))
# The modules $(1) use, directly or not, and themselves.
rtl_closure = $(sort $(1) $(foreach m,$(1),$(call rtl_closure,$(NC_RTL_USES_$(m)))))
# The source files of modules $(1) and of everything they use, in level order.
rtl_files = $(foreach m,$(NC_RTL_ORDER),$(if $(filter $(m),$(call rtl_closure,$(1))),hw/rtl/$(m).sv))
