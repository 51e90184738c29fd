// One processing element of the weight-stationary systolic array: an int8 x int8 -> int32
// multiply-accumulate with a double-buffered weight.
//
// The active weight multiplies every activation that passes through. The shadow weight is one
// stage of its row's weight shift chain, so the next tile's weights shift in while the current
// tile computes. An activation flagged act_swap_i (the first vector of a tile) copies the shadow
// weight into the active one and is itself multiplied by the new weight; because the flag
// travels with the activation, each PE swaps exactly when the new tile reaches it.
//
// Activations move one PE to the right per cycle with their valid bit, and partial sums one PE
// down. A sum is valid exactly when the activation that made it is: the array's skew brings a
// vector's activation and its partial sum from above to each PE in the same cycle, so the sum
// needs no valid bit of its own (the array times its results' valid bit with one delay line).
// Every output is a register.
module nc_pe
  import nc_pkg::*;
#(
  parameter bit FirstRow = 1'b0  // top row: sums start at zero, psum_i unused
) (
  input  logic               clk_i,         // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic               rst_ni,        // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Activations, from the left neighbour to the right one
  input  logic [InpBits-1:0] act_i,         // int8 activation
  input  logic               act_valid_i,   // act_i, act_swap_i are valid
  input  logic               act_swap_i,    // first vector of a tile: use the shadow weight
  output logic [InpBits-1:0] act_o,         // act_i, one cycle later
  output logic               act_valid_o,   // act_valid_i, one cycle later (also: psum_o valid)
  output logic               act_swap_o,    // act_swap_i of a valid activation, one cycle later
  // Partial sums, from the PE above to the one below
  input  logic [AccBits-1:0] psum_i,        // int32 partial sum from above (with act_valid_i)
  output logic [AccBits-1:0] psum_o,        // psum_i + act_i * weight
  // Weight shift chain, from the right neighbour to the left one
  input  logic               wgt_shift_i,   // shift this row's shadow weights by one PE
  input  logic [WgtBits-1:0] wgt_i,         // int8 shadow weight of the right neighbour
  output logic [WgtBits-1:0] wgt_o          // this PE's shadow weight
);

  logic [InpBits-1:0] act_d, act_q;
  logic               act_valid_d, act_valid_q;
  logic               act_swap_d, act_swap_q;
  logic [AccBits-1:0] psum_d, psum_q;
  logic [WgtBits-1:0] wgt_shadow_d, wgt_shadow_q;
  logic [WgtBits-1:0] wgt_active_d, wgt_active_q;

  // The sum entering from above: zero in the top row.
  logic [AccBits-1:0] psum_in;
  if (FirstRow) begin : g_first_row
    assign psum_in = '0;

    logic unused_psum_in;
    assign unused_psum_in = ^psum_i;
  end else begin : g_inner_row
    assign psum_in = psum_i;
  end

  // Next state as single-use continuous assignments rather than one always_comb block: the
  // Verilated model then keeps only the _d values as members (one copy per register per
  // cycle), not every intermediate of the block.
  logic               swap;
  logic [WgtBits-1:0] wgt_mul;
  logic [AccBits-1:0] prod;

  // The swapping activation already multiplies with the new weight. The int8 x int8 product
  // is formed at the accumulator width (it fits in 16 bits, so the value is the same).
  assign swap = act_valid_i && act_swap_i;
  assign wgt_mul = swap ? wgt_shadow_q : wgt_active_q;
  assign prod = AccBits'($signed(act_i)) * AccBits'($signed(wgt_mul));

  // The activation register follows its input even when the input is not valid (nothing reads
  // it then); the sum holds, so a bubble leaves the column's value in place.
  assign act_d = act_i;
  assign act_valid_d = act_valid_i;
  assign act_swap_d = swap;
  assign psum_d = act_valid_i ? psum_in + prod : psum_q;
  assign wgt_shadow_d = wgt_shift_i ? wgt_i : wgt_shadow_q;
  assign wgt_active_d = swap ? wgt_shadow_q : wgt_active_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_q <= '0;
      act_valid_q <= 1'b0;
      act_swap_q <= 1'b0;
      psum_q <= '0;
      wgt_shadow_q <= '0;
      wgt_active_q <= '0;
    end else begin
      act_q <= act_d;
      act_valid_q <= act_valid_d;
      act_swap_q <= act_swap_d;
      psum_q <= psum_d;
      wgt_shadow_q <= wgt_shadow_d;
      wgt_active_q <= wgt_active_d;
    end
  end

  assign act_o = act_q;
  assign act_valid_o = act_valid_q;
  assign act_swap_o = act_swap_q;
  assign psum_o = psum_q;
  assign wgt_o = wgt_shadow_q;

endmodule
