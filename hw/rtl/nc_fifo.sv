// A first-in first-out queue of Depth entries: the one queue of the RTL (instruction queues,
// retire FIFOs and the fetch buffer of nc_cmd_proc, the DMA engines' segment and burst FIFOs,
// the units' instruction and pixel FIFOs, the compute unit's weight skid).
//
// An entry pushed in a cycle is the head at the earliest in the next cycle (no fall-through:
// no user needs one, and every output is then a register or logic of registers). A push and a
// pop may come in the same cycle, also while full: the head leaves and the new entry takes its
// place at the edge, but a push while full without a pop is an error, and so is a pop while
// empty (both asserted). flush_i empties the queue at the edge; a push or pop in the same
// cycle is dropped.
//
// Depth may be any number from 1. A power of two keeps two pointers with a wrap bit above the
// index (count = write - read); any other depth wraps its pointers explicitly and keeps the
// count in a register. The entries are datapath and have no reset: nothing reads an entry
// before it was pushed.
module nc_fifo #(
  parameter int unsigned Depth = 4,                 // entries, at least 1
  parameter int unsigned Width = 1,                 // bits per entry, when T is left alone
  parameter type         T = logic [Width-1:0],     // entry type
  localparam int unsigned CntBits = $clog2(Depth + 1)
) (
  input  logic               clk_i,    // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic               rst_ni,   // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  input  logic               flush_i,  // empty the queue at the edge (wins over push and pop)
  input  logic               push_i,   // data_i enters (not while full_o, unless pop_i)
  input  T                   data_i,   // the entry pushed
  input  logic               pop_i,    // the head leaves (not while empty_o)
  output T                   data_o,   // the head, the oldest entry (undefined while empty_o)
  output logic               full_o,   // Depth entries held
  output logic               empty_o,  // no entry held
  output logic [CntBits-1:0] count_o   // entries held
);

  localparam int unsigned IdxBits = (Depth > 1) ? $clog2(Depth) : 1;
  localparam bit Pow2 = Depth >= 2 && (Depth & (Depth - 1)) == 0;

  if (Depth < 1) begin : g_bad_depth
    $error("nc_fifo: Depth must be at least 1");
  end

  T                   mem_q[Depth];
  logic [IdxBits-1:0] wr_idx, rd_idx;

  if (Pow2) begin : g_pow2
    // Pointers one bit wider than the index: equal when empty, Depth apart when full.
    logic [IdxBits:0] wr_d, wr_q, rd_d, rd_q;

    assign wr_d = flush_i ? '0 : wr_q + (IdxBits + 1)'(push_i);
    assign rd_d = flush_i ? '0 : rd_q + (IdxBits + 1)'(pop_i);

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wr_q <= '0;
        rd_q <= '0;
      end else begin
        wr_q <= wr_d;
        rd_q <= rd_d;
      end
    end

    assign wr_idx = wr_q[IdxBits-1:0];
    assign rd_idx = rd_q[IdxBits-1:0];
    assign count_o = wr_q - rd_q;
    assign empty_o = wr_q == rd_q;
    assign full_o = wr_q == {~rd_q[IdxBits], rd_q[IdxBits-1:0]};
  end else begin : g_any
    // Pointers that wrap at Depth, and the count beside them.
    logic [IdxBits-1:0] wr_d, wr_q, rd_d, rd_q;
    logic [CntBits-1:0] cnt_d, cnt_q;

    function automatic logic [IdxBits-1:0] next(logic [IdxBits-1:0] p);
      return (32'(p) == Depth - 1) ? '0 : p + 1'b1;
    endfunction

    always_comb begin
      wr_d = push_i ? next(wr_q) : wr_q;
      rd_d = pop_i ? next(rd_q) : rd_q;
      cnt_d = cnt_q + CntBits'(push_i) - CntBits'(pop_i);
      if (flush_i) begin
        wr_d = '0;
        rd_d = '0;
        cnt_d = '0;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wr_q <= '0;
        rd_q <= '0;
        cnt_q <= '0;
      end else begin
        wr_q <= wr_d;
        rd_q <= rd_d;
        cnt_q <= cnt_d;
      end
    end

    assign wr_idx = wr_q;
    assign rd_idx = rd_q;
    assign count_o = cnt_q;
    assign empty_o = cnt_q == '0;
    assign full_o = cnt_q == CntBits'(Depth);
  end

  always_ff @(posedge clk_i) begin
    if (push_i) begin
      mem_q[wr_idx] <= data_i;
    end
  end

  assign data_o = mem_q[rd_idx];

  // The users' handshakes: each sampled as one bit.
`ifndef NC_NO_ASSERT
  logic overflow, underflow;
  assign overflow = push_i && full_o && !pop_i;
  assign underflow = pop_i && empty_o;
  a_no_overflow: assert property (@(posedge clk_i) disable iff (!rst_ni) !overflow)
    else $error("nc_fifo: push while full");
  a_no_underflow: assert property (@(posedge clk_i) disable iff (!rst_ni) !underflow)
    else $error("nc_fifo: pop while empty");
`endif

endmodule
