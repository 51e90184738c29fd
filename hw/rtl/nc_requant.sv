// Requantization of one int32 lane, combinational, bit-exact with nc_requant_apply()
// (host/include/neocog/quant.h, base/quant.c):
//
//   q = clamp(RoundingDivideByPOT(SRDHM(sat32(x << max(shift, 0)), mult), max(-shift, 0))
//             + out_zp, act_min, act_max)
//
// SRDHM (gemmlowp SaturatingRoundingDoublingHighMul) is the high half of 2*a*b rounded half
// away from zero, saturating the one overflow INT32_MIN * INT32_MIN; RoundingDivideByPOT
// rounds half away from zero. The left shift saturates to the int32 range, as quant.h does
// (TFLite leaves that overflow undefined). Every step is done in 64 bits, so nothing wraps.
module nc_requant (
  input  logic               en_i,       // the result is used this cycle (else q_o is 0)
  input  logic signed [31:0] x_i,        // acc + bias
  input  logic signed [31:0] mult_i,     // fixed-point multiplier
  input  logic signed [7:0]  shift_i,    // TFLite shift, -31..30: positive shifts left
  input  logic signed [15:0] out_zp_i,   // output zero point
  input  logic signed [31:0] act_min_i,  // clamp low
  input  logic signed [31:0] act_max_i,  // clamp high
  output logic signed [31:0] q_o         // requantized and clamped
);

  localparam logic signed [63:0] Int32Max = 64'sd2147483647;
  localparam logic signed [63:0] Int32Min = -64'sd2147483648;

  function automatic logic signed [31:0] requant(logic signed [31:0] x, logic signed [31:0] mult,
                                                 logic signed [7:0] shift,
                                                 logic signed [15:0] out_zp,
                                                 logic signed [31:0] act_min,
                                                 logic signed [31:0] act_max);
    logic signed [63:0] shifted, ab, nudged, rem, thr, q, v;
    /* verilator lint_off UNUSEDSIGNAL */
    logic signed [63:0] hi;  // only its low half is the quotient (see below)
    /* verilator lint_on UNUSEDSIGNAL */
    logic signed [31:0] a, srdhm;
    logic        [5:0]  left, right;
    logic        [63:0] mask;
    left = shift > 8'sd0 ? 6'(shift) : 6'd0;
    right = shift > 8'sd0 ? 6'd0 : 6'(-shift);
    // Saturating left shift (at most 30 places: a 62-bit product, no overflow in 64 bits).
    shifted = 64'(x) <<< left;
    if (shifted > Int32Max) begin
      shifted = Int32Max;
    end else if (shifted < Int32Min) begin
      shifted = Int32Min;
    end
    a = 32'(shifted);
    // SRDHM: (a*b + nudge) / 2^31, C division (toward zero). |a*b| <= 2^62, so the quotient
    // fits 32 bits (the one exception saturates apart).
    ab = 64'(a) * 64'(mult);
    nudged = ab + (ab >= 0 ? 64'sd1073741824 : 64'sd1 - 64'sd1073741824);
    hi = nudged >= 0 ? (nudged >>> 31) : -((-nudged) >>> 31);
    srdhm = (a == 32'sh80000000 && mult == 32'sh80000000) ? 32'sh7fffffff : 32'(hi);
    // RoundingDivideByPOT: floor division plus one when the remainder passes the threshold.
    mask = (64'd1 << right) - 64'd1;
    rem = 64'(srdhm) & $signed(mask);
    thr = $signed(mask >> 1) + (srdhm < 0 ? 64'sd1 : 64'sd0);
    q = (64'(srdhm) >>> right) + (rem > thr ? 64'sd1 : 64'sd0);
    // Zero point and clamp.
    v = q + 64'(out_zp);
    if (v < 64'(act_min)) begin
      v = 64'(act_min);
    end
    if (v > 64'(act_max)) begin
      v = 64'(act_max);
    end
    return 32'(v);
  endfunction

  // Operand isolation: nothing switches while en_i is low, and the Verilated model skips the
  // whole computation (the store unit has one instance per lane, each used in few cycles).
  always_comb begin
    q_o = '0;
    if (en_i) begin
      q_o = requant(x_i, mult_i, shift_i, out_zp_i, act_min_i, act_max_i);
    end
  end

endmodule
