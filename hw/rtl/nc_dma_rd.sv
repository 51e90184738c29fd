// AXI4 read engine: reads byte segments of main memory and hands them out as rows.
//
// A segment is a contiguous byte range [addr, addr + len) cut into rows of `elems` bytes; when
// len is not a multiple of elems the issuer says by how much its last row falls short (`pad`),
// and that row comes out with its bytes first and undefined lanes after them. The issue side splits each segment into INCR bursts of BusBytes-aligned
// beats, at most AxiMaxBeats long and never crossing a 4 KiB boundary, one burst per cycle, and
// keeps up to SegDepth segments in flight, so the memory's latency hides behind long transfers
// and behind runs of short segments. The data side takes the beats in order, keeps only each
// segment's bytes (the head of its first beat and the tail of its last beat are dropped) and
// packs them into a byte buffer from which one row per cycle leaves, lane 0 = the row's first
// byte. A segment's rows never share a beat with another segment's rows.
//
// An R beat answered with an error is not kept: poison_o rises and stays until srst_i, the rows
// before it still come out, no row after it does, and later beats are taken and dropped. With
// drain_i (halt, or the unit stopped on an error) nothing new is issued (a request already
// shown stays until taken, as AXI4 requires), every beat owed is taken and dropped and the
// buffer empties. srst_i (only while idle_o) forgets every segment and the poison.
//
// abort_i (soft reset pending, with drain_i) stops waiting for the memory: every burst still
// owed becomes abandoned, and so does a request shown but not yet taken (it stays shown until
// taken, as AXI4 requires), so idle_o rises at once even when the memory never answers. The
// abandoned bursts' beats are taken and dropped whenever they come, before any beat of a later
// burst: the port has one ID and answers it in order, so no interconnect help is needed. A soft
// reset keeps that bookkeeping; the next transfer's requests simply queue behind the abandoned
// request if the memory has not taken it yet.
module nc_dma_rd
  import nc_pkg::*;
#(
  parameter int unsigned MaxRowBytes = Rows,  // widest row, bytes
  parameter int unsigned SegDepth = 64,       // segments in flight (power of two)
  parameter int unsigned SegLenBits = 20,     // bits of a segment length in bytes
  localparam int unsigned ElemBits = $clog2(MaxRowBytes + 1)
) (
  input  logic                                clk_i,        // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                                rst_ni,       // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  input  logic                                drain_i,      // level: issue nothing, drop data
  input  logic                                abort_i,      // level: abandon what is owed
  input  logic                                srst_i,       // soft reset, while idle_o
  output logic                                idle_o,       // no AXI request shown or open
  output logic                                poison_o,     // an R beat came with an error
  // Segments
  input  logic                                seg_valid_i,  // a segment to read
  output logic                                seg_ready_o,  // segment taken
  input  logic [AxiAddrBits-1:0]              seg_addr_i,   // physical address of its 1st byte
  input  logic [SegLenBits-1:0]               seg_len_i,    // bytes, >= 1
  input  logic [ElemBits-1:0]                 seg_elems_i,  // bytes per row, 1..MaxRowBytes
  input  logic [ElemBits-1:0]                 seg_pad_i,    // elems - len % elems, 0 if none
  // Rows, in segment order
  output logic                                row_valid_o,  // a row
  input  logic                                row_ready_i,  // row taken
  output logic [MaxRowBytes-1:0][7:0]         row_data_o,   // lanes >= elems undefined
  // AXI4 read master
  output nc_axi_ar_t                          m_ar_o,       // burst: INCR, aligned, <= 4 KiB
  output logic                                m_arvalid_o,  // request
  input  logic                                m_arready_i,  // request taken
  input  nc_axi_r_t                           m_r_i,        // beat
  input  logic                                m_rvalid_i,   // beat valid
  output logic                                m_rready_o    // beat taken
);

  localparam int unsigned OffBits = $clog2(BusBytes);
  // Room for a row plus two beats: a beat is taken while a row leaves even when the rows
  // straddle beats (unaligned), so one row per cycle keeps flowing.
  localparam int unsigned BufBytes = MaxRowBytes + 2 * BusBytes;
  localparam int unsigned BufBits = 8 * BufBytes;
  localparam int unsigned CntBits = $clog2(BufBytes + 1);
  localparam int unsigned BeatBits = $clog2(AxiMaxBeats + 1);
  localparam int unsigned OutBits = 16;  // bursts open: far more than any slave accepts

  if (SegDepth < 2 || (SegDepth & (SegDepth - 1)) != 0) begin : g_bad_depth
    $error("nc_dma_rd: SegDepth must be a power of two, at least 2");
  end
  if (AxiMaxBeats * BusBytes > 4096) begin : g_bad_beats
    $error("nc_dma_rd: a longest burst must fit a 4 KiB page");
  end

  typedef struct packed {
    logic [OffBits-1:0]    lo;     // byte of the first beat where the segment starts
    logic [SegLenBits-1:0] len;    // bytes
    logic [ElemBits-1:0]   elems;  // bytes per row
    logic [ElemBits-1:0]   pad;    // bytes missing from its last row
  } seg_t;

  // ---------------------------------------------------------------------------------------------
  // Segment FIFO: written by the issue side, read by the data side

  logic                  fifo_full, fifo_empty, seg_fire, seg_pop;
  seg_t                  head;

  nc_fifo #(
    .Depth(SegDepth),
    .T    (seg_t)
  ) u_seg_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(srst_i),
    .push_i (seg_fire),
    .data_i (seg_t'{lo: seg_addr_i[OffBits-1:0], len: seg_len_i, elems: seg_elems_i,
                    pad: seg_pad_i}),
    .pop_i  (seg_pop),
    .data_o (head),
    .full_o (fifo_full),
    .empty_o(fifo_empty),
    /* verilator lint_off PINCONNECTEMPTY */
    .count_o()  // not needed
    /* verilator lint_on PINCONNECTEMPTY */
  );

  // ---------------------------------------------------------------------------------------------
  // Issue side: the current segment, one burst per cycle into the AR register

  logic                   cur_q, cur_d;          // a segment has bursts left
  logic [AxiAddrBits-1:0] a_q, a_d, end_q, end_d;  // next beat address, segment end
  logic                   ar_valid_q, ar_valid_d;
  nc_axi_ar_t             ar_q, ar_d;            // the request shown
  logic [OutBits-1:0]     out_q, out_d;          // bursts taken by the port, not finished
  logic [OutBits-1:0]     orph_q, orph_d;        // abandoned bursts, not finished (oldest)
  logic                   ar_orph_q, ar_orph_d;  // the request shown is an abandoned one
  logic                   ar_load, last_burst;
  logic [BeatBits-1:0]    beats;

  always_comb begin
    logic [AxiAddrBits-1:0] need_bytes;
    logic [AxiAddrBits-1:0] need;
    logic [12:0]            to4k;
    need_bytes = end_q - a_q + AxiAddrBits'(BusBytes) - AxiAddrBits'(1);
    need = need_bytes >> OffBits;
    to4k = (13'd4096 - {1'b0, a_q[11:0]}) >> OffBits;
    beats = BeatBits'(AxiMaxBeats);
    if (32'(to4k) < 32'(beats)) begin
      beats = BeatBits'(to4k);
    end
    if (need < AxiAddrBits'(beats)) begin
      beats = BeatBits'(need);
    end
    last_burst = 32'(beats) >= 32'(need);
  end

  assign ar_load = cur_q && !drain_i && (!ar_valid_q || m_arready_i);
  assign seg_ready_o = !drain_i && !fifo_full && (!cur_q || (ar_load && last_burst));
  assign seg_fire = seg_valid_i && seg_ready_o;

  always_comb begin
    cur_d = cur_q;
    a_d = a_q;
    end_d = end_q;
    ar_valid_d = ar_valid_q && !m_arready_i;
    ar_d = ar_q;
    if (ar_load) begin
      ar_valid_d = 1'b1;
      ar_d = '{burst: NC_AXI_BURST_INCR, size: 3'(OffBits), len: 8'(beats) - 8'd1, addr: a_q};
      a_d = a_q + (AxiAddrBits'(beats) << OffBits);
      cur_d = !last_burst;
    end
    if (seg_fire) begin
      cur_d = 1'b1;
      a_d = {seg_addr_i[AxiAddrBits-1:OffBits], OffBits'(0)};
      end_d = seg_addr_i + AxiAddrBits'(seg_len_i);
    end
    if (drain_i) begin
      cur_d = 1'b0;  // the rest of the segment is never asked for
    end
  end

  assign m_ar_o = ar_q;
  assign m_arvalid_o = ar_valid_q;

  // ---------------------------------------------------------------------------------------------
  // Data side: beats into the byte buffer, rows out of it

  logic [BufBytes-1:0][7:0] buf_q;
  logic [CntBits-1:0]       cnt_q, cnt_d;         // bytes buffered
  logic [ElemBits-1:0]      buf_elems_q, buf_elems_d;  // row size of the buffered bytes
  logic [SegLenBits-1:0]    taken_q, taken_d;     // bytes of the head segment taken
  logic                     poison_q, poison_d;
  logic                     beat_fire, own_beat, keep, row_fire, can_take, seg_end;
  logic [OffBits:0]         skip, take;
  logic [BusBytes-1:0][7:0] beat_bytes;

  assign beat_bytes = m_r_i.data;

  always_comb begin
    logic [SegLenBits-1:0] rem;
    skip = taken_q == '0 ? {1'b0, head.lo} : '0;
    rem = head.len - taken_q;
    take = (OffBits + 1)'(BusBytes) - skip;
    if (SegLenBits'(take) > rem) begin
      take = (OffBits + 1)'(rem);
    end
  end

  // A segment's last beat also makes room for its short last row's missing bytes.
  assign seg_end = (taken_q + SegLenBits'(take)) == head.len;
  assign can_take = !fifo_empty &&
                    32'(cnt_q) + (seg_end ? 32'(head.pad) : 32'd0) <= MaxRowBytes + BusBytes &&
                    (cnt_q == '0 || head.elems == buf_elems_q);
  // Beats come in request order: while abandoned bursts are owed, a beat is theirs.
  assign m_rready_o = orph_q != '0 || drain_i || poison_q || can_take;
  assign beat_fire = m_rvalid_i && m_rready_o;
  assign own_beat = beat_fire && orph_q == '0;
  assign keep = own_beat && !drain_i && !poison_q && m_r_i.resp == NC_AXI_RESP_OKAY;

  assign row_valid_o = !drain_i && cnt_q != '0 && cnt_q >= CntBits'(buf_elems_q);
  assign row_data_o = buf_q[MaxRowBytes-1:0];
  assign row_fire = row_valid_o && row_ready_i;
  assign seg_pop = keep && seg_end;

  // The buffer moves as one vector (a row leaving shifts it down, a beat's bytes are merged in
  // under a mask) rather than byte by byte: the same bytes, and a fraction of the simulation
  // time, because the Verilated model then works on whole words.
  logic [CntBits-1:0] base;  // where this cycle's beat lands, after a row leaves
  always_comb begin
    base = cnt_q - (row_fire ? CntBits'(buf_elems_q) : '0);
    cnt_d = base + (keep ? CntBits'(take) + (seg_pop ? CntBits'(head.pad) : '0) : '0);
    buf_elems_d = keep ? head.elems : buf_elems_q;
    taken_d = keep ? (seg_pop ? '0 : taken_q + SegLenBits'(take)) : taken_q;
    poison_d = poison_q || (own_beat && !drain_i && m_r_i.resp != NC_AXI_RESP_OKAY);
    if (drain_i) begin
      cnt_d = '0;
    end
  end

  // The buffer is written only in cycles that move bytes, from its own clocked process: as a
  // next-state vector the model copied all of it twice every cycle (hw/rtl/README.md).
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      buf_q <= '0;
    end else if (!srst_i && (row_fire || keep)) begin
      logic [BufBits-1:0] b, ins, mask;
      b = buf_q;
      if (row_fire) begin
        b = buf_q >> {buf_elems_q, 3'b000};
      end
      if (keep) begin
        ins = BufBits'(BusBits'(beat_bytes >> {skip, 3'b000})) << {base, 3'b000};
        mask = ~(~BufBits'(0) << {take, 3'b000}) << {base, 3'b000};
        b = (b & ~mask) | (ins & mask);
      end
      buf_q <= b;
    end
  end

  // Bursts open on the port: counted from the AR handshake to the last beat, own and abandoned
  // apart.
  always_comb begin
    out_d = out_q;
    orph_d = orph_q;
    ar_orph_d = ar_orph_q && !m_arready_i;
    if (ar_valid_q && m_arready_i) begin
      if (ar_orph_q) begin
        orph_d = orph_d + 1'b1;
      end else begin
        out_d = out_d + 1'b1;
      end
    end
    if (beat_fire && m_r_i.last) begin
      if (orph_q != '0) begin
        orph_d = orph_d - 1'b1;
      end else begin
        out_d = out_d - 1'b1;
      end
    end
    if (abort_i) begin
      orph_d = orph_d + out_d;
      out_d = '0;
      ar_orph_d = ar_valid_d;
    end
  end

  assign idle_o = !cur_q && (!ar_valid_q || ar_orph_q) && out_q == '0;
  assign poison_o = poison_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cur_q <= 1'b0;
      a_q <= '0;
      end_q <= '0;
      ar_valid_q <= 1'b0;
      ar_q <= '0;
      out_q <= '0;
      orph_q <= '0;
      ar_orph_q <= 1'b0;
      cnt_q <= '0;
      buf_elems_q <= '0;
      taken_q <= '0;
      poison_q <= 1'b0;
    end else if (srst_i) begin
      // Idle: what is still shown or owed is abandoned and stays so.
      cur_q <= 1'b0;
      ar_valid_q <= ar_valid_q && !m_arready_i;
      out_q <= '0;
      orph_q <= orph_d;
      ar_orph_q <= ar_orph_d;
      cnt_q <= '0;
      taken_q <= '0;
      poison_q <= 1'b0;
    end else begin
      cur_q <= cur_d;
      a_q <= a_d;
      end_q <= end_d;
      ar_valid_q <= ar_valid_d;
      ar_q <= ar_d;
      out_q <= out_d;
      orph_q <= orph_d;
      ar_orph_q <= ar_orph_d;
      cnt_q <= cnt_d;
      buf_elems_q <= buf_elems_d;
      taken_q <= taken_d;
      poison_q <= poison_d;
    end
  end

`ifndef NC_NO_ASSERT
  logic ar_moved;
  nc_hold_watch #(.Width($bits(nc_axi_ar_t))) u_ar_hold (
    .clk_i, .rst_ni, .offer_i(m_arvalid_o && !m_arready_i), .excuse_i(1'b0),
    .valid_i(m_arvalid_o), .data_i(m_ar_o), .moved_o(ar_moved)
  );
  a_ar_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !ar_moved)
    else $error("nc_dma_rd: AR withdrawn or changed before it was taken");
  // `m_arvalid_o |-> rule`, the rule worked out only when m_arvalid_o holds
  // (hw/rtl/README.md, "Cheap assertions").
  logic ar_bad;
  nc_implies u_ar_bad (
    .if_i  (m_arvalid_o),
    .then_i(32'(m_ar_o.addr[11:0]) + (32'(m_ar_o.len) + 1) * BusBytes <= 4096 &&
            32'(m_ar_o.len) < AxiMaxBeats && m_ar_o.addr[OffBits-1:0] == '0),
    .bad_o (ar_bad)
  );
  a_ar_4k: assert property (@(posedge clk_i) disable iff (!rst_ni) !ar_bad)
    else $error("nc_dma_rd: burst not aligned, too long or crossing 4 KiB");
  a_beat_owed: assert property (@(posedge clk_i) disable iff (!rst_ni)
      m_rvalid_i |-> out_q != '0 || orph_q != '0)
    else $error("nc_dma_rd: R beat with no burst open");
  a_abort_drains: assert property (@(posedge clk_i) disable iff (!rst_ni)
      abort_i |-> drain_i)
    else $error("nc_dma_rd: abort without drain");
  logic seg_moved;
  nc_hold_watch #(.Width($bits({seg_len_i, seg_addr_i}))) u_seg_hold (
    .clk_i, .rst_ni, .offer_i(seg_valid_i && !seg_ready_o), .excuse_i(drain_i),
    .valid_i(seg_valid_i), .data_i({seg_len_i, seg_addr_i}), .moved_o(seg_moved)
  );
  a_seg_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !seg_moved)
    else $error("nc_dma_rd: segment withdrawn or changed before it was taken");
  a_buf_bound: assert property (@(posedge clk_i) disable iff (!rst_ni)
      32'(cnt_q) <= BufBytes)
    else $error("nc_dma_rd: byte buffer overflow");
  // `srst_i |-> idle_o`, with the consequent worked out only in a soft-reset cycle
  // (hw/rtl/README.md, "Cheap assertions").
  logic srst_busy;
  nc_implies u_srst_busy (.if_i(srst_i), .then_i(idle_o), .bad_o(srst_busy));
  a_srst_idle: assert property (@(posedge clk_i) disable iff (!rst_ni) !srst_busy)
    else $error("nc_dma_rd: soft reset while a burst is open");
`endif

endmodule
