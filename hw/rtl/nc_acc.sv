// Accumulator: NumRows rows of NumCols int32 lanes (wrapping two's complement).
//
// Write port (compute unit): one result vector per cycle, never refused. With wr_accum_i the
// row becomes row + wr_data_i, otherwise wr_data_i. The read-modify-write takes two stages: the
// request cycle reads the old row, the next cycle adds and writes it. A result for the row
// written in the previous cycle (acc_stride_in 0, or consecutive GEMMs on the same rows) would
// read the row before that write lands, so the sum just written is forwarded instead; older
// writes have landed by the time of the read. A write requested in cycle t is visible to reads
// requested from cycle t+2 on.
//
// Read port (store unit): rd_data_o in the cycle after rd_en_i.
module nc_acc
  import nc_pkg::*;
#(
  parameter int unsigned NumCols = Cols,    // int32 lanes of a row
  parameter int unsigned NumRows = AccRows  // rows
) (
  input  logic                            clk_i,       // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                            rst_ni,      // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Compute write port (read-modify-write)
  input  logic                            wr_valid_i,  // a result vector for row wr_addr_i
  input  logic [AccAddrBits-1:0]          wr_addr_i,   // row written
  input  logic                            wr_accum_i,  // 1: add to the row; 0: overwrite it
  input  logic [NumCols-1:0][AccBits-1:0] wr_data_i,   // int32 result lanes
  // Store read port
  input  logic                            rd_en_i,     // read row rd_addr_i
  input  logic [AccAddrBits-1:0]          rd_addr_i,   // row read
  output logic [NumCols-1:0][AccBits-1:0] rd_data_o    // row read in the previous cycle
);

  localparam int unsigned Width = NumCols * AccBits;

  if (NumRows > (1 << AccAddrBits)) begin : g_bad_rows
    $error("nc_acc: NumRows does not fit AccAddrBits");
  end

  logic [Width-1:0] mem_q[NumRows];

  // Stage 1: the request of the previous cycle and the old row read for it.
  logic                            s1_valid_q, s1_accum_q;
  logic [AccAddrBits-1:0]          s1_addr_q;
  logic [NumCols-1:0][AccBits-1:0] s1_data_q, s1_old_q;
  // The row written last cycle, for forwarding.
  logic                            wb_valid_q;
  logic [AccAddrBits-1:0]          wb_addr_q;
  logic [NumCols-1:0][AccBits-1:0] wb_data_q;

  logic [NumCols-1:0][AccBits-1:0] old, sum;
  logic                            fwd;

  always_comb begin
    fwd = wb_valid_q && wb_addr_q == s1_addr_q;
    old = fwd ? wb_data_q : s1_old_q;
    for (int unsigned c = 0; c < NumCols; c++) begin
      sum[c] = s1_accum_q ? old[c] + s1_data_q[c] : s1_data_q[c];
    end
  end

  // Memory: no reset, contents survive soft reset.
  always_ff @(posedge clk_i) begin
    if (s1_valid_q) begin
      mem_q[s1_addr_q] <= sum;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_accum_q <= 1'b0;
      s1_addr_q <= '0;
      s1_data_q <= '0;
      s1_old_q <= '0;
      wb_valid_q <= 1'b0;
      wb_addr_q <= '0;
      wb_data_q <= '0;
      rd_data_o <= '0;
    end else begin
      s1_valid_q <= wr_valid_i;
      if (wr_valid_i) begin
        s1_accum_q <= wr_accum_i;
        s1_addr_q <= wr_addr_i;
        s1_data_q <= wr_data_i;
        s1_old_q <= mem_q[wr_addr_i];
      end
      wb_valid_q <= s1_valid_q;
      if (s1_valid_q) begin
        wb_addr_q <= s1_addr_q;
        wb_data_q <= sum;
      end
      if (rd_en_i) begin
        rd_data_o <= mem_q[rd_addr_i];
      end
    end
  end

`ifndef NC_NO_ASSERT
  a_wr_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      wr_valid_i |-> 32'(wr_addr_i) < NumRows)
    else $error("nc_acc: write past the last row");
  a_rd_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      rd_en_i |-> 32'(rd_addr_i) < NumRows)
    else $error("nc_acc: read past the last row");
  a_s1_follows_req: assert property (@(posedge clk_i) disable iff (!rst_ni)
      wr_valid_i |=> s1_valid_q)
    else $error("nc_acc: a write request was lost");
`endif

endmodule
