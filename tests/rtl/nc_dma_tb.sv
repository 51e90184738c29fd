// Bench top for dma_tb.cpp: the load unit and the store unit behind nc_axi_rd_mux, as nc_top
// wires them (read masters 1 load, 2 store; master 0, fetch, is driven by the bench as a
// plain reader so the multiplexer sees three masters). The scratchpad write port, the
// accumulator read port and the AXI4 port go to the C++ side.
module nc_dma_tb
  import nc_pkg::*;
#(
  parameter int unsigned NumRows = Rows,  // scratchpad lanes
  parameter int unsigned NumCols = Cols   // accumulator lanes
) (
  input  logic                            clk_i,          // clock
  input  logic                            rst_ni,         // asynchronous reset, active low
  input  logic                            halt_i,         // both units
  input  logic                            abort_i,        // both units, with halt_i
  input  logic                            srst_i,         // both units
  input  logic [AxiAddrBits-1:0]          win_base_i,     // window
  input  logic [31:0]                     win_size_i,     //
  // Load unit command interface
  input  logic                            ld_valid_i,     //
  output logic                            ld_ready_o,     //
  input  nc_insn_t                        ld_insn_i,      //
  output logic                            ld_done_o,      //
  output logic                            ld_err_o,       //
  output logic [7:0]                      ld_code_o,      //
  output logic [31:0]                     ld_info_o,      //
  output logic                            ld_idle_o,      //
  // Store unit command interface
  input  logic                            st_valid_i,     //
  output logic                            st_ready_o,     //
  input  nc_insn_t                        st_insn_i,      //
  output logic                            st_done_o,      //
  output logic                            st_err_o,       //
  output logic [7:0]                      st_code_o,      //
  output logic [31:0]                     st_info_o,      //
  output logic                            st_idle_o,      //
  input  nc_insn_t                        chk_insn_i,     // store precheck
  output logic [7:0]                      chk_err_o,      //
  output logic [31:0]                     chk_info_o,     //
  // Scratchpad write port and accumulator read port
  output logic                            spad_we_o,      //
  output logic [SpadAddrBits-1:0]         spad_waddr_o,   //
  output logic [NumRows-1:0][7:0]         spad_wdata_o,   //
  output logic                            acc_re_o,       //
  output logic [AccAddrBits-1:0]          acc_raddr_o,    //
  input  logic [NumCols-1:0][31:0]        acc_rdata_i,    //
  // Read master 0 (the bench's own reader)
  input  logic [AxiAddrBits-1:0]          f_araddr_i,     //
  input  logic [7:0]                      f_arlen_i,      //
  input  logic                            f_arvalid_i,    //
  output logic                            f_arready_o,    //
  output logic [BusBits-1:0]              f_rdata_o,      //
  output logic [1:0]                      f_rresp_o,      //
  output logic                            f_rlast_o,      //
  output logic                            f_rvalid_o,     //
  input  logic                            f_rready_i,     //
  // AXI4 port
  output logic [AxiIdBits-1:0]            m_axi_arid,     //
  output logic [AxiAddrBits-1:0]          m_axi_araddr,   //
  output logic [7:0]                      m_axi_arlen,    //
  output logic [2:0]                      m_axi_arsize,   //
  output logic [1:0]                      m_axi_arburst,  //
  output logic                            m_axi_arvalid,  //
  input  logic                            m_axi_arready,  //
  input  logic [AxiIdBits-1:0]            m_axi_rid,      //
  input  logic [BusBits-1:0]              m_axi_rdata,    //
  input  logic [1:0]                      m_axi_rresp,    //
  input  logic                            m_axi_rlast,    //
  input  logic                            m_axi_rvalid,   //
  output logic                            m_axi_rready,   //
  output logic [AxiIdBits-1:0]            m_axi_awid,     //
  output logic [AxiAddrBits-1:0]          m_axi_awaddr,   //
  output logic [7:0]                      m_axi_awlen,    //
  output logic [2:0]                      m_axi_awsize,   //
  output logic [1:0]                      m_axi_awburst,  //
  output logic                            m_axi_awvalid,  //
  input  logic                            m_axi_awready,  //
  output logic [BusBits-1:0]              m_axi_wdata,    //
  output logic [BusBytes-1:0]             m_axi_wstrb,    //
  output logic                            m_axi_wlast,    //
  output logic                            m_axi_wvalid,   //
  input  logic                            m_axi_wready,   //
  input  logic [AxiIdBits-1:0]            m_axi_bid,      //
  input  logic [1:0]                      m_axi_bresp,    //
  input  logic                            m_axi_bvalid,   //
  output logic                            m_axi_bready    //
);

  nc_axi_ar_t                  rm_ar[3];
  nc_axi_r_t                   rm_r;
  logic [2:0]                  rm_arvalid, rm_arready, rm_rvalid, rm_rready;
  nc_axi_r_t                   m_r;
  nc_axi_b_t                   m_b;
  nc_err_e                     ld_code, st_code;
  nc_check_t                   chk;
  /* verilator lint_off UNUSEDSIGNAL */
  logic                        ld_busy, ld_stall, st_busy, st_stall, bid_unused;
  /* verilator lint_on UNUSEDSIGNAL */

  // The port and master 0 flat, as the C++ side drives them.
  assign rm_ar[0] = '{burst: NC_AXI_BURST_INCR, size: 3'($clog2(BusBytes)), len: f_arlen_i,
                      addr: f_araddr_i};
  assign rm_arvalid[0] = f_arvalid_i;
  assign f_arready_o = rm_arready[0];
  assign f_rdata_o = rm_r.data;
  assign f_rresp_o = rm_r.resp;
  assign f_rlast_o = rm_r.last;
  assign f_rvalid_o = rm_rvalid[0];
  assign rm_rready[0] = f_rready_i;
  assign m_r = '{last: m_axi_rlast, resp: m_axi_rresp, data: m_axi_rdata};
  assign m_b = '{resp: m_axi_bresp};

  nc_load_unit #(
    .NumRows(NumRows)
  ) u_load (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .cmd_valid_i (ld_valid_i),
    .cmd_ready_o (ld_ready_o),
    .cmd_insn_i  (ld_insn_i),
    .done_o      (ld_done_o),
    .err_o       (ld_err_o),
    .err_code_o  (ld_code),
    .err_info_o  (ld_info_o),
    .halt_i      (halt_i),
    .abort_i     (abort_i),
    .srst_i      (srst_i),
    .idle_o      (ld_idle_o),
    .busy_o      (ld_busy),
    .stall_o     (ld_stall),
    .win_base_i  (win_base_i),
    .win_size_i  (win_size_i),
    .m_ar_o      (rm_ar[1]),
    .m_arvalid_o (rm_arvalid[1]),
    .m_arready_i (rm_arready[1]),
    .m_r_i       (rm_r),
    .m_rvalid_i  (rm_rvalid[1]),
    .m_rready_o  (rm_rready[1]),
    .spad_we_o   (spad_we_o),
    .spad_waddr_o(spad_waddr_o),
    .spad_wdata_o(spad_wdata_o)
  );

  nc_store_unit #(
    .NumCols(NumCols)
  ) u_store (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .cmd_valid_i(st_valid_i),
    .cmd_ready_o(st_ready_o),
    .cmd_insn_i (st_insn_i),
    .done_o     (st_done_o),
    .err_o      (st_err_o),
    .err_code_o (st_code),
    .err_info_o (st_info_o),
    .halt_i     (halt_i),
    .abort_i    (abort_i),
    .srst_i     (srst_i),
    .idle_o     (st_idle_o),
    .busy_o     (st_busy),
    .stall_o    (st_stall),
    .win_base_i (win_base_i),
    .win_size_i (win_size_i),
    .chk_insn_i (chk_insn_i),
    .chk_o      (chk),
    .acc_re_o   (acc_re_o),
    .acc_raddr_o(acc_raddr_o),
    .acc_rdata_i(acc_rdata_i),
    .m_ar_o     (rm_ar[2]),
    .m_arvalid_o(rm_arvalid[2]),
    .m_arready_i(rm_arready[2]),
    .m_r_i      (rm_r),
    .m_rvalid_i (rm_rvalid[2]),
    .m_rready_o (rm_rready[2]),
    .m_aw_o     ({m_axi_awburst, m_axi_awsize, m_axi_awlen, m_axi_awaddr}),
    .m_awvalid_o(m_axi_awvalid),
    .m_awready_i(m_axi_awready),
    .m_w_o      ({m_axi_wlast, m_axi_wstrb, m_axi_wdata}),
    .m_wvalid_o (m_axi_wvalid),
    .m_wready_i (m_axi_wready),
    .m_b_i      (m_b),
    .m_bvalid_i (m_axi_bvalid),
    .m_bready_o (m_axi_bready)
  );

  assign m_axi_awid = '0;
  assign bid_unused = ^m_axi_bid;
  assign ld_code_o = ld_code;
  assign st_code_o = st_code;
  assign chk_err_o = chk.err;
  assign chk_info_o = chk.info;

  nc_axi_rd_mux u_mux (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .s_ar_i     (rm_ar),
    .s_arvalid_i(rm_arvalid),
    .s_arready_o(rm_arready),
    .s_r_o      (rm_r),
    .s_rvalid_o (rm_rvalid),
    .s_rready_i (rm_rready),
    .m_arid_o   (m_axi_arid),
    .m_ar_o     ({m_axi_arburst, m_axi_arsize, m_axi_arlen, m_axi_araddr}),
    .m_arvalid_o(m_axi_arvalid),
    .m_arready_i(m_axi_arready),
    .m_rid_i    (m_axi_rid),
    .m_r_i      (m_r),
    .m_rvalid_i (m_axi_rvalid),
    .m_rready_o (m_axi_rready)
  );

endmodule
