// AXI4 read multiplexer: NumMasters read masters (no IDs) share one AR/R port.
//
// AR: round-robin among the masters with arvalid, starting after the last one granted. The
// grant is locked while the chosen request waits for arready, so the request the port shows
// never changes before it is taken (AXI4: valid and payload held until ready). The master's
// index is the AR ID; the combinational path from a master's arvalid to the port is one mux.
//
// R: every beat carries the ID of its burst, so it goes to the master the ID names and that
// master's rready answers it. Beats of different IDs may interleave; each master's own beats
// arrive in order (one ID per master), so no reordering state is needed here. A beat whose ID
// names no master (cannot happen with a conforming slave) is taken and dropped.
module nc_axi_rd_mux
  import nc_pkg::*;
#(
  parameter int unsigned NumMasters = 3  // read masters; their index is the AR ID
) (
  input  logic                                   clk_i,        // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                                   rst_ni,       // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Read masters (slave side of the mux)
  input  logic [NumMasters-1:0][AxiAddrBits-1:0] s_araddr_i,   // burst address
  input  logic [NumMasters-1:0][7:0]             s_arlen_i,    // beats - 1
  input  logic [NumMasters-1:0][2:0]             s_arsize_i,   // log2(bytes per beat)
  input  logic [NumMasters-1:0][1:0]             s_arburst_i,  // burst type
  input  logic [NumMasters-1:0]                  s_arvalid_i,  // request
  output logic [NumMasters-1:0]                  s_arready_o,  // request taken
  output logic [NumMasters-1:0][BusBits-1:0]     s_rdata_o,    // read data
  output logic [NumMasters-1:0][1:0]             s_rresp_o,    // read response
  output logic [NumMasters-1:0]                  s_rlast_o,    // last beat of the burst
  output logic [NumMasters-1:0]                  s_rvalid_o,   // beat for this master
  input  logic [NumMasters-1:0]                  s_rready_i,   // beat taken
  // The port
  output logic [AxiIdBits-1:0]                   m_arid_o,     // master index
  output logic [AxiAddrBits-1:0]                 m_araddr_o,   // burst address
  output logic [7:0]                             m_arlen_o,    // beats - 1
  output logic [2:0]                             m_arsize_o,   // log2(bytes per beat)
  output logic [1:0]                             m_arburst_o,  // burst type
  output logic                                   m_arvalid_o,  // request
  input  logic                                   m_arready_i,  // request taken
  input  logic [AxiIdBits-1:0]                   m_rid_i,      // ID of the beat's burst
  input  logic [BusBits-1:0]                     m_rdata_i,    // read data
  input  logic [1:0]                             m_rresp_i,    // read response
  input  logic                                   m_rlast_i,    // last beat of the burst
  input  logic                                   m_rvalid_i,   // beat
  output logic                                   m_rready_o    // beat taken
);

  localparam int unsigned IdxBits = NumMasters > 1 ? $clog2(NumMasters) : 1;

  if (NumMasters < 1 || NumMasters > (1 << AxiIdBits)) begin : g_bad_masters
    $error("nc_axi_rd_mux: NumMasters must be 1..2^AxiIdBits");
  end

  // ---------------------------------------------------------------------------------------------
  // AR arbitration

  logic               lock_q, lock_d;   // a request is shown and not yet taken
  logic [IdxBits-1:0] grant_q, grant_d; // the locked master, else the last one granted
  logic [IdxBits-1:0] pick;
  logic               any;

  // Round robin: the first requester after the last grant, wrapping.
  always_comb begin
    pick = grant_q;
    any = 1'b0;
    for (int unsigned k = 1; k <= NumMasters; k++) begin
      logic [IdxBits-1:0] i;
      i = IdxBits'((32'(grant_q) + k) % NumMasters);
      if (!any && s_arvalid_i[i]) begin
        pick = i;
        any = 1'b1;
      end
    end
    if (lock_q) begin
      pick = grant_q;
      any = 1'b1;
    end
  end

  assign m_arvalid_o = any;
  assign m_arid_o = AxiIdBits'(pick);
  assign m_araddr_o = s_araddr_i[pick];
  assign m_arlen_o = s_arlen_i[pick];
  assign m_arsize_o = s_arsize_i[pick];
  assign m_arburst_o = s_arburst_i[pick];

  always_comb begin
    s_arready_o = '0;
    s_arready_o[pick] = any && m_arready_i;
    lock_d = any && !m_arready_i;
    grant_d = any ? pick : grant_q;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      lock_q <= 1'b0;
      grant_q <= IdxBits'(NumMasters - 1);  // master 0 first
    end else begin
      lock_q <= lock_d;
      grant_q <= grant_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // R routing by ID

  logic known_id;
  assign known_id = 32'(m_rid_i) < NumMasters;

  always_comb begin
    m_rready_o = !known_id;  // drop a beat no master owns rather than hang the port
    for (int unsigned i = 0; i < NumMasters; i++) begin
      s_rdata_o[i] = m_rdata_i;
      s_rresp_o[i] = m_rresp_i;
      s_rlast_o[i] = m_rlast_i;
      s_rvalid_o[i] = m_rvalid_i && 32'(m_rid_i) == i;
      if (32'(m_rid_i) == i) begin
        m_rready_o = s_rready_i[i];
      end
    end
  end

`ifndef NC_NO_ASSERT
  // The masters keep their requests (the lock relies on it) ...
  for (genvar i = 0; i < NumMasters; i++) begin : g_sva
    logic s_ar_moved;
    nc_hold_watch #(.Width($bits({s_arlen_i[i], s_araddr_i[i]}))) u_s_ar_hold (
      .clk_i, .rst_ni, .offer_i(s_arvalid_i[i] && !s_arready_o[i]), .excuse_i(1'b0),
      .valid_i(s_arvalid_i[i]), .data_i({s_arlen_i[i], s_araddr_i[i]}), .moved_o(s_ar_moved)
    );
    a_s_ar_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !s_ar_moved)
      else $error("nc_axi_rd_mux: master %0d withdrew or changed its AR before it was taken", i);
  end
  // ... so the port does too.
  logic m_ar_moved;
  logic [$bits({m_arid_o, m_arlen_o, m_arsize_o, m_arburst_o, m_araddr_o})-1:0] m_ar;
  assign m_ar = {m_arid_o, m_arlen_o, m_arsize_o, m_arburst_o, m_araddr_o};
  nc_hold_watch #(.Width($bits(m_ar))) u_m_ar_hold (
    .clk_i, .rst_ni, .offer_i(m_arvalid_o && !m_arready_i), .excuse_i(1'b0),
    .valid_i(m_arvalid_o), .data_i(m_ar), .moved_o(m_ar_moved)
  );
  a_m_ar_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !m_ar_moved)
    else $error("nc_axi_rd_mux: AR withdrawn or changed before it was taken");
  a_one_grant: assert property (@(posedge clk_i) disable iff (!rst_ni)
      $onehot0(s_arready_o))
    else $error("nc_axi_rd_mux: two masters granted at once");
  a_r_known: assert property (@(posedge clk_i) disable iff (!rst_ni)
      m_rvalid_i |-> known_id)
    else $error("nc_axi_rd_mux: R beat with an ID no master owns");
`endif

endmodule
