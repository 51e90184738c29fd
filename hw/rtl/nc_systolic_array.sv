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
//
// Depthwise mode (dw_i): each row's PEs multiply lanes of one of the line vectors dw_lv_i
// (dw_sel_i[r] picks row r's, nc_pe_row) instead of the skewed activation; the vector's valid
// and swap flags still enter and travel as above, so results keep the same timing. The compute
// unit builds the line vectors and only changes dw_i while the array is empty.
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
  // Depthwise mode (DWCONV)
  input  logic                            dw_i,         // rows read their line vectors
  input  logic [DwKhMax-1:0][NumCols-1:0][InpBits-1:0] dw_lv_i,  // line vectors, a cycle ahead
  input  logic [NumRows-1:0][$clog2(DwKhMax+1)-1:0] dw_sel_i,  // row r's line; DwKhMax: zeros
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
  //
  // The valid, swap and shift bits of the rows are shift registers: bit k of fire_q is act_fire
  // k+1 cycles ago (row r takes bit r-1, the output bit Latency-1), and likewise swap_q and
  // shift_q. The data lanes are not shifted: every cycle the whole input vector is written to
  // the slot of a ring under a free-running pointer, and row r reads its lane from the slot
  // written r cycles ago. In the Verilated model a cycle then costs one vector write and one
  // read per row, where a shift register (or a ring per row) moves every lane of every row.
  // The rings are datapath without reset: their lanes are read only with a valid bit.

  logic [NumRows-1:0][InpBits-1:0] row_act;
  logic [NumRows-1:0]              row_act_valid;
  logic [NumRows-1:0]              row_act_swap;
  logic [NumRows-1:0][WgtBits-1:0] row_wgt;
  logic [NumRows-1:0]              row_wgt_shift;
  logic [Latency-1:0]              fire_q;  // bit k: act_fire k+1 cycles ago

  // Ring slots: a power of two above the longest delay, so pointers wrap by themselves.
  localparam int unsigned SkewBits = (NumRows > 1) ? $clog2(NumRows) : 1;
  localparam int unsigned DeskewBits = (NumCols > 1) ? $clog2(NumCols) : 1;
  localparam int unsigned TickBits = (SkewBits > DeskewBits) ? SkewBits : DeskewBits;
  logic [TickBits-1:0] tick_q;  // ring pointer: each ring uses its low bits

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      tick_q <= '0;
      fire_q <= '0;
    end else begin
      tick_q <= tick_q + 1'b1;
      fire_q <= (fire_q << 1) | Latency'(act_fire);
    end
  end

  assign row_act[0] = act_data_i[0];
  assign row_act_valid[0] = act_fire;
  assign row_act_swap[0] = swap_fire;
  assign row_wgt[0] = wgt_data_i[0];
  assign row_wgt_shift[0] = wgt_fire;

  if (NumRows > 1) begin : g_skew
    logic [NumRows-2:0]              swap_q, shift_q;  // bit k: k+1 cycles ago
    logic [NumRows-1:0][InpBits-1:0] act_ring_q[2**SkewBits];
    logic [NumRows-1:0][WgtBits-1:0] wgt_ring_q[2**SkewBits];
    logic [SkewBits-1:0]             slot;

    assign slot = tick_q[SkewBits-1:0];

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        swap_q <= '0;
        shift_q <= '0;
      end else begin
        swap_q <= (swap_q << 1) | (NumRows - 1)'(swap_fire);
        shift_q <= (shift_q << 1) | (NumRows - 1)'(wgt_fire);
      end
    end

    always_ff @(posedge clk_i) begin
      act_ring_q[slot] <= act_data_i;
      wgt_ring_q[slot] <= wgt_data_i;
    end

    for (genvar r = 1; r < NumRows; r++) begin : g_lane
      logic [SkewBits-1:0] src;  // the slot written r cycles ago
      assign src = slot - SkewBits'(r);
      assign row_act[r] = act_ring_q[src][r];
      assign row_act_valid[r] = fire_q[r-1];
      assign row_act_swap[r] = swap_q[r-1];
      assign row_wgt[r] = wgt_ring_q[src][r];
      assign row_wgt_shift[r] = shift_q[r-1];
    end
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
      .dw_i        (dw_i),
      .dw_lv_i     (dw_lv_i),
      .dw_sel_i    (dw_sel_i[r]),
      .psum_i      (psum[r]),
      .psum_o      (psum[r+1])
    );
  end

  // ---------------------------------------------------------------------------------------------
  // Output de-skew: column c waits NumCols-1-c cycles so all lanes leave together
  //
  // Like the input skew, a ring of whole bottom-row vectors (without the last column, which
  // needs no delay): column c reads the slot written NumCols-1-c cycles ago. A result is valid
  // Latency cycles after its activation was taken: the skew, the rows and the de-skew add up to
  // the same delay for every lane, so the one valid shift register times them all.

  assign out_data_o[NumCols-1] = psum[NumRows][NumCols-1];
  assign out_valid_o = fire_q[Latency-1];

  if (NumCols > 1) begin : g_deskew
    logic [NumCols-2:0][AccBits-1:0] ring_q[2**DeskewBits];
    logic [DeskewBits-1:0]           slot;

    assign slot = tick_q[DeskewBits-1:0];

    always_ff @(posedge clk_i) begin
      ring_q[slot] <= psum[NumRows][NumCols-2:0];
    end

    for (genvar c = 0; c < NumCols - 1; c++) begin : g_lane
      logic [DeskewBits-1:0] src;  // the slot written NumCols-1-c cycles ago
      assign src = slot - DeskewBits'(NumCols - 1 - c);
      assign out_data_o[c] = ring_q[src][c];
    end
  end

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
  logic act_moved;
  nc_hold_watch #(.Width($bits({act_swap_i, act_data_i}))) u_act_hold (
    .clk_i, .rst_ni, .offer_i(act_valid_i && !act_ready_o), .excuse_i(1'b0),
    .valid_i(act_valid_i), .data_i({act_swap_i, act_data_i}), .moved_o(act_moved)
  );
  a_act_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !act_moved)
    else $error("nc_systolic_array: activation withdrawn or changed before it was taken");
  logic wgt_moved;
  nc_hold_watch #(.Width($bits(wgt_data_i))) u_wgt_hold (
    .clk_i, .rst_ni, .offer_i(wgt_valid_i && !wgt_ready_o), .excuse_i(1'b0),
    .valid_i(wgt_valid_i), .data_i(wgt_data_i), .moved_o(wgt_moved)
  );
  a_wgt_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !wgt_moved)
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
