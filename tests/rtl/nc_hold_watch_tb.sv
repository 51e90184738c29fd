// Top of tests/rtl/hold_tb.cpp: nc_hold_watch (Width 20) next to the property it replaces,
// written out in SVA, and an assertion on nc_implies next to the implication it stands for. Each assertion counts its failures instead of stopping the simulation, so the
// bench can check that each pair fails in exactly the same cycles.
module nc_hold_watch_tb (
  input  logic        clk_i,
  // Sampled by `disable iff`, used asynchronously by the watcher: as in nc_reg_slice.
  /* verilator lint_off SYNCASYNCNET */
  input  logic        rst_ni,
  /* verilator lint_on SYNCASYNCNET */
  input  logic        valid_i,
  input  logic        ready_i,
  input  logic        excuse_i,
  input  logic [19:0] data_i,
  output logic [31:0] sva_fails_o,    // failures of the SVA property so far
  output logic [31:0] watch_fails_o,  // failures of the assertion on the watcher so far
  output logic [31:0] imp_fails_o,    // failures of `valid_i |-> ready_i || excuse_i` so far
  output logic [31:0] bit_fails_o     // failures of the same on a bit, so far
);

  logic moved;
  nc_hold_watch #(.Width(20)) u_watch (
    .clk_i, .rst_ni, .offer_i(valid_i && !ready_i), .excuse_i, .valid_i, .data_i,
    .moved_o(moved)
  );

  initial begin
    sva_fails_o = 0;
    watch_fails_o = 0;
    imp_fails_o = 0;
    bit_fails_o = 0;
  end

  a_sva: assert property (@(posedge clk_i) disable iff (!rst_ni)
      valid_i && !ready_i |=> excuse_i || (valid_i && $stable(data_i)))
    else sva_fails_o <= sva_fails_o + 1;
  a_watch: assert property (@(posedge clk_i) disable iff (!rst_ni) !moved)
    else watch_fails_o <= watch_fails_o + 1;

  // The implication, and the form the modules use: nc_implies, whose bit is worked out only when
  // the antecedent holds.
  logic imp_bad;
  nc_implies u_imp (.if_i(valid_i), .then_i(ready_i || excuse_i), .bad_o(imp_bad));
  a_imp: assert property (@(posedge clk_i) disable iff (!rst_ni) valid_i |-> ready_i || excuse_i)
    else imp_fails_o <= imp_fails_o + 1;
  a_imp_bit: assert property (@(posedge clk_i) disable iff (!rst_ni) !imp_bad)
    else bit_fails_o <= bit_fails_o + 1;

endmodule
