// Requantization of one int32 lane, combinational, bit-exact with nc_requant_apply()
// (host/include/neocog/quant.h, host/quant.c):
//
//   q = clamp(RoundingDivideByPOT(SRDHM(sat32(x << max(shift, 0)), mult), max(-shift, 0))
//             + out_zp, act_min, act_max)
//
// SRDHM (gemmlowp SaturatingRoundingDoublingHighMul) is the high half of 2*a*b rounded half
// away from zero, saturating the one overflow INT32_MIN * INT32_MIN; RoundingDivideByPOT
// rounds half away from zero. The left shift saturates to the int32 range, as quant.h does
// (TFLite leaves that overflow undefined). Every step is done in 64 bits, so nothing wraps.
module nc_requant (
  input  logic signed [31:0] x_i,        // acc + bias
  input  logic signed [31:0] mult_i,     // fixed-point multiplier
  input  logic signed [7:0]  shift_i,    // TFLite shift, -31..30: positive shifts left
  input  logic signed [15:0] out_zp_i,   // output zero point
  input  logic signed [15:0] act_min_i,  // clamp low
  input  logic signed [15:0] act_max_i,  // clamp high
  output logic signed [31:0] q_o         // requantized and clamped
);

  localparam logic signed [63:0] Int32Max = 64'sd2147483647;
  localparam logic signed [63:0] Int32Min = -64'sd2147483648;

  logic signed [63:0] shifted, ab, nudged, rem, thr, q, v;
  // |a*b| <= 2^62, so the quotient by 2^31 fits 32 bits (the one exception saturates apart).
  /* verilator lint_off UNUSEDSIGNAL */
  logic signed [63:0] hi;
  /* verilator lint_on UNUSEDSIGNAL */
  logic signed [31:0] a, srdhm;
  logic        [5:0]  left, right;
  logic        [63:0] mask;

  always_comb begin
    left = shift_i > 8'sd0 ? 6'(shift_i) : 6'd0;
    right = shift_i > 8'sd0 ? 6'd0 : 6'(-shift_i);
    // Saturating left shift (at most 30 places: a 62-bit product, no overflow in 64 bits).
    shifted = 64'(x_i) <<< left;
    if (shifted > Int32Max) begin
      shifted = Int32Max;
    end else if (shifted < Int32Min) begin
      shifted = Int32Min;
    end
    a = 32'(shifted);
    // SRDHM: (a*b + nudge) / 2^31, C division (toward zero).
    ab = 64'(a) * 64'(mult_i);
    nudged = ab + (ab >= 0 ? 64'sd1073741824 : 64'sd1 - 64'sd1073741824);
    hi = nudged >= 0 ? (nudged >>> 31) : -((-nudged) >>> 31);
    srdhm = (a == 32'sh80000000 && mult_i == 32'sh80000000) ? 32'sh7fffffff : 32'(hi);
    // RoundingDivideByPOT: floor division plus one when the remainder passes the threshold.
    mask = (64'd1 << right) - 64'd1;
    rem = 64'(srdhm) & $signed(mask);
    thr = $signed(mask >> 1) + (srdhm < 0 ? 64'sd1 : 64'sd0);
    q = (64'(srdhm) >>> right) + (rem > thr ? 64'sd1 : 64'sd0);
    // Zero point and clamp.
    v = q + 64'(out_zp_i);
    if (v < 64'(act_min_i)) begin
      v = 64'(act_min_i);
    end
    if (v > 64'(act_max_i)) begin
      v = 64'(act_max_i);
    end
    q_o = 32'(v);
  end

endmodule
