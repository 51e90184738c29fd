// A first-in first-out queue of Depth entries: the one queue of the RTL (the command
// processor's fetch buffer, instruction queues and retire FIFOs, the DMA engines' segment and
// burst FIFOs, the units' instruction, pixel and command FIFOs, the compute unit's weight skid).
//
// An entry pushed in a cycle is the head at the earliest in the next cycle (no fall-through:
// no user needs one, and every output is a register or logic of registers). A push and a pop
// may come in the same cycle, also while full: the head leaves and the new entry takes its
// place at the edge. A push while full without a pop is an error, and so is a pop while empty
// (both asserted). flush_i empties the queue at the edge; a push or pop in that cycle is
// dropped.
//
// Depth may be any number from 1. A power of two keeps two pointers with a wrap bit above the
// index (count = write - read); any other depth wraps its pointers explicitly and keeps the
// count in a register. The entries are datapath and have no reset: nothing reads an entry
// before it was pushed.
//
// The pointers move in their clocked process, cleared by flush_i or stepped by push_i and
// pop_i, as in OpenTitan's prim_fifo_sync: as next-state values worked out apart, the Verilated
// model computed and copied every pointer of the RTL's 17 queues in every cycle (about 4% of
// its instructions), where most cycles move none. The two checks are immediate assertions in
// the branches that move the pointers, so they are looked at only in a cycle with a push or a
// pop and nothing is copied into a sampled variable; in a clocked process of their own, which
// tests push_i and pop_i again every cycle, they cost 0.2% more.
module nc_fifo #(
  parameter int unsigned Depth = 4,                 // entries, at least 1
  parameter int unsigned Width = 1,                 // bits per entry, when T is left alone
  parameter type         T = logic [Width-1:0],     // entry type
  localparam int unsigned CntBits = $clog2(Depth + 1)
) (
  input  logic               clk_i,    // clock
  input  logic               rst_ni,   // asynchronous reset, active low
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
    // Pointers one bit wider than the index: equal when empty, apart by Depth (only the wrap
    // bit differs) when full.
    localparam logic [IdxBits:0] Full = (IdxBits + 1)'(Depth);
    logic [IdxBits:0] wr_q, rd_q;

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wr_q <= '0;
        rd_q <= '0;
      end else if (flush_i) begin
        wr_q <= '0;
        rd_q <= '0;
      end else begin
        if (push_i) begin
          wr_q <= wr_q + 1'b1;
`ifndef NC_NO_ASSERT
          a_no_overflow: assert (pop_i || (wr_q ^ rd_q) != Full)
            else $error("nc_fifo: push while full");
`endif
        end
        if (pop_i) begin
          rd_q <= rd_q + 1'b1;
`ifndef NC_NO_ASSERT
          a_no_underflow: assert (wr_q != rd_q)
            else $error("nc_fifo: pop while empty");
`endif
        end
      end
    end

    assign wr_idx = wr_q[IdxBits-1:0];
    assign rd_idx = rd_q[IdxBits-1:0];
    assign count_o = wr_q - rd_q;
    assign empty_o = wr_q == rd_q;
    assign full_o = (wr_q ^ rd_q) == Full;
  end else begin : g_any
    // Pointers that wrap at Depth, and the count beside them.
    logic [IdxBits-1:0] wr_q, rd_q;
    logic [CntBits-1:0] cnt_q;

    function automatic logic [IdxBits-1:0] next(logic [IdxBits-1:0] p);
      return (32'(p) == Depth - 1) ? '0 : p + 1'b1;
    endfunction

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        wr_q <= '0;
        rd_q <= '0;
        cnt_q <= '0;
      end else if (flush_i) begin
        wr_q <= '0;
        rd_q <= '0;
        cnt_q <= '0;
      end else begin
        if (push_i) begin
          wr_q <= next(wr_q);
`ifndef NC_NO_ASSERT
          a_no_overflow: assert (pop_i || cnt_q != CntBits'(Depth))
            else $error("nc_fifo: push while full");
`endif
        end
        if (pop_i) begin
          rd_q <= next(rd_q);
`ifndef NC_NO_ASSERT
          a_no_underflow: assert (cnt_q != '0)
            else $error("nc_fifo: pop while empty");
`endif
        end
        if (push_i != pop_i) begin
          cnt_q <= push_i ? cnt_q + 1'b1 : cnt_q - 1'b1;
        end
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

endmodule
