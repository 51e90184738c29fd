// neocog accelerator top level: registers, command processor, load/compute/store units,
// scratchpad, accumulator and the AXI4 master port (hw/rtl/README.md, "nc_top ports").
//
// Each AXI channel passes through a register slice (nc_reg_slice) at the port.
module nc_top
  import nc_pkg::*;
(
  input  logic                   clk_i,            // clock
  input  logic                   rst_ni,           // asynchronous reset, active low
  // Register bus
  input  logic                   csr_req_i,        // request this cycle
  input  logic                   csr_we_i,         // 1 write, 0 read
  input  logic [CsrAddrBits-1:0] csr_addr_i,       // byte offset
  input  logic [31:0]            csr_wdata_i,      // write data
  output logic                   csr_rvalid_o,     // read data valid, the cycle after a read
  output logic [31:0]            csr_rdata_o,      // read data
  output logic                   irq_o,            // interrupt
  // AXI4 master
  output logic [AxiIdBits-1:0]   m_axi_arid,       // read address channel
  output logic [AxiAddrBits-1:0] m_axi_araddr,     //
  output logic [7:0]             m_axi_arlen,      //
  output logic [2:0]             m_axi_arsize,     //
  output logic [1:0]             m_axi_arburst,    //
  output logic                   m_axi_arvalid,    //
  input  logic                   m_axi_arready,    //
  input  logic [AxiIdBits-1:0]   m_axi_rid,        // read data channel
  input  logic [BusBits-1:0]     m_axi_rdata,      //
  input  logic [1:0]             m_axi_rresp,      //
  input  logic                   m_axi_rlast,      //
  input  logic                   m_axi_rvalid,     //
  output logic                   m_axi_rready,     //
  output logic [AxiIdBits-1:0]   m_axi_awid,       // write address channel
  output logic [AxiAddrBits-1:0] m_axi_awaddr,     //
  output logic [7:0]             m_axi_awlen,      //
  output logic [2:0]             m_axi_awsize,     //
  output logic [1:0]             m_axi_awburst,    //
  output logic                   m_axi_awvalid,    //
  input  logic                   m_axi_awready,    //
  output logic [BusBits-1:0]     m_axi_wdata,      // write data channel
  output logic [BusBytes-1:0]    m_axi_wstrb,      //
  output logic                   m_axi_wlast,      //
  output logic                   m_axi_wvalid,     //
  input  logic                   m_axi_wready,     //
  input  logic [AxiIdBits-1:0]   m_axi_bid,        // write response channel
  input  logic [1:0]             m_axi_bresp,      //
  input  logic                   m_axi_bvalid,     //
  output logic                   m_axi_bready,     //
  // Retirement trace (nc_cmd_proc, "Trace"): what the last rising edge issued and retired
  output logic [2:0]             trace_issue_o,      // per queue (load, compute, store)
  output logic [2:0][31:0]       trace_issue_idx_o,  // ring index of each issue
  output logic [2:0][3:0]        trace_issue_op_o,   // opcode of each issue
  output logic [2:0]             trace_retire_o,     // per queue: oldest issued retired
  output logic                   trace_finish_o,     // a FINISH retired
  output logic [31:0]            trace_finish_idx_o, // its ring index
  output logic                   trace_flush_o       // issued, unretired work dropped
);

  // ---------------------------------------------------------------------------------------------
  // Registers and command processor

  logic                   ctrl_start, ctrl_halt, ctrl_srst, head_we;
  logic [AxiAddrBits-1:0] ring_base, win_base;
  logic [31:0]            ring_size, ring_tail, head_wdata, watchdog, win_size, ring_head;
  logic                   busy, done, error, fetch_busy, evt_done, evt_error;
  logic [2:0]             unit_busy, evt_retired, perf_busy, perf_stall;
  logic [7:0]             err_code;
  logic [3:0]             err_unit;
  logic [31:0]            err_insn, err_info;
  logic [2:0]             cmd_valid, cmd_ready, u_done, u_err, u_idle, u_busy, u_stall;
  logic [2:0][InsnBits-1:0] cmd_insn;
  logic [2:0][7:0]        u_err_code;
  logic [2:0][31:0]       u_err_info;
  nc_err_e                u_err_code_e[3];
  logic                   halt, srst, abort, macs;
  logic [InsnBits-1:0]    chk_insn;
  nc_check_t              store_chk;
  logic [15:0]            rd_bytes, wr_bytes;

  // The AXI channels between the units and the port's register slices (nc_pkg's channel
  // structs, valid and ready beside them).
  logic [AxiIdBits-1:0]   ar_id, r_id;
  nc_axi_ar_t             ar;
  nc_axi_r_t              r;
  nc_axi_aw_t             aw;
  nc_axi_w_t              w;
  nc_axi_b_t              b;
  logic                   ar_valid, ar_ready, r_valid, r_ready;
  logic                   aw_valid, aw_ready, w_valid, w_ready, b_valid, b_ready;

  // Read masters: 0 fetch, 1 load, 2 store (LOAD_PARAM). They see the same R beat, rm_r, each
  // its own valid.
  nc_axi_ar_t             rm_ar[3];
  nc_axi_r_t              rm_r;
  logic [2:0]             rm_arvalid, rm_arready, rm_rvalid, rm_rready;

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
    .perf_vector_i  (macs),
    .perf_rd_bytes_i(rd_bytes),
    .perf_wr_bytes_i(wr_bytes)
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
    .m_ar_o          (rm_ar[0]),
    .m_arvalid_o     (rm_arvalid[0]),
    .m_arready_i     (rm_arready[0]),
    .m_r_i           (rm_r),
    .m_rvalid_i      (rm_rvalid[0]),
    .m_rready_o      (rm_rready[0]),
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
    .units_halt_o    (halt),
    .units_srst_o    (srst),
    .units_abort_o   (abort),
    .store_chk_insn_o(chk_insn),
    .store_chk_i     (store_chk),
    .trace_issue_o     (trace_issue_o),
    .trace_issue_idx_o (trace_issue_idx_o),
    .trace_issue_op_o  (trace_issue_op_o),
    .trace_retire_o    (trace_retire_o),
    .trace_finish_o    (trace_finish_o),
    .trace_finish_idx_o(trace_finish_idx_o),
    .trace_flush_o     (trace_flush_o)
  );

  for (genvar u = 0; u < 3; u++) begin : g_err_code
    assign u_err_code[u] = u_err_code_e[u];
  end

  // ---------------------------------------------------------------------------------------------
  // Memories

  logic                            spad_we, spad_a_re, spad_b_re, spad_b_gnt;
  logic [SpadAddrBits-1:0]         spad_waddr, spad_a_raddr, spad_b_raddr;
  logic [Rows-1:0][InpBits-1:0]    spad_wdata, spad_a_rdata, spad_b_rdata;
  logic                            acc_wr_valid, acc_wr_accum, acc_re;
  logic [AccAddrBits-1:0]          acc_wr_addr, acc_raddr;
  logic [Cols-1:0][AccBits-1:0]    acc_wr_data, acc_rdata;

  nc_spad u_spad (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .we_i     (spad_we),
    .waddr_i  (spad_waddr),
    .wdata_i  (spad_wdata),
    .a_re_i   (spad_a_re),
    .a_raddr_i(spad_a_raddr),
    .a_rdata_o(spad_a_rdata),
    .b_re_i   (spad_b_re),
    .b_raddr_i(spad_b_raddr),
    .b_gnt_o  (spad_b_gnt),
    .b_rdata_o(spad_b_rdata)
  );

  nc_acc u_acc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .wr_valid_i(acc_wr_valid),
    .wr_addr_i (acc_wr_addr),
    .wr_accum_i(acc_wr_accum),
    .wr_data_i (acc_wr_data),
    .rd_en_i   (acc_re),
    .rd_addr_i (acc_raddr),
    .rd_data_o (acc_rdata)
  );

  // ---------------------------------------------------------------------------------------------
  // Units

  nc_load_unit u_load (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .cmd_valid_i (cmd_valid[0]),
    .cmd_ready_o (cmd_ready[0]),
    .cmd_insn_i  (cmd_insn[0]),
    .done_o      (u_done[0]),
    .err_o       (u_err[0]),
    .err_code_o  (u_err_code_e[0]),
    .err_info_o  (u_err_info[0]),
    .halt_i      (halt),
    .abort_i     (abort),
    .srst_i      (srst),
    .idle_o      (u_idle[0]),
    .busy_o      (u_busy[0]),
    .stall_o     (u_stall[0]),
    .win_base_i  (win_base),
    .win_size_i  (win_size),
    .m_ar_o      (rm_ar[1]),
    .m_arvalid_o (rm_arvalid[1]),
    .m_arready_i (rm_arready[1]),
    .m_r_i       (rm_r),
    .m_rvalid_i  (rm_rvalid[1]),
    .m_rready_o  (rm_rready[1]),
    .spad_we_o   (spad_we),
    .spad_waddr_o(spad_waddr),
    .spad_wdata_o(spad_wdata)
  );

  nc_compute_unit u_compute (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .cmd_valid_i   (cmd_valid[1]),
    .cmd_ready_o   (cmd_ready[1]),
    .cmd_insn_i    (cmd_insn[1]),
    .done_o        (u_done[1]),
    .err_o         (u_err[1]),
    .err_code_o    (u_err_code_e[1]),
    .err_info_o    (u_err_info[1]),
    .halt_i        (halt),
    .srst_i        (srst),
    .idle_o        (u_idle[1]),
    .busy_o        (u_busy[1]),
    .stall_o       (u_stall[1]),
    .macs_o        (macs),
    .spad_a_re_o   (spad_a_re),
    .spad_a_raddr_o(spad_a_raddr),
    .spad_a_rdata_i(spad_a_rdata),
    .spad_b_re_o   (spad_b_re),
    .spad_b_raddr_o(spad_b_raddr),
    .spad_b_gnt_i  (spad_b_gnt),
    .spad_b_rdata_i(spad_b_rdata),
    .acc_wr_valid_o(acc_wr_valid),
    .acc_wr_addr_o (acc_wr_addr),
    .acc_wr_accum_o(acc_wr_accum),
    .acc_wr_data_o (acc_wr_data)
  );

  nc_store_unit u_store (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .cmd_valid_i (cmd_valid[2]),
    .cmd_ready_o (cmd_ready[2]),
    .cmd_insn_i  (cmd_insn[2]),
    .done_o      (u_done[2]),
    .err_o       (u_err[2]),
    .err_code_o  (u_err_code_e[2]),
    .err_info_o  (u_err_info[2]),
    .halt_i      (halt),
    .abort_i     (abort),
    .srst_i      (srst),
    .idle_o      (u_idle[2]),
    .busy_o      (u_busy[2]),
    .stall_o     (u_stall[2]),
    .win_base_i  (win_base),
    .win_size_i  (win_size),
    .chk_insn_i  (chk_insn),
    .chk_o       (store_chk),
    .acc_re_o    (acc_re),
    .acc_raddr_o (acc_raddr),
    .acc_rdata_i (acc_rdata),
    .m_ar_o      (rm_ar[2]),
    .m_arvalid_o (rm_arvalid[2]),
    .m_arready_i (rm_arready[2]),
    .m_r_i       (rm_r),
    .m_rvalid_i  (rm_rvalid[2]),
    .m_rready_o  (rm_rready[2]),
    .m_aw_o      (aw),
    .m_awvalid_o (aw_valid),
    .m_awready_i (aw_ready),
    .m_w_o       (w),
    .m_wvalid_o  (w_valid),
    .m_wready_i  (w_ready),
    .m_b_i       (b),
    .m_bvalid_i  (b_valid),
    .m_bready_o  (b_ready)
  );

  // ---------------------------------------------------------------------------------------------
  // Read multiplexer: three read masters onto the AR/R channels, R routed back by ID

  nc_axi_rd_mux u_rd_mux (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .s_ar_i     (rm_ar),
    .s_arvalid_i(rm_arvalid),
    .s_arready_o(rm_arready),
    .s_r_o      (rm_r),
    .s_rvalid_o (rm_rvalid),
    .s_rready_i (rm_rready),
    .m_arid_o   (ar_id),
    .m_ar_o     (ar),
    .m_arvalid_o(ar_valid),
    .m_arready_i(ar_ready),
    .m_rid_i    (r_id),
    .m_r_i      (r),
    .m_rvalid_i (r_valid),
    .m_rready_o (r_ready)
  );

  // ---------------------------------------------------------------------------------------------
  // AXI port: a register slice on each channel (nc_reg_slice), so every output of the port is a
  // register and every input goes straight into one. The port's bursts, IDs and responses are
  // the units' own; each channel is one cycle longer.

  // Each slice's payload is the channel struct (with the ID in front on AR and R); the port's
  // flat signals are its members, in the struct's order.
  nc_reg_slice #(.Width(AxiIdBits + $bits(nc_axi_ar_t))) u_ar_slice (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .s_valid_i (ar_valid),
    .s_data_i  ({ar_id, ar}),
    .s_ready_o (ar_ready),
    .m_valid_o (m_axi_arvalid),
    .m_data_o  ({m_axi_arid, m_axi_arburst, m_axi_arsize, m_axi_arlen, m_axi_araddr}),
    .m_ready_i (m_axi_arready)
  );

  nc_reg_slice #(.Width(AxiIdBits + $bits(nc_axi_r_t))) u_r_slice (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .s_valid_i (m_axi_rvalid),
    .s_data_i  ({m_axi_rid, m_axi_rlast, m_axi_rresp, m_axi_rdata}),
    .s_ready_o (m_axi_rready),
    .m_valid_o (r_valid),
    .m_data_o  ({r_id, r}),
    .m_ready_i (r_ready)
  );

  // The store unit is the only writer: one write ID.
  assign m_axi_awid = '0;

  nc_reg_slice #(.Width($bits(nc_axi_aw_t))) u_aw_slice (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .s_valid_i (aw_valid),
    .s_data_i  (aw),
    .s_ready_o (aw_ready),
    .m_valid_o (m_axi_awvalid),
    .m_data_o  ({m_axi_awburst, m_axi_awsize, m_axi_awlen, m_axi_awaddr}),
    .m_ready_i (m_axi_awready)
  );

  nc_reg_slice #(.Width($bits(nc_axi_w_t))) u_w_slice (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .s_valid_i (w_valid),
    .s_data_i  (w),
    .s_ready_o (w_ready),
    .m_valid_o (m_axi_wvalid),
    .m_data_o  ({m_axi_wlast, m_axi_wstrb, m_axi_wdata}),
    .m_ready_i (m_axi_wready)
  );

  // One write ID: the B channel's ID carries nothing.
  nc_reg_slice #(.Width($bits(nc_axi_b_t))) u_b_slice (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .s_valid_i (m_axi_bvalid),
    .s_data_i  (m_axi_bresp),
    .s_ready_o (m_axi_bready),
    .m_valid_o (b_valid),
    .m_data_o  (b),
    .m_ready_i (b_ready)
  );

  logic unused_bid;
  assign unused_bid = ^m_axi_bid;

  // Performance: bytes moved between the units and the port, R beats whole, W beats by their
  // strobes (each beat crosses its slice once, so the totals are the port's).
  always_comb begin
    rd_bytes = (r_valid && r_ready) ? 16'(BusBytes) : 16'd0;
    wr_bytes = '0;
    if (w_valid && w_ready) begin
      for (int unsigned i = 0; i < BusBytes; i++) begin
        wr_bytes = wr_bytes + 16'(w.strb[i]);
      end
    end
  end

`ifdef NC_COVER
  // Functional cover points of the AXI port (regress/testplan.md names the feature and tests of
  // each); only in the coverage build (+define+NC_COVER). They sample the port's outputs
  // (registers) and nc_top's inputs themselves.
  // the memory holds a read request off
  cp_axi_ar_stall: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_arvalid && !m_axi_arready);
  // the memory holds a write request off
  cp_axi_aw_stall: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_awvalid && !m_axi_awready);
  // the memory holds a write beat off
  cp_axi_w_stall: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_wvalid && !m_axi_wready);
  // a read burst of instruction fetch
  cp_axi_ar_fetch: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_arvalid && m_axi_arid == AxiIdBits'(0));
  // a read burst of the load unit
  cp_axi_ar_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_arvalid && m_axi_arid == AxiIdBits'(1));
  // a read burst of LOAD_PARAM
  cp_axi_ar_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_arvalid && m_axi_arid == AxiIdBits'(2));
  // a read burst of the longest length
  cp_axi_ar_max_len: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_arvalid && 32'(m_axi_arlen) == AxiMaxBeats - 1);
  // a write burst of the longest length
  cp_axi_aw_max_len: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_awvalid && 32'(m_axi_awlen) == AxiMaxBeats - 1);
  // a read burst cut at a 4 KiB boundary
  cp_axi_ar_4k: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_arvalid && 32'(m_axi_araddr[11:0]) + (32'(m_axi_arlen) + 1) * BusBytes == 4096 &&
      32'(m_axi_arlen) != AxiMaxBeats - 1);
  // a write burst cut at a 4 KiB boundary
  cp_axi_aw_4k: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_awvalid && 32'(m_axi_awaddr[11:0]) + (32'(m_axi_awlen) + 1) * BusBytes == 4096 &&
      32'(m_axi_awlen) != AxiMaxBeats - 1);
  // a write beat with some bytes strobed (unaligned or partial)
  cp_axi_w_partial: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_wvalid && m_axi_wstrb != '1 && m_axi_wstrb != '0);
  // a write beat without strobes (a burst finished after a stop)
  cp_axi_w_no_strobe: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_wvalid && m_axi_wstrb == '0);
  // an error response to instruction fetch
  cp_axi_r_err_fetch: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_rvalid && m_axi_rresp != NC_AXI_RESP_OKAY && m_axi_rid == AxiIdBits'(0));
  // an error response to a LOAD
  cp_axi_r_err_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_rvalid && m_axi_rresp != NC_AXI_RESP_OKAY && m_axi_rid == AxiIdBits'(1));
  // an error response to a LOAD_PARAM
  cp_axi_r_err_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_rvalid && m_axi_rresp != NC_AXI_RESP_OKAY && m_axi_rid == AxiIdBits'(2));
  // an error response to a STORE's write
  cp_axi_b_err: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_bvalid && m_axi_bresp != NC_AXI_RESP_OKAY);
  // read beats of two masters back to back
  cp_axi_r_switch: cover property (@(posedge clk_i) disable iff (!rst_ni)
      m_axi_rvalid && $past(m_axi_rvalid) && m_axi_rid != $past(m_axi_rid));
  // the interrupt line raised
  cp_irq: cover property (@(posedge clk_i) disable iff (!rst_ni)
      irq_o);
`endif

endmodule
