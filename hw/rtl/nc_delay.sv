// A fixed delay line: q_o is d_i from Depth cycles ago (Depth 0: a wire).
//
// The systolic array uses it for the triangular skew of its inputs and the de-skew of its
// outputs. Every stage resets to zero, so valid bits carried in the data come out low after a
// reset.
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
  end else begin : g_stages
    // Unpacked stages: each one is a machine word in the Verilated model, so the shift is Depth
    // word moves instead of shifts of one Depth*Width-bit vector.
    logic [Width-1:0] stage_d[Depth];
    logic [Width-1:0] stage_q[Depth];

    always_comb begin
      stage_d[0] = d_i;
      for (int unsigned i = 1; i < Depth; i++) begin
        stage_d[i] = stage_q[i-1];
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        for (int unsigned i = 0; i < Depth; i++) begin
          stage_q[i] <= '0;
        end
      end else begin
        stage_q <= stage_d;
      end
    end

    assign q_o = stage_q[Depth-1];
  end

endmodule
