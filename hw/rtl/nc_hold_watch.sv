// Watches one valid/ready interface for the hold rule: a transfer offered and not taken is
// offered again in the next cycle, unchanged. The assertion stays in the module that owns the
// interface, on this watcher's one-bit output:
//
//   a_x_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !x_moved)
//
// states the same as
//
//   offer |=> excuse || (valid && $stable(data))
//
// where offer is the antecedent (usually valid && !ready) and excuse a condition under which the
// rule does not apply in the later cycle (a halt, a drain), or 0.
//
// Why not the property itself: for $stable(data) Verilator keeps a $past copy of data and, for
// the assertion, copies both data and that copy into sampled variables at the start of every
// eval, then compares them in full every cycle, even when nothing was offered. Here data is
// copied once per cycle, the comparison runs only in the cycle after an offer, and the assertion
// samples one bit. On the full accelerator the watchers of its 22 hold rules (up to 145 data
// bits each) take 3.7% off the model's instructions (hw/rtl/README.md).
//
// Reset: like `disable iff (!rst_ni)` on the original, an offer made in reset is not watched.
// moved_o depends on the current valid_i, data_i and excuse_i; the one-eval-per-cycle harness
// needs those to be registers or inputs of the model, which sim/rtl/check_sampled.py checks.
module nc_hold_watch #(
  parameter int unsigned Width = 1  // data bits
) (
  input  logic             clk_i,     // clock
  input  logic             rst_ni,    // asynchronous reset, active low
  input  logic             offer_i,   // a transfer is offered and not taken this cycle
  input  logic             excuse_i,  // the rule does not apply in this cycle
  input  logic             valid_i,   // the interface's valid
  input  logic [Width-1:0] data_i,    // everything that must hold (address, length, payload)
  output logic             moved_o    // last cycle's offer is withdrawn or changed now
);

  if (Width < 1) begin : g_bad_width
    $error("nc_hold_watch: Width must be at least 1");
  end

  logic             offered_q;  // offer_i in the last cycle
  logic [Width-1:0] data_q;     // data_i in the last cycle

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      offered_q <= 1'b0;
    end else begin
      offered_q <= offer_i;
    end
  end

  // Copied every cycle: an enable would cost the model more than the copy (a wide register with
  // a load enable gets a shadow copy every cycle anyway).
  always_ff @(posedge clk_i) begin
    data_q <= data_i;
  end

  always_comb begin
    moved_o = 1'b0;
    if (offered_q && !excuse_i) begin
      moved_o = !valid_i || data_i != data_q;
    end
  end

endmodule
