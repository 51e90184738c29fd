// Two small tops for tests/rtl/check_sampled_test.sh, which Verilates each and runs
// sim/rtl/check_sampled.py on the result. Both register a byte when a_i && !b_i and assert
// that the valid bit follows a cycle later; they differ only in what the assertion samples.

// The assertion samples `take`, which the model computes from the inputs: the check must fail
// and name it.
module nc_cs_bad (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       a_i,
  input  logic       b_i,
  input  logic [7:0] d_i,
  output logic [7:0] q_o,
  output logic       v_o
);
  logic take;
  assign take = a_i && !b_i;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      q_o <= '0;
      v_o <= 1'b0;
    end else begin
      v_o <= take;
      if (take) q_o <= d_i;
    end
  end
  a_v: assert property (@(posedge clk_i) disable iff (!rst_ni) take |=> v_o)
    else $error("nc_cs_bad: no valid after a take");
endmodule

// The same property over the inputs themselves: the check must pass.
module nc_cs_good (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic       a_i,
  input  logic       b_i,
  input  logic [7:0] d_i,
  output logic [7:0] q_o,
  output logic       v_o
);
  logic take;
  assign take = a_i && !b_i;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      q_o <= '0;
      v_o <= 1'b0;
    end else begin
      v_o <= take;
      if (take) q_o <= d_i;
    end
  end
  a_v: assert property (@(posedge clk_i) disable iff (!rst_ni) a_i && !b_i |=> v_o)
    else $error("nc_cs_good: no valid after a take");
endmodule
