// The check behind an assertion of an implication whose consequent is costly to evaluate:
// bad_o is high exactly when if_i holds and then_i does not, so
//
//   a_x: assert property (@(posedge clk_i) disable iff (!rst_ni) !x_bad)
//
// fails in the same cycles as
//
//   a_x: assert property (@(posedge clk_i) disable iff (!rst_ni) if_i |-> then_i)
//
// Why not the property itself: Verilator has no short-circuit for `|->`, so the model evaluated
// the consequent every cycle and copied every signal in it into a sampled variable at every
// eval. Here the consequent is evaluated inside an `if` on the antecedent and the assertion
// samples one bit (hw/rtl/README.md, "Cheap assertions"; tests/rtl/hold_tb.cpp compares the two
// forms cycle by cycle). Purely combinational: the one-eval-per-cycle harness needs if_i and
// then_i to be logic of registers, which sim/rtl/check_sampled.py checks.
module nc_implies (
  input  logic if_i,    // antecedent
  input  logic then_i,  // consequent, looked at only while if_i holds
  output logic bad_o    // if_i && !then_i
);

  always_comb begin
    bad_o = 1'b0;
    if (if_i) begin
      bad_o = !then_i;
    end
  end

endmodule
