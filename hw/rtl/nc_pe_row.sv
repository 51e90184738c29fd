// One row of the systolic array: NumCols PEs sharing an activation chain (left to right) and a
// weight shift chain (right to left), with a column of partial sums passing through each.
//
// A weight entering at the right edge while wgt_shift_i is high pushes every shadow weight of
// the row one PE to the left, so after NumCols shifts the first weight pushed sits in column 0.
module nc_pe_row
  import nc_pkg::*;
#(
  parameter int unsigned NumCols  = Cols,  // PEs in the row
  parameter bit          FirstRow = 1'b0   // top row of the array: sums start at zero
) (
  input  logic                            clk_i,         // clock
  input  logic                            rst_ni,        // asynchronous reset, active low
  // Activation entering column 0 (already skewed by the array)
  input  logic [InpBits-1:0]              act_i,         // int8 activation of this row
  input  logic                            act_valid_i,   // act_i, act_swap_i are valid
  input  logic                            act_swap_i,    // first vector of a tile
  // Weight entering column NumCols-1 (already skewed by the array)
  input  logic                            wgt_shift_i,   // shift the row's shadow weights
  input  logic [WgtBits-1:0]              wgt_i,         // int8 weight shifted in at the right
  // Partial sums
  input  logic [NumCols-1:0][AccBits-1:0] psum_i,        // from the row above, per column
  output logic [NumCols-1:0][AccBits-1:0] psum_o         // to the row below, per column
);

  if (NumCols < 1) begin : g_bad_cols
    $error("nc_pe_row: NumCols must be at least 1");
  end

  // Chain element c is what enters PE c; element NumCols leaves the row at the right.
  logic [NumCols:0][InpBits-1:0] act_chain;
  logic [NumCols:0]              act_valid_chain;
  logic [NumCols:0]              act_swap_chain;
  // Chain element c+1 enters PE c from the right; element 0 leaves the row at the left.
  logic [NumCols:0][WgtBits-1:0] wgt_chain;

  assign act_chain[0] = act_i;
  assign act_valid_chain[0] = act_valid_i;
  assign act_swap_chain[0] = act_swap_i;
  assign wgt_chain[NumCols] = wgt_i;

  for (genvar c = 0; c < NumCols; c++) begin : g_col
    nc_pe #(
      .FirstRow(FirstRow)
    ) u_pe (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .act_i       (act_chain[c]),
      .act_valid_i (act_valid_chain[c]),
      .act_swap_i  (act_swap_chain[c]),
      .act_o       (act_chain[c+1]),
      .act_valid_o (act_valid_chain[c+1]),
      .act_swap_o  (act_swap_chain[c+1]),
      .psum_i      (psum_i[c]),
      .psum_o      (psum_o[c]),
      .wgt_shift_i (wgt_shift_i),
      .wgt_i       (wgt_chain[c+1]),
      .wgt_o       (wgt_chain[c])
    );
  end

  // What leaves the row's edges has no consumer.
  logic unused_chain_ends;
  assign unused_chain_ends = ^{act_chain[NumCols], act_valid_chain[NumCols],
                               act_swap_chain[NumCols], wgt_chain[0]};

endmodule
