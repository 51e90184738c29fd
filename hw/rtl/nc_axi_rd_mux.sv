// AXI4 read multiplexer: NumMasters read masters (no IDs) share one AR/R port.
//
// AR: round-robin among the masters with arvalid, starting after the last one granted. The
// grant is locked while the chosen request waits for arready, so the request the port shows
// never changes before it is taken (AXI4: valid and payload held until ready). The master's
// index is the AR ID; the combinational path from a master's arvalid to the port is one mux.
//
// R: every beat carries the ID of its burst, so it goes to the master the ID names (its
// s_rvalid_o; every master sees the same beat on s_r_o) and that master's rready answers it.
// Beats of different IDs may interleave; each master's own beats arrive in order (one ID per
// master), so no reordering state is needed here. A beat whose ID
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
  input  nc_axi_ar_t                             s_ar_i[NumMasters],  // request of each
  input  logic [NumMasters-1:0]                  s_arvalid_i,  // request valid
  output logic [NumMasters-1:0]                  s_arready_o,  // request taken
  output nc_axi_r_t                              s_r_o,        // beat, the same for every master
  output logic [NumMasters-1:0]                  s_rvalid_o,   // beat for this master
  input  logic [NumMasters-1:0]                  s_rready_i,   // beat taken
  // The port
  output logic [AxiIdBits-1:0]                   m_arid_o,     // master index
  output nc_axi_ar_t                             m_ar_o,       // request
  output logic                                   m_arvalid_o,  // request valid
  input  logic                                   m_arready_i,  // request taken
  input  logic [AxiIdBits-1:0]                   m_rid_i,      // ID of the beat's burst
  input  nc_axi_r_t                              m_r_i,        // beat
  input  logic                                   m_rvalid_i,   // beat valid
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
  assign m_ar_o = s_ar_i[pick];

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

  assign s_r_o = m_r_i;

  always_comb begin
    m_rready_o = !known_id;  // drop a beat no master owns rather than hang the port
    for (int unsigned i = 0; i < NumMasters; i++) begin
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
    nc_hold_watch #(.Width($bits(nc_axi_ar_t))) u_s_ar_hold (
      .clk_i, .rst_ni, .offer_i(s_arvalid_i[i] && !s_arready_o[i]), .excuse_i(1'b0),
      .valid_i(s_arvalid_i[i]), .data_i(s_ar_i[i]), .moved_o(s_ar_moved)
    );
    a_s_ar_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !s_ar_moved)
      else $error("nc_axi_rd_mux: master %0d withdrew or changed its AR before it was taken", i);
  end
  // ... so the port does too.
  logic m_ar_moved;
  logic [AxiIdBits+$bits(nc_axi_ar_t)-1:0] m_ar;
  assign m_ar = {m_arid_o, m_ar_o};
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
