// Weight-stationary systolic array of NumRows x NumCols int8 MAC PEs.
//
// Computes out[n] = sum over r of act[r] * W[r][n] (int8 x int8, wrapping int32 sums) for
// every activation vector act, where W is the weight tile stationary in the PEs.
//
// Weights. One transfer on the wgt_* port is one column of the tile: the NumRows weights of
// one output lane n (one scratchpad row of OHWI weights). NumCols transfers fill the PEs'
// shadow weights, the first transfer ending in column 0. They shift in while the previous tile
// computes: wgt_ready_o is high while the shadow is not full, except for NumCols-2 cycles after
// a swap while the swap is still sweeping the row (a shift must not overtake it).
//
// Activations. One transfer on the act_* port is one vector: NumRows int8 lanes (one pixel's
// channels). act_swap_i marks the first vector of a new tile: that vector, and every vector
// after it, uses the weights preloaded in the shadow. A swapping vector is accepted only once
// the shadow is full (act_ready_o low until then); a vector without act_swap_i is always
// accepted and uses the current weights. Consecutive tiles therefore flow back to back: the
// next tile's weights load during the current tile's compute, and its vectors enter the array
// right behind the current tile's, so fill and drain overlap. A tile of T vectors occupies the
// input for max(T, 2*NumCols-1) cycles (max(T, 2) for one column).
//
// Results. The output vector of an activation accepted in cycle t is out_data_o in cycle
// t + Latency (Latency = NumRows + NumCols - 1), with out_valid_o high, all lanes aligned. The
// results cannot be back-pressured: the consumer (the accumulator write port) takes one vector
// per cycle.
//
// Inside, row r sees its activation lane and weight lane r cycles late (a triangular skew), so
// activation vector t reaches PE (r, c) in cycle t + r + c and its partial sum leaves column c
// at the bottom in cycle t + NumRows + c; column c is then delayed NumCols-1-c more cycles.
module nc_systolic_array
  import nc_pkg::*;
#(
  parameter int unsigned NumRows = Rows,  // PE rows: int8 lanes of an activation vector
  parameter int unsigned NumCols = Cols   // PE columns: int32 lanes of an output vector
) (
  input  logic                            clk_i,        // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                            rst_ni,       // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Weight preload: one column of the next tile per transfer
  input  logic                            wgt_valid_i,  // wgt_data_i holds a column
  output logic                            wgt_ready_o,  // the column is taken this cycle
  input  logic [NumRows-1:0][WgtBits-1:0] wgt_data_i,   // int8 weights of one output lane
  // Activations: one vector per transfer
  input  logic                            act_valid_i,  // act_data_i holds a vector
  output logic                            act_ready_o,  // the vector is taken this cycle
  input  logic [NumRows-1:0][InpBits-1:0] act_data_i,   // int8 activation lanes
  input  logic                            act_swap_i,   // first vector of a tile: swap weights
  // Results, Latency cycles after their activation
  output logic                            out_valid_o,  // out_data_o holds a result vector
  output logic [NumCols-1:0][AccBits-1:0] out_data_o    // int32 sums, one per output lane
);

  // Cycles after a swap is accepted before the next column may shift in: a shift moves every
  // shadow weight of a row at once, so it waits until the swap has reached the row's last PE.
  localparam int unsigned HoldCycles = (NumCols >= 2) ? NumCols - 2 : 0;
  localparam int unsigned HoldBits = (HoldCycles > 0) ? $clog2(HoldCycles + 1) : 1;
  localparam int unsigned CntBits = $clog2(NumCols + 1);
  localparam int unsigned Latency = NumRows + NumCols - 1;  // activation in to result out

  if (NumRows < 1) begin : g_bad_rows
    $error("nc_systolic_array: NumRows must be at least 1");
  end
  if (NumCols < 1) begin : g_bad_cols
    $error("nc_systolic_array: NumCols must be at least 1");
  end

  // ---------------------------------------------------------------------------------------------
  // Handshakes and shadow-weight bookkeeping

  logic [CntBits-1:0]  wgt_cnt_d, wgt_cnt_q;  // columns in the shadow since the last swap
  logic [HoldBits-1:0] hold_d, hold_q;        // cycles until a column may shift in again
  logic                shadow_full;
  logic                wgt_fire, act_fire, swap_fire;

  always_comb begin
    shadow_full = (wgt_cnt_q == CntBits'(NumCols));
    wgt_ready_o = !shadow_full && (hold_q == '0);
    act_ready_o = !act_swap_i || shadow_full;
    wgt_fire = wgt_valid_i && wgt_ready_o;
    act_fire = act_valid_i && act_ready_o;
    swap_fire = act_fire && act_swap_i;

    wgt_cnt_d = wgt_cnt_q;
    hold_d = hold_q;
    if (hold_q != '0) begin
      hold_d = hold_q - 1'b1;
    end
    if (wgt_fire) begin
      wgt_cnt_d = wgt_cnt_q + 1'b1;
    end
    // A swap needs a full shadow, so it never coincides with a column shifting in.
    if (swap_fire) begin
      wgt_cnt_d = '0;
      hold_d = HoldBits'(HoldCycles);
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wgt_cnt_q <= '0;
      hold_q <= '0;
    end else begin
      wgt_cnt_q <= wgt_cnt_d;
      hold_q <= hold_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Input skew: row r sees its lanes r cycles late

  logic [NumRows-1:0][InpBits-1:0] row_act;
  logic [NumRows-1:0]              row_act_valid;
  logic [NumRows-1:0]              row_act_swap;
  logic [NumRows-1:0][WgtBits-1:0] row_wgt;
  logic [NumRows-1:0]              row_wgt_shift;

  for (genvar r = 0; r < NumRows; r++) begin : g_skew
    nc_delay #(
      .Width(InpBits + 2),
      .Depth(r)
    ) u_act_skew (
      .clk_i (clk_i),
      .rst_ni(rst_ni),
      .d_i   ({act_data_i[r], act_fire, swap_fire}),
      .q_o   ({row_act[r], row_act_valid[r], row_act_swap[r]})
    );

    nc_delay #(
      .Width(WgtBits + 1),
      .Depth(r)
    ) u_wgt_skew (
      .clk_i (clk_i),
      .rst_ni(rst_ni),
      .d_i   ({wgt_data_i[r], wgt_fire}),
      .q_o   ({row_wgt[r], row_wgt_shift[r]})
    );
  end

  // ---------------------------------------------------------------------------------------------
  // PE rows; partial sums flow from row r (psum[r]) to row r+1 (psum[r+1])

  logic [NumRows:0][NumCols-1:0][AccBits-1:0] psum;
  // What leaves a row at its right (activations) and left (shadow weights) has no consumer.
  // Waived by name rather than folded into an unused_ signal: the model would compute the fold
  // every cycle.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [NumRows-1:0][InpBits-1:0] row_act_out;
  logic [NumRows-1:0]              row_act_valid_out, row_act_swap_out;
  logic [NumRows-1:0][WgtBits-1:0] row_wgt_out;
  /* verilator lint_on UNUSEDSIGNAL */

  assign psum[0] = '0;

  for (genvar r = 0; r < NumRows; r++) begin : g_row
    nc_pe_row #(
      .NumCols (NumCols),
      .FirstRow(r == 0)
    ) u_row (
      .clk_i       (clk_i),
      .rst_ni      (rst_ni),
      .act_i       (row_act[r]),
      .act_valid_i (row_act_valid[r]),
      .act_swap_i  (row_act_swap[r]),
      .act_o       (row_act_out[r]),
      .act_valid_o (row_act_valid_out[r]),
      .act_swap_o  (row_act_swap_out[r]),
      .wgt_shift_i (row_wgt_shift[r]),
      .wgt_i       (row_wgt[r]),
      .wgt_o       (row_wgt_out[r]),
      .psum_i      (psum[r]),
      .psum_o      (psum[r+1])
    );
  end

  // ---------------------------------------------------------------------------------------------
  // Output de-skew: column c waits NumCols-1-c cycles so all lanes leave together

  for (genvar c = 0; c < NumCols; c++) begin : g_deskew
    nc_delay #(
      .Width(AccBits),
      .Depth(NumCols - 1 - c)
    ) u_deskew (
      .clk_i (clk_i),
      .rst_ni(rst_ni),
      .d_i   (psum[NumRows][c]),
      .q_o   (out_data_o[c])
    );
  end

  // A result is valid Latency cycles after its activation was taken: the skew, the rows and the
  // de-skew add up to the same delay for every lane, so one delay line times them all.
  nc_delay #(
    .Width(1),
    .Depth(Latency)
  ) u_out_valid (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .d_i   (act_fire),
    .q_o   (out_valid_o)
  );

  // ---------------------------------------------------------------------------------------------
  // Assertions

`ifndef NC_NO_ASSERT
  // Vectors inside the array: at most Latency, and a result only leaves for one that entered.
  logic [$clog2(Latency + 2)-1:0] inflight_d, inflight_q;
  always_comb begin
    inflight_d = inflight_q;
    if (act_fire && !out_valid_o) begin
      inflight_d = inflight_q + 1'b1;
    end else if (!act_fire && out_valid_o) begin
      inflight_d = inflight_q - 1'b1;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      inflight_q <= '0;
    end else begin
      inflight_q <= inflight_d;
    end
  end
  a_no_spurious_result: assert property (@(posedge clk_i) disable iff (!rst_ni)
      out_valid_o |-> inflight_q != '0)
    else $error("nc_systolic_array: a result without an activation");
  a_inflight_bound: assert property (@(posedge clk_i) disable iff (!rst_ni)
      inflight_q <= ($clog2(Latency + 2))'(Latency))
    else $error("nc_systolic_array: a vector stayed longer than Latency cycles");
  // A producer holds a transfer, unchanged, until it is taken (valid/ready rule).
  a_act_hold: assert property (@(posedge clk_i) disable iff (!rst_ni)
      act_valid_i && !act_ready_o |=> act_valid_i && $stable(act_data_i) && $stable(act_swap_i))
    else $error("nc_systolic_array: activation withdrawn or changed before it was taken");
  a_wgt_hold: assert property (@(posedge clk_i) disable iff (!rst_ni)
      wgt_valid_i && !wgt_ready_o |=> wgt_valid_i && $stable(wgt_data_i))
    else $error("nc_systolic_array: weight column withdrawn or changed before it was taken");
  // A swap never meets a shadow that is not full, and a shift never fills it past full.
  a_swap_full: assert property (@(posedge clk_i) disable iff (!rst_ni)
      swap_fire |-> shadow_full)
    else $error("nc_systolic_array: swap with a partial shadow");
  a_cnt_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      wgt_cnt_q <= CntBits'(NumCols))
    else $error("nc_systolic_array: shadow column count out of range");
`endif

endmodule
