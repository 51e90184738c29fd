// Bench wrapper for tests/rtl/compute_tb.cpp: the scratchpad, the compute unit and the
// accumulator wired as in nc_top, with the scratchpad's write port (the load unit's) and the
// accumulator's read port (the store unit's) brought out, so the bench can fill the one and
// check the other.
module nc_compute_tb
  import nc_pkg::*;
#(
  parameter int unsigned NumRows = Rows,  // array rows / scratchpad lanes
  parameter int unsigned NumCols = Cols   // array columns / accumulator lanes
) (
  input  logic                            clk_i,          // clock
  input  logic                            rst_ni,         // asynchronous reset, active low
  input  logic                            spad_we_i,      // scratchpad write
  input  logic [SpadAddrBits-1:0]         spad_waddr_i,   // row
  input  logic [NumRows-1:0][InpBits-1:0] spad_wdata_i,   // lanes
  input  logic                            cmd_valid_i,    // a GEMM
  output logic                            cmd_ready_o,    // taken
  input  nc_insn_t                        cmd_insn_i,     // the GEMM
  output logic                            done_o,         // a GEMM completed
  input  logic                            halt_i,         // stop
  input  logic                            srst_i,         // soft reset pulse
  output logic                            idle_o,         // nothing pending
  output logic                            busy_o,         // perf
  output logic                            stall_o,        // perf
  output logic                            macs_o,         // a vector entered the array
  output logic                            acc_wr_o,       // an accumulator write this cycle
  input  logic                            acc_re_i,       // accumulator read
  input  logic [AccAddrBits-1:0]          acc_raddr_i,    // row
  output logic [NumCols-1:0][AccBits-1:0] acc_rdata_o     // row, the cycle after
);

  logic                            a_re, b_re, b_gnt;
  logic [SpadAddrBits-1:0]         a_raddr, b_raddr;
  logic [NumRows-1:0][InpBits-1:0] a_rdata, b_rdata;
  logic                            acc_wr_valid, acc_wr_accum;
  logic [AccAddrBits-1:0]          acc_wr_addr;
  logic [NumCols-1:0][AccBits-1:0] acc_wr_data;
  logic                            err_unused;
  nc_err_e                         err_code_unused;
  logic [31:0]                     err_info_unused;

  nc_spad #(
    .NumLanes(NumRows)
  ) u_spad (
    .clk_i    (clk_i),
    .rst_ni   (rst_ni),
    .we_i     (spad_we_i),
    .waddr_i  (spad_waddr_i),
    .wdata_i  (spad_wdata_i),
    .a_re_i   (a_re),
    .a_raddr_i(a_raddr),
    .a_rdata_o(a_rdata),
    .b_re_i   (b_re),
    .b_raddr_i(b_raddr),
    .b_gnt_o  (b_gnt),
    .b_rdata_o(b_rdata)
  );

  nc_compute_unit #(
    .NumRows(NumRows),
    .NumCols(NumCols)
  ) u_compute (
    .clk_i         (clk_i),
    .rst_ni        (rst_ni),
    .cmd_valid_i   (cmd_valid_i),
    .cmd_ready_o   (cmd_ready_o),
    .cmd_insn_i    (cmd_insn_i),
    .done_o        (done_o),
    .err_o         (err_unused),
    .err_code_o    (err_code_unused),
    .err_info_o    (err_info_unused),
    .halt_i        (halt_i),
    .srst_i        (srst_i),
    .idle_o        (idle_o),
    .busy_o        (busy_o),
    .stall_o       (stall_o),
    .macs_o        (macs_o),
    .spad_a_re_o   (a_re),
    .spad_a_raddr_o(a_raddr),
    .spad_a_rdata_i(a_rdata),
    .spad_b_re_o   (b_re),
    .spad_b_raddr_o(b_raddr),
    .spad_b_gnt_i  (b_gnt),
    .spad_b_rdata_i(b_rdata),
    .acc_wr_valid_o(acc_wr_valid),
    .acc_wr_addr_o (acc_wr_addr),
    .acc_wr_accum_o(acc_wr_accum),
    .acc_wr_data_o (acc_wr_data)
  );

  nc_acc #(
    .NumCols(NumCols)
  ) u_acc (
    .clk_i     (clk_i),
    .rst_ni    (rst_ni),
    .wr_valid_i(acc_wr_valid),
    .wr_addr_i (acc_wr_addr),
    .wr_accum_i(acc_wr_accum),
    .wr_data_i (acc_wr_data),
    .rd_en_i   (acc_re_i),
    .rd_addr_i (acc_raddr_i),
    .rd_data_o (acc_rdata_o)
  );

  assign acc_wr_o = acc_wr_valid;

endmodule
