// A register slice on one valid/ready channel: every output is a register, in both directions,
// at full throughput (one transfer per cycle).
//
// nc_top puts one on each of its five AXI channels, so no input of the memory port reaches an
// output or the units' logic in the same cycle: the port's timing closes at the boundary, and in
// the Verilated model the AXI inputs feed registers only, so the model's input-combinational
// region (which Verilator evaluates in every eval, two per cycle) holds almost nothing.
//
// Two entries: the output register, and a skid register that catches the transfer accepted
// while the output stalls (s_ready_o is a register, so it can only fall a cycle late). A
// transfer takes one cycle through an empty slice.
module nc_reg_slice #(
  parameter int unsigned Width = 1  // payload bits
) (
  input  logic             clk_i,    // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic             rst_ni,   // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Upstream (into the slice)
  input  logic             s_valid_i,
  input  logic [Width-1:0] s_data_i,
  output logic             s_ready_o,
  // Downstream (out of the slice)
  output logic             m_valid_o,
  output logic [Width-1:0] m_data_o,
  input  logic             m_ready_i
);

  if (Width < 1) begin : g_bad_width
    $error("nc_reg_slice: Width must be at least 1");
  end

  logic             out_valid_q, skid_valid_q;
  logic [Width-1:0] out_data_q, skid_data_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_q <= 1'b0;
      skid_valid_q <= 1'b0;
    end else if (!skid_valid_q) begin
      // Ready upstream: the output register takes the input when it is empty or moving on,
      // else a valid input waits in the skid register.
      if (!out_valid_q || m_ready_i) begin
        out_valid_q <= s_valid_i;
      end else if (s_valid_i) begin
        skid_valid_q <= 1'b1;
      end
    end else if (m_ready_i) begin
      // The skid entry moves to the output; upstream is ready again next cycle.
      skid_valid_q <= 1'b0;
    end
  end

  // The payload registers have no reset: nothing reads them while their valid bit is low.
  always_ff @(posedge clk_i) begin
    if (!skid_valid_q) begin
      if (!out_valid_q || m_ready_i) begin
        if (s_valid_i) begin
          out_data_q <= s_data_i;
        end
      end else if (s_valid_i) begin
        skid_data_q <= s_data_i;
      end
    end else if (m_ready_i) begin
      out_data_q <= skid_data_q;
    end
  end

  assign s_ready_o = !skid_valid_q;
  assign m_valid_o = out_valid_q;
  assign m_data_o = out_data_q;

  // The output holds a transfer, unchanged, until it is taken, and the skid register is used
  // only behind a full output register.
`ifndef NC_NO_ASSERT
  logic out_moved;
  nc_hold_watch #(.Width(Width)) u_hold (
    .clk_i, .rst_ni, .offer_i(m_valid_o && !m_ready_i), .excuse_i(1'b0), .valid_i(m_valid_o),
    .data_i(m_data_o), .moved_o(out_moved)
  );
  a_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !out_moved)
    else $error("nc_reg_slice: output changed before it was taken");
  a_skid: assert property (@(posedge clk_i) disable iff (!rst_ni)
      skid_valid_q |-> out_valid_q)
    else $error("nc_reg_slice: skid entry without an output entry");
`endif

endmodule
