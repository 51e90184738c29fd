// One row of the weight-stationary systolic array: NumCols processing elements (PEs), each an
// int8 x int8 -> int32 multiply-accumulate with a double-buffered weight.
//
// PE c of the row holds six registers: the activation passing through (act), its valid bit and
// tile-start flag (valid, swap), the partial sum (psum), the shadow weight and the active one.
// - Activations move one PE to the right per cycle with their valid and swap bits; the row's
//   input enters PE 0.
// - Partial sums move one PE down: psum_o[c] becomes psum_i[c] (0 in the top row) plus the
//   activation times the weight, for a valid activation, and holds through a bubble, so a
//   column's value stays in place. A sum is valid exactly when the activation that made it is:
//   the array's skew brings a vector's activation and its partial sum from above to each PE in
//   the same cycle, so sums need no valid bit of their own.
// - The active weight multiplies every activation that passes. The shadow weights form the
//   row's weight shift chain: while wgt_shift_i is high, wgt_i enters PE NumCols-1 and every
//   shadow weight moves one PE to the left, so after NumCols shifts the first weight pushed sits
//   in PE 0. The next tile's weights thus shift in while the current tile computes.
// - An activation flagged act_swap_i (the first vector of a tile) copies the shadow weight into
//   the active one and is itself multiplied by the new weight. The flag travels with the
//   activation, so each PE swaps exactly when the new tile reaches it.
// Every output is a register.
//
// Depthwise mode (dw_i, a DWCONV: hw/rtl/README.md): PE c multiplies lane c of the row's own
// pixel vector instead of the activation from its left neighbour. The vector is one of the
// compute unit's line vectors (dw_lv_i[dw_sel_i], zero when dw_sel_i is DwKhMax), offered a
// cycle ahead: it is loaded into the activation registers one lane to the left (PE c reads its
// left neighbour's register) and its lane 0 into a register of PE 0's own. The swap and valid
// bits move as in a GEMM. The mode only changes while the array is empty.
//
// The PEs of a row are one module, their registers packed vectors (element c is PE c), rather
// than NumCols instances of a PE module: in the Verilated model the row's activations, flags and
// shadow weights then move as a few machine words per cycle, and the active weights are touched
// only in cycles where a swap is in the row. tests/rtl/pe_tb.cpp checks a row of one PE and a
// row of several against a C++ model of one PE, chained.
module nc_pe_row
  import nc_pkg::*;
#(
  parameter int unsigned NumCols  = Cols,  // PEs in the row
  parameter bit          FirstRow = 1'b0   // top row of the array: sums start at zero
) (
  input  logic                            clk_i,         // clock
  input  logic                            rst_ni,        // asynchronous reset, active low
  // Activation entering PE 0 (already skewed by the array)
  input  logic [InpBits-1:0]              act_i,         // int8 activation of this row
  input  logic                            act_valid_i,   // act_i, act_swap_i are valid
  input  logic                            act_swap_i,    // first vector of a tile
  // Activation leaving PE NumCols-1 to the right (the array leaves it unconnected)
  output logic [InpBits-1:0]              act_o,         // act_i, NumCols cycles later
  output logic                            act_valid_o,   // act_valid_i, NumCols cycles later
  output logic                            act_swap_o,    // swap flag of a valid activation
  // Weight entering PE NumCols-1 (already skewed by the array)
  input  logic                            wgt_shift_i,   // shift the row's shadow weights
  input  logic [WgtBits-1:0]              wgt_i,         // int8 weight shifted in at the right
  output logic [WgtBits-1:0]              wgt_o,         // shadow weight of PE 0
  // Depthwise mode
  input  logic                            dw_i,          // PEs read the row's line vector
  input  logic [DwKhMax-1:0][NumCols-1:0][InpBits-1:0] dw_lv_i,  // line vectors, next cycle's
  input  logic [$clog2(DwKhMax+1)-1:0]    dw_sel_i,      // this row's line vector; DwKhMax: 0
  // Partial sums
  input  logic [NumCols-1:0][AccBits-1:0] psum_i,        // from the row above, per column
  output logic [NumCols-1:0][AccBits-1:0] psum_o         // to the row below, per column
);

  if (NumCols < 1) begin : g_bad_cols
    $error("nc_pe_row: NumCols must be at least 1");
  end

  localparam int unsigned ActBits = NumCols * InpBits;  // act_q
  localparam int unsigned ShBits = NumCols * WgtBits;   // shadow_q

  // Sign bits of the operands.
  localparam logic [InpBits-1:0] InpSign = InpBits'(1) << (InpBits - 1);
  localparam logic [WgtBits-1:0] WgtSign = WgtBits'(1) << (WgtBits - 1);

  // Registers of the row's PEs, element c for PE c.
  logic [NumCols-1:0][InpBits-1:0] act_q;
  logic [NumCols-1:0]              valid_q, swap_q;
  logic [NumCols-1:0][AccBits-1:0] psum_d, psum_q;
  logic [NumCols-1:0][WgtBits-1:0] shadow_q;
  logic [NumCols-1:0][WgtBits-1:0] active_d, active_q;

  // The swap flag entering each PE this cycle: from its left neighbour's register, the row
  // input at PE 0. It is the flag of a valid activation only, so a flag on a bubble swaps
  // nothing. (The activations and their valid bits enter the same way; the MACs read them
  // straight from the neighbour's register and the registers shift in place, see below.)
  logic [NumCols-1:0]              swap_in;
  logic [InpBits-1:0]              dw0_q;  // depthwise mode: PE 0's lane of the line vector
  logic [InpBits-1:0]              act0;   // PE 0's activation

  assign act0 = dw_i ? dw0_q : act_i;

  if (NumCols == 1) begin : g_one_col
    assign swap_in = act_valid_i && act_swap_i;
  end else begin : g_cols
    assign swap_in = {swap_q[NumCols-2:0], act_valid_i && act_swap_i};
  end

  always_comb begin
    // A swapping activation already multiplies with the new weight, so the weight each PE uses
    // this cycle is its next active weight. A swap is in the row for NumCols cycles per tile.
    active_d = active_q;
    if (swap_in != '0) begin
      for (int c = 0; c < NumCols; c++) begin
        if (swap_in[c]) begin
          active_d[c] = shadow_q[c];
        end
      end
    end
    // The int8 x int8 product is formed at the accumulator width (it fits in 16 bits, so the
    // value is the same); sums wrap at 32 bits. Each operand is sign-extended as
    // (x ^ 0x80) - 0x80, zero-extended: the same value as $signed(x). Verilator lowers a
    // $signed() extension to an and, a negate and an or, where GCC compiles this form to one
    // sign-extending load; it takes 11% off the whole model's instructions. The activation and
    // its valid bit are read from the left neighbour's registers (or the row input): GCC then
    // loads each byte from the register, where it extracted it from a whole shifted vector
    // held in an SSE register (2% of the model's instructions).
    for (int c = 0; c < NumCols; c++) begin
      psum_d[c] = (c == 0 ? act_valid_i : valid_q[c == 0 ? 0 : c - 1])
          ? (FirstRow ? '0 : psum_i[c])
            + (((c == 0 ? AccBits'(act0) : AccBits'(act_q[c == 0 ? 0 : c - 1]))
                ^ AccBits'(InpSign)) - AccBits'(InpSign))
              * ((AccBits'(active_d[c]) ^ AccBits'(WgtSign)) - AccBits'(WgtSign))
          : psum_q[c];
    end
  end

  // The activation registers follow their inputs even through bubbles (nothing reads them then).
  // The activation, valid and shadow-weight vectors shift in place, as whole vectors: written
  // through a next-state vector of their own, the model computed that vector and then copied it
  // into the register every cycle (4.5% of its instructions; hw/rtl/README.md).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      act_q <= '0;
      dw0_q <= '0;
      valid_q <= '0;
      swap_q <= '0;
      psum_q <= '0;
      shadow_q <= '0;
      active_q <= '0;
    end else begin
      logic [NumCols-1:0][InpBits-1:0] dw_next;  // depthwise mode: act_q's next value
      // A GEMM shifts the row one PE to the right, act_i into PE 0, in every cycle; depthwise
      // mode overwrites that with lane c + 1 of the row's line vector in PE c's register (which
      // PE c + 1 reads), picked lane by lane. As one assignment of either value (the vector
      // selected whole and shifted, or the shift: both over 64 bits), the Verilated model
      // computed both in every row and cycle (hw/rtl/README.md, "Work only some cycles need").
      act_q <= ActBits'({act_q, act_i});
      if (dw_i) begin
        for (int c = 0; c < NumCols; c++) begin
          dw_next[c] = (32'(dw_sel_i) < DwKhMax && c + 1 < NumCols)
              ? dw_lv_i[dw_sel_i][c + 1 < NumCols ? c + 1 : 0] : '0;
        end
        act_q <= dw_next;
        dw0_q <= 32'(dw_sel_i) < DwKhMax ? dw_lv_i[dw_sel_i][0] : '0;
      end
      valid_q <= NumCols'({valid_q, act_valid_i});
      swap_q <= swap_in;
      psum_q <= psum_d;
      if (wgt_shift_i) begin
        shadow_q <= ShBits'({wgt_i, shadow_q} >> WgtBits);  // one PE to the left
      end
      active_q <= active_d;
    end
  end

  assign act_o = act_q[NumCols-1];
  assign act_valid_o = valid_q[NumCols-1];
  assign act_swap_o = swap_q[NumCols-1];
  assign wgt_o = shadow_q[0];
  assign psum_o = psum_q;

  // The top row's sums start at zero.
  if (FirstRow) begin : g_first_row
    logic unused_psum_i;
    assign unused_psum_i = ^psum_i;
  end

endmodule
