// Banked scratchpad: int8 rows of NumLanes lanes, one write port, two read ports.
//
// Bank b holds rows [b*BankRows, (b+1)*BankRows). Each bank is a simple dual-port memory (one
// write and one read per cycle), so the write port never waits, and the two read ports proceed
// in the same cycle when they address different banks. When both read one bank, port A
// (activations) wins and port B (weights) is refused for that cycle (b_gnt_o low; it retries):
// the activation stream is the one the array cannot pause without losing a cycle of compute.
//
// Reads have one cycle of latency: data for a request accepted in cycle t is on *_rdata_o in
// cycle t+1. A read of a row written in the same cycle returns the old contents (read-first);
// the dependency tokens keep a correct program from doing that.
module nc_spad
  import nc_pkg::*;
#(
  parameter int unsigned NumLanes = Rows,      // int8 lanes of a row
  parameter int unsigned NumRows = SpadRows,   // rows in all banks
  parameter int unsigned NumBanks = SpadBanks  // banks, each NumRows / NumBanks rows
) (
  input  logic                             clk_i,      // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                             rst_ni,     // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Write port (load unit): always accepted
  input  logic                             we_i,       // write wdata_i to row waddr_i
  input  logic [SpadAddrBits-1:0]          waddr_i,    // row written
  input  logic [NumLanes-1:0][InpBits-1:0] wdata_i,    // lanes written
  // Read port A (activations): always granted
  input  logic                             a_re_i,     // read row a_raddr_i
  input  logic [SpadAddrBits-1:0]          a_raddr_i,  // row read
  output logic [NumLanes-1:0][InpBits-1:0] a_rdata_o,  // row read in the previous cycle
  // Read port B (weights): granted unless port A reads the same bank
  input  logic                             b_re_i,     // read row b_raddr_i
  input  logic [SpadAddrBits-1:0]          b_raddr_i,  // row read
  output logic                             b_gnt_o,    // the read is taken this cycle
  output logic [NumLanes-1:0][InpBits-1:0] b_rdata_o   // row of the read granted last cycle
);

  localparam int unsigned BankRows = NumRows / NumBanks;
  localparam int unsigned BankBits = (NumBanks > 1) ? $clog2(NumBanks) : 1;
  localparam int unsigned RowBits = (BankRows > 1) ? $clog2(BankRows) : 1;
  localparam int unsigned Width = NumLanes * InpBits;

  if (NumBanks < 1 || NumRows % NumBanks != 0) begin : g_bad_banks
    $error("nc_spad: NumRows must be a non-zero multiple of NumBanks");
  end
  if (NumRows > (1 << SpadAddrBits)) begin : g_bad_rows
    $error("nc_spad: NumRows does not fit SpadAddrBits");
  end

  // Bank and row within the bank of an address (division by a constant).
  function automatic logic [BankBits-1:0] bank_of(logic [SpadAddrBits-1:0] addr);
    return BankBits'(32'(addr) / BankRows);
  endfunction
  function automatic logic [RowBits-1:0] row_of(logic [SpadAddrBits-1:0] addr);
    return RowBits'(32'(addr) % BankRows);
  endfunction

  logic [BankBits-1:0] a_bank, b_bank, w_bank;
  logic [BankBits-1:0] a_sel_q, b_sel_q;
  logic [NumBanks-1:0][Width-1:0] bank_rdata_q;

  assign a_bank = bank_of(a_raddr_i);
  assign b_bank = bank_of(b_raddr_i);
  assign w_bank = bank_of(waddr_i);
  assign b_gnt_o = b_re_i && !(a_re_i && a_bank == b_bank);

  for (genvar b = 0; b < NumBanks; b++) begin : g_bank
    logic [Width-1:0] mem_q[BankRows];
    logic             re;
    logic [RowBits-1:0] raddr;

    // Port A has the bank when it reads it; otherwise a granted port B read.
    always_comb begin
      re = 1'b0;
      raddr = row_of(b_raddr_i);
      if (a_re_i && a_bank == BankBits'(b)) begin
        re = 1'b1;
        raddr = row_of(a_raddr_i);
      end else if (b_gnt_o && b_bank == BankBits'(b)) begin
        re = 1'b1;
      end
    end

    // Memory contents have no reset: data survives reset and soft reset alike.
    always_ff @(posedge clk_i) begin
      if (we_i && w_bank == BankBits'(b)) begin
        mem_q[row_of(waddr_i)] <= wdata_i;
      end
    end

    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        bank_rdata_q[b] <= '0;
      end else if (re) begin
        bank_rdata_q[b] <= mem_q[raddr];
      end
    end
  end

  // Which bank each port read, for the output multiplexers of the next cycle.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      a_sel_q <= '0;
      b_sel_q <= '0;
    end else begin
      if (a_re_i) begin
        a_sel_q <= a_bank;
      end
      if (b_gnt_o) begin
        b_sel_q <= b_bank;
      end
    end
  end

  assign a_rdata_o = bank_rdata_q[a_sel_q];
  assign b_rdata_o = bank_rdata_q[b_sel_q];

`ifndef NC_NO_ASSERT
  a_waddr_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      we_i |-> 32'(waddr_i) < NumRows)
    else $error("nc_spad: write past the last row");
  a_araddr_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      a_re_i |-> 32'(a_raddr_i) < NumRows)
    else $error("nc_spad: port A read past the last row");
  a_braddr_range: assert property (@(posedge clk_i) disable iff (!rst_ni)
      b_re_i |-> 32'(b_raddr_i) < NumRows)
    else $error("nc_spad: port B read past the last row");
  a_gnt_only_requested: assert property (@(posedge clk_i) disable iff (!rst_ni)
      b_gnt_o |-> b_re_i)
    else $error("nc_spad: grant without a request");
`endif

endmodule
