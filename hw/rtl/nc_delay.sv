// A fixed delay line: q_o is d_i from Depth cycles ago (Depth 0: a wire).
//
// The compute unit uses it to carry each vector's metadata alongside the array's latency.
// Every stage (ring slot) resets to zero, so valid bits carried in the data come out low after
// a reset.
module nc_delay #(
  parameter int unsigned Width = 1,  // bits per stage
  parameter int unsigned Depth = 1   // stages (cycles of delay)
) (
  input  logic             clk_i,   // clock
  input  logic             rst_ni,  // asynchronous reset, active low
  input  logic [Width-1:0] d_i,     // value entering the line
  output logic [Width-1:0] q_o      // value that entered Depth cycles ago
);

  if (Width < 1) begin : g_bad_width
    $error("nc_delay: Width must be at least 1");
  end

  if (Depth == 0) begin : g_wire
    assign q_o = d_i;

    // Without stages the clock and reset have nothing to drive.
    logic unused_clk_rst;
    assign unused_clk_rst = clk_i ^ rst_ni;
  end else if (Depth == 1) begin : g_reg
    // One stage: a plain register (a ring would need a pointer of at least one bit).
    logic [Width-1:0] q_d, q_q;

    assign q_d = d_i;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        q_q <= '0;
      end else begin
        q_q <= q_d;
      end
    end

    assign q_o = q_q;
  end else begin : g_ring
    // A ring of Depth slots instead of a shift register: each cycle the slot under the pointer
    // is read (it was written Depth cycles ago) and overwritten with d_i, and the pointer
    // moves on. Same timing as Depth stages, but a cycle costs one write and one read in the
    // Verilated model instead of Depth moves.
    localparam int unsigned PtrBits = $clog2(Depth);

    logic [Width-1:0]   slot_q[Depth];
    logic [PtrBits-1:0] ptr_d, ptr_q;

    assign ptr_d = (ptr_q == PtrBits'(Depth - 1)) ? '0 : ptr_q + 1'b1;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int unsigned i = 0; i < Depth; i++) begin
          slot_q[i] <= '0;
        end
        ptr_q <= '0;
      end else begin
        slot_q[ptr_q] <= d_i;
        ptr_q <= ptr_d;
      end
    end

    assign q_o = slot_q[ptr_q];
  end

endmodule
