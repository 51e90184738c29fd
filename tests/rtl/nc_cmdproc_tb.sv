// Bench wrapper for tests/rtl/cmdproc_tb.cpp: nc_csr and nc_cmd_proc wired as in nc_top, with
// three stand-in units that take each instruction, hold it for a number of cycles set by the
// bench, and report it done (or never, while hang_i names the unit: a memory that does not
// answer). The stand-in store unit's check port applies the pooling rule that holds with the
// reset STORE_CFG (pool_op none: every STORE pool_pad_* must be 0), enough to exercise the
// port. The fetch AXI port is brought out for the bench's memory model.
module nc_cmdproc_tb
  import nc_pkg::*;
(
  input  logic                   clk_i,         // clock
  input  logic                   rst_ni,        // asynchronous reset, active low
  input  logic                   csr_req_i,     // register bus
  input  logic                   csr_we_i,      //
  input  logic [CsrAddrBits-1:0] csr_addr_i,    //
  input  logic [31:0]            csr_wdata_i,   //
  output logic                   csr_rvalid_o,  //
  output logic [31:0]            csr_rdata_o,   //
  output logic                   irq_o,         // interrupt
  output logic [AxiAddrBits-1:0] araddr_o,      // fetch AXI read
  output logic [7:0]             arlen_o,       //
  output logic [2:0]             arsize_o,      //
  output logic [1:0]             arburst_o,     //
  output logic                   arvalid_o,     //
  input  logic                   arready_i,     //
  input  logic [BusBits-1:0]     rdata_i,       //
  input  logic [1:0]             rresp_i,       //
  input  logic                   rlast_i,       //
  input  logic                   rvalid_i,      //
  output logic                   rready_o,      //
  input  logic [15:0]            unit_lat_i,    // cycles each stand-in unit holds an instruction
  input  logic [2:0]             hang_i,        // per unit: never complete
  output logic [2:0]             executed_o,    // per unit: an instruction taken this cycle
  output logic                   units_halt_o,  // the units' halt
  output logic                   units_srst_o,  // the units' soft reset
  output logic                   units_abort_o  // the units' abort (stand-ins have no AXI)
);

  logic        ctrl_start, ctrl_halt, ctrl_srst, head_we;
  logic [AxiAddrBits-1:0] ring_base, win_base;
  logic [31:0] ring_size, ring_tail, head_wdata, watchdog, win_size, ring_head;
  logic        busy, done, error, fetch_busy, evt_done, evt_error;
  logic [2:0]  unit_busy, evt_retired, perf_busy, perf_stall;
  logic [7:0]  err_code;
  logic [3:0]  err_unit;
  logic [31:0] err_insn, err_info;
  logic [2:0]  cmd_valid, cmd_ready, u_done, u_err, u_idle, u_busy, u_stall;
  // The stand-in units only time instructions; the store check reads the pool pads.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [2:0][InsnBits-1:0] cmd_insn;
  nc_insn_store_t chk_view;
  /* verilator lint_on UNUSEDSIGNAL */
  logic [2:0][7:0]  u_err_code;
  logic [2:0][31:0] u_err_info;
  logic [InsnBits-1:0] chk_insn;
  nc_check_t   store_chk;

  nc_csr u_csr (
    .clk_i          (clk_i),
    .rst_ni         (rst_ni),
    .csr_req_i      (csr_req_i),
    .csr_we_i       (csr_we_i),
    .csr_addr_i     (csr_addr_i),
    .csr_wdata_i    (csr_wdata_i),
    .csr_rvalid_o   (csr_rvalid_o),
    .csr_rdata_o    (csr_rdata_o),
    .irq_o          (irq_o),
    .ctrl_start_o   (ctrl_start),
    .ctrl_halt_o    (ctrl_halt),
    .ctrl_srst_o    (ctrl_srst),
    .ring_base_o    (ring_base),
    .ring_size_o    (ring_size),
    .ring_tail_o    (ring_tail),
    .head_we_o      (head_we),
    .head_wdata_o   (head_wdata),
    .watchdog_o     (watchdog),
    .win_base_o     (win_base),
    .win_size_o     (win_size),
    .ring_head_i    (ring_head),
    .busy_i         (busy),
    .done_i         (done),
    .error_i        (error),
    .fetch_busy_i   (fetch_busy),
    .unit_busy_i    (unit_busy),
    .err_code_i     (err_code),
    .err_unit_i     (err_unit),
    .err_insn_i     (err_insn),
    .err_info_i     (err_info),
    .evt_done_i     (evt_done),
    .evt_error_i    (evt_error),
    .evt_retired_i  (evt_retired),
    .perf_busy_i    (perf_busy),
    .perf_stall_i   (perf_stall),
    .perf_vector_i  (1'b0),
    .perf_rd_bytes_i(16'(rvalid_i ? BusBytes : 0)),
    .perf_wr_bytes_i(16'd0)
  );

  nc_cmd_proc u_cmd (
    .clk_i           (clk_i),
    .rst_ni          (rst_ni),
    .ctrl_start_i    (ctrl_start),
    .ctrl_halt_i     (ctrl_halt),
    .ctrl_srst_i     (ctrl_srst),
    .ring_base_i     (ring_base),
    .ring_size_i     (ring_size),
    .ring_tail_i     (ring_tail),
    .head_we_i       (head_we),
    .head_wdata_i    (head_wdata),
    .watchdog_i      (watchdog),
    .ring_head_o     (ring_head),
    .busy_o          (busy),
    .done_o          (done),
    .error_o         (error),
    .fetch_busy_o    (fetch_busy),
    .unit_busy_o     (unit_busy),
    .err_code_o      (err_code),
    .err_unit_o      (err_unit),
    .err_insn_o      (err_insn),
    .err_info_o      (err_info),
    .evt_done_o      (evt_done),
    .evt_error_o     (evt_error),
    .evt_retired_o   (evt_retired),
    .perf_busy_o     (perf_busy),
    .perf_stall_o    (perf_stall),
    .m_ar_o          ({arburst_o, arsize_o, arlen_o, araddr_o}),
    .m_arvalid_o     (arvalid_o),
    .m_arready_i     (arready_i),
    .m_r_i           ('{last: rlast_i, resp: rresp_i, data: rdata_i}),
    .m_rvalid_i      (rvalid_i),
    .m_rready_o      (rready_o),
    .cmd_valid_o     (cmd_valid),
    .cmd_ready_i     (cmd_ready),
    .cmd_insn_o      (cmd_insn),
    .unit_done_i     (u_done),
    .unit_err_i      (u_err),
    .unit_err_code_i (u_err_code),
    .unit_err_info_i (u_err_info),
    .unit_idle_i     (u_idle),
    .unit_busy_i     (u_busy),
    .unit_stall_i    (u_stall),
    .units_halt_o    (units_halt_o),
    .units_srst_o    (units_srst_o),
    .units_abort_o   (units_abort_o),
    .store_chk_insn_o(chk_insn),
    .store_chk_i     (store_chk),
    // The retirement trace is checked on nc_top (tests/sim/test_sim_trace.c).
    /* verilator lint_off PINCONNECTEMPTY */
    .trace_issue_o     (),
    .trace_issue_idx_o (),
    .trace_issue_op_o  (),
    .trace_retire_o    (),
    .trace_finish_o    (),
    .trace_finish_idx_o(),
    .trace_flush_o     ()
    /* verilator lint_on PINCONNECTEMPTY */
  );

  // Stand-in units: one instruction at a time, unit_lat_i cycles each.
  for (genvar u = 0; u < 3; u++) begin : g_unit
    logic        active_q;
    logic [15:0] left_q;
    assign cmd_ready[u] = !active_q && !units_halt_o;
    assign u_done[u] = active_q && left_q == '0 && !hang_i[u] && !units_halt_o;
    assign u_err[u] = 1'b0;
    assign u_err_code[u] = '0;
    assign u_err_info[u] = '0;
    assign u_idle[u] = !active_q;
    assign u_busy[u] = active_q && !hang_i[u];
    assign u_stall[u] = active_q && hang_i[u];
    assign executed_o[u] = cmd_valid[u] && cmd_ready[u];
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        active_q <= 1'b0;
        left_q <= '0;
      end else if (units_halt_o) begin
        active_q <= 1'b0;  // drops the instruction (a real unit drains its bursts first)
      end else if (cmd_valid[u] && cmd_ready[u]) begin
        active_q <= 1'b1;
        left_q <= unit_lat_i;
      end else if (u_done[u]) begin
        active_q <= 1'b0;
      end else if (active_q && left_q != '0) begin
        left_q <= left_q - 16'd1;
      end
    end
  end

  // Store check with the reset STORE_CFG (pool_op none): every pool_pad_* must be 0.
  assign chk_view = nc_insn_store_t'(chk_insn);
  always_comb begin
    store_chk.err = ErrNone;
    store_chk.info = '0;
    if (chk_view.pool_pad_top != '0) begin
      store_chk.err = ErrFieldRange;
      store_chk.info = NC_INSN_STORE_POOL_PAD_TOP_LSB;
    end else if (chk_view.pool_pad_bottom != '0) begin
      store_chk.err = ErrFieldRange;
      store_chk.info = NC_INSN_STORE_POOL_PAD_BOTTOM_LSB;
    end else if (chk_view.pool_pad_left != '0) begin
      store_chk.err = ErrFieldRange;
      store_chk.info = NC_INSN_STORE_POOL_PAD_LEFT_LSB;
    end else if (chk_view.pool_pad_right != '0) begin
      store_chk.err = ErrFieldRange;
      store_chk.info = NC_INSN_STORE_POOL_PAD_RIGHT_LSB;
    end
  end

  // The bench reads these through the registers; the rest only matters to the real units.
  logic unused;
  assign unused = ^{win_base, win_size};

endmodule
