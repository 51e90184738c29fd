// AXI4 write engine: writes a byte stream into byte segments of main memory.
//
// A segment is a contiguous byte range [addr, addr + len); the data arrive as chunks of 1 to
// MaxChunkBytes bytes (an output pixel each) that fill the segments in order, a chunk never
// spanning two segments. The address side splits each segment into INCR bursts of
// BusBytes-aligned beats, at most AxiMaxBeats long and never crossing a 4 KiB boundary, one
// per cycle; the data side packs the chunks into beats, WSTRB marking the segment's bytes (the
// first and last beat of a segment may be partial), one beat per cycle. Bursts are not waited
// for: B responses are counted, and quiet_o says when every byte has been written and
// answered.
//
// A B response with an error sets err_o (until srst_i). With err_o or drain_i the engine takes
// no segment or chunk and shows no new AW (one already shown stays until taken, as AXI4
// requires); the bursts already announced are completed with WSTRB = 0 beats, so no byte is
// written after the error or the halt, and every B owed is taken. srst_i (only while idle_o)
// forgets everything but what abort_i abandoned.
//
// abort_i (soft reset pending, with drain_i) stops waiting for the memory: the bursts announced
// and their B responses become abandoned, and so do an AW and a W beat shown but not yet taken
// (they stay shown until taken, as AXI4 requires), so idle_o rises at once even when the memory
// never answers. Whenever the memory moves again, the abandoned bursts get their remaining beats
// with WSTRB = 0 before any later burst's data, and their B responses are taken and dropped
// before any later burst's (one ID, answered in order): no interconnect help is needed. A soft
// reset keeps that bookkeeping.
module nc_dma_wr
  import nc_pkg::*;
#(
  parameter int unsigned MaxChunkBytes = 4 * Cols,  // longest chunk
  parameter int unsigned SegDepth = 16,             // segments accepted ahead (power of two)
  parameter int unsigned BurstDepth = 16,           // bursts announced ahead of their data
  parameter int unsigned SegLenBits = 20,           // bits of a segment length in bytes
  localparam int unsigned ChunkBits = $clog2(MaxChunkBytes + 1)
) (
  input  logic                              clk_i,        // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                              rst_ni,       // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  input  logic                              drain_i,      // level: write nothing more
  input  logic                              abort_i,      // level: abandon what is owed
  input  logic                              srst_i,       // soft reset, while idle_o
  output logic                              idle_o,       // no AXI transaction open or owed
  output logic                              quiet_o,      // idle_o and nothing left to write
  output logic                              err_o,        // a B response came with an error
  // Segments
  input  logic                              seg_valid_i,  // a segment to write
  output logic                              seg_ready_o,  // segment taken
  input  logic [AxiAddrBits-1:0]            seg_addr_i,   // physical address of its 1st byte
  input  logic [SegLenBits-1:0]             seg_len_i,    // bytes, >= 1
  // Data
  input  logic                              dat_valid_i,  // a chunk
  output logic                              dat_ready_o,  // chunk taken
  input  logic [MaxChunkBytes-1:0][7:0]     dat_i,        // bytes, first at [0]
  input  logic [ChunkBits-1:0]              dat_len_i,    // bytes, 1..MaxChunkBytes
  // AXI4 write master (the ID is the top's)
  output nc_axi_aw_t                        m_aw_o,       // burst: INCR, aligned, <= 4 KiB
  output logic                              m_awvalid_o,  // request
  input  logic                              m_awready_i,  // request taken
  output nc_axi_w_t                         m_w_o,        // beat
  output logic                              m_wvalid_o,   // beat valid
  input  logic                              m_wready_i,   // beat taken
  input  nc_axi_b_t                         m_b_i,        // response
  input  logic                              m_bvalid_i,   // response valid
  output logic                              m_bready_o    // response taken
);

  localparam int unsigned OffBits = $clog2(BusBytes);
  // Room for a chunk plus two beats: a chunk is taken while a beat leaves even when the
  // segment starts unaligned, so one beat per cycle keeps flowing.
  localparam int unsigned BufBytes = MaxChunkBytes + 2 * BusBytes;
  localparam int unsigned BufBits = 8 * BufBytes;
  localparam int unsigned CntBits = $clog2(BufBytes + 1);
  localparam int unsigned PtrBits = $clog2(SegDepth + 1);
  localparam int unsigned BPtrBits = $clog2(BurstDepth + 1);
  localparam int unsigned BeatBits = $clog2(AxiMaxBeats + 1);
  localparam int unsigned OutBits = 16;

  if (SegDepth < 2 || (SegDepth & (SegDepth - 1)) != 0 ||
      BurstDepth < 2 || (BurstDepth & (BurstDepth - 1)) != 0) begin : g_bad_depth
    $error("nc_dma_wr: SegDepth and BurstDepth must be powers of two, at least 2");
  end
  if (AxiMaxBeats * BusBytes > 4096) begin : g_bad_beats
    $error("nc_dma_wr: a longest burst must fit a 4 KiB page");
  end

  typedef struct packed {
    logic [AxiAddrBits-1:0] addr;
    logic [SegLenBits-1:0]  len;
  } seg_t;

  logic stop;  // write nothing more: halt or an error response
  assign stop = drain_i || err_o;

  // ---------------------------------------------------------------------------------------------
  // Segments: the address side takes each one ahead of the data side, so each side has its FIFO,
  // both pushed with every segment. The data side's holds every segment the address side's
  // does, and more while the data side is behind: it alone decides when a segment is taken.

  typedef struct packed {
    logic [OffBits-1:0]    lo;   // byte of the first beat where the segment starts
    logic [SegLenBits-1:0] len;  // bytes
  } wseg_t;

  logic               seg_fire, aw_take, w_pop;
  logic               aw_empty, w_full, w_empty;
  logic [PtrBits-1:0] aw_count, w_count;
  seg_t               aw_head;
  wseg_t              w_head;

  assign seg_ready_o = !stop && !w_full;
  assign seg_fire = seg_valid_i && seg_ready_o;

  nc_fifo #(
    .Depth(SegDepth),
    .T    (seg_t)
  ) u_aw_seg_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(srst_i),
    .push_i (seg_fire),
    .data_i (seg_t'{addr: seg_addr_i, len: seg_len_i}),
    .pop_i  (aw_take),
    .data_o (aw_head),
    /* verilator lint_off PINCONNECTEMPTY */
    .full_o (),  // never fuller than the data side's
    /* verilator lint_on PINCONNECTEMPTY */
    .empty_o(aw_empty),
    .count_o(aw_count)
  );

  nc_fifo #(
    .Depth(SegDepth),
    .T    (wseg_t)
  ) u_w_seg_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(srst_i),
    .push_i (seg_fire),
    .data_i (wseg_t'{lo: seg_addr_i[OffBits-1:0], len: seg_len_i}),
    .pop_i  (w_pop),
    .data_o (w_head),
    .full_o (w_full),
    .empty_o(w_empty),
    .count_o(w_count)
  );

  // The data side's head segment was announced: the address side is past it.
  logic w_announced;
  assign w_announced = w_count != aw_count;

  // ---------------------------------------------------------------------------------------------
  // Address side

  logic [BeatBits-1:0]    bf_head;           // beats of the oldest announced burst
  logic [BPtrBits-1:0]    bf_count;          // bursts announced, their beats not all shown
  logic                   bf_full, bf_empty, bf_pop;
  logic                   cur_q, cur_d;
  logic [AxiAddrBits-1:0] a_q, a_d, end_q, end_d;
  logic                   aw_valid_q, aw_valid_d;
  nc_axi_aw_t             aw_q, aw_d;      // the request shown
  logic                   aw_load, last_burst;
  logic [BeatBits-1:0]    beats;
  logic [OutBits-1:0]     bout_q, bout_d;  // bursts announced and not answered
  logic [OutBits-1:0]     borph_q, borph_d;   // abandoned bursts not answered (the oldest)
  logic                   aw_orph_q, aw_orph_d;  // the AW shown is an abandoned one
  logic [BPtrBits-1:0]    worph_q, worph_d;   // bursts at the front of the burst FIFO that are
                                              // abandoned
  logic                   w_orph_q, w_orph_d;    // the W beat shown is an abandoned one
  logic                   in_orph;            // the head burst of the burst FIFO is abandoned

  always_comb begin
    logic [AxiAddrBits-1:0] need;
    logic [12:0]            to4k;
    need = (end_q - a_q + AxiAddrBits'(BusBytes) - AxiAddrBits'(1)) >> OffBits;
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

  assign aw_load = cur_q && !stop && !bf_full && (!aw_valid_q || m_awready_i);
  assign aw_take = !stop && !aw_empty && (!cur_q || (aw_load && last_burst));

  always_comb begin
    cur_d = cur_q;
    a_d = a_q;
    end_d = end_q;
    aw_valid_d = aw_valid_q && !m_awready_i;
    aw_d = aw_q;
    if (aw_load) begin
      aw_valid_d = 1'b1;
      aw_d = '{burst: NC_AXI_BURST_INCR, size: 3'(OffBits), len: 8'(beats) - 8'd1, addr: a_q};
      a_d = a_q + (AxiAddrBits'(beats) << OffBits);
      cur_d = !last_burst;
    end
    if (aw_take) begin
      cur_d = 1'b1;
      a_d = {aw_head.addr[AxiAddrBits-1:OffBits], OffBits'(0)};
      end_d = aw_head.addr + AxiAddrBits'(aw_head.len);
    end
    if (stop) begin
      cur_d = 1'b0;  // the rest of the segment is never announced
    end
  end

  // Not flushed by srst_i: abandoned bursts may still be owed beats then.
  nc_fifo #(
    .Depth(BurstDepth),
    .Width(BeatBits)
  ) u_burst_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(1'b0),
    .push_i (aw_load),
    .data_i (beats),
    .pop_i  (bf_pop),
    .data_o (bf_head),
    .full_o (bf_full),
    .empty_o(bf_empty),
    .count_o(bf_count)
  );

  assign m_aw_o = aw_q;
  assign m_awvalid_o = aw_valid_q;

  // ---------------------------------------------------------------------------------------------
  // Data side: chunks into the byte buffer, beats out of it

  logic [BufBytes-1:0][7:0] buf_q;
  logic [CntBits-1:0]       cnt_q, cnt_d;
  logic [SegLenBits-1:0]    taken_q, taken_d;  // bytes of the data side's segment sent
  logic [BeatBits-1:0]      wbeat_q, wbeat_d;  // beat within the head burst
  logic                     w_valid_q, w_valid_d;
  nc_axi_w_t                w_q, w_d;          // the beat shown
  logic                     w_load, w_real, dat_fire;
  logic [OffBits:0]         skip, n;

  always_comb begin
    logic [SegLenBits-1:0] rem;
    skip = taken_q == '0 ? {1'b0, w_head.lo} : '0;
    rem = w_head.len - taken_q;
    n = (OffBits + 1)'(BusBytes) - skip;
    if (SegLenBits'(n) > rem) begin
      n = (OffBits + 1)'(rem);
    end
  end

  // A beat goes when its burst was announced and, unless stopping or abandoned, its bytes are
  // here.
  assign in_orph = worph_q != '0;
  assign w_real = !stop && !in_orph && w_announced && 32'(cnt_q) >= 32'(n);
  assign w_load = !bf_empty && (!w_valid_q || m_wready_i) && (stop || in_orph || w_real);
  assign bf_pop = w_load && wbeat_q == bf_head - 1'b1;
  assign w_pop = w_load && !stop && !in_orph && (taken_q + SegLenBits'(n)) == w_head.len;
  assign dat_ready_o = !stop && 32'(cnt_q) <= 2 * BusBytes;
  assign dat_fire = dat_valid_i && dat_ready_o;

  logic [CntBits-1:0] base;    // where this cycle's chunk lands, after a beat's bytes leave
  logic               w_take;  // a beat's bytes leave the buffer
  assign w_take = w_load && !stop && !in_orph;

  always_comb begin
    w_valid_d = w_valid_q && !m_wready_i;
    w_d = w_q;
    wbeat_d = wbeat_q;
    taken_d = taken_q;
    base = cnt_q;
    if (w_load) begin
      w_valid_d = 1'b1;
      wbeat_d = bf_pop ? '0 : wbeat_q + 1'b1;
      w_d = '{last: bf_pop, strb: '0, data: '0};
      if (w_take) begin
        // Vector shifts and masks rather than byte loops: the same bytes, in far fewer
        // operations of the Verilated model.
        w_d.data = (BusBits'(buf_q) << {skip, 3'b000}) &
                   (~(~BusBits'(0) << {n, 3'b000}) << {skip, 3'b000});
        w_d.strb = ~(~BusBytes'(0) << n) << skip;
        base = cnt_q - CntBits'(n);
        taken_d = w_pop ? '0 : taken_q + SegLenBits'(n);
      end
    end
    cnt_d = base + (dat_fire ? CntBits'(dat_len_i) : '0);
    if (stop) begin
      cnt_d = '0;
    end
  end

  // The buffer is written only in cycles that move bytes, from its own clocked process.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      buf_q <= '0;
    end else if (!srst_i && (w_take || dat_fire)) begin
      logic [BufBits-1:0] b, ins, mask;
      b = buf_q;
      if (w_take) begin
        b = buf_q >> {n, 3'b000};
      end
      if (dat_fire) begin
        ins = BufBits'(dat_i) << {base, 3'b000};
        mask = ~(~BufBits'(0) << {dat_len_i, 3'b000}) << {base, 3'b000};
        b = (b & ~mask) | (ins & mask);
      end
      buf_q <= b;
    end
  end

  assign m_w_o = w_q;
  assign m_wvalid_o = w_valid_q;

  // ---------------------------------------------------------------------------------------------
  // Responses

  // B responses come in AW order: while abandoned bursts are owed one, a response is theirs.
  logic err_q, err_d;
  assign m_bready_o = 1'b1;
  always_comb begin
    bout_d = bout_q;
    borph_d = borph_q;
    aw_orph_d = aw_orph_q && !m_awready_i;
    if (aw_valid_q && m_awready_i) begin
      if (aw_orph_q) begin
        borph_d = borph_d + 1'b1;
      end else begin
        bout_d = bout_d + 1'b1;
      end
    end
    if (m_bvalid_i) begin
      if (borph_q != '0) begin
        borph_d = borph_d - 1'b1;
      end else begin
        bout_d = bout_d - 1'b1;
      end
    end
    err_d = err_q || (m_bvalid_i && borph_q == '0 && m_b_i.resp != NC_AXI_RESP_OKAY);
    worph_d = worph_q - BPtrBits'(bf_pop && in_orph);
    w_orph_d = w_load ? in_orph : (w_orph_q && w_valid_d);
    if (abort_i) begin
      borph_d = borph_d + bout_d;
      bout_d = '0;
      aw_orph_d = aw_valid_d;
      worph_d = bf_count + BPtrBits'(aw_load) - BPtrBits'(bf_pop);
      w_orph_d = w_valid_d;
    end
  end

  assign err_o = err_q;
  assign idle_o = (!aw_valid_q || aw_orph_q) && bf_count == worph_q &&
                  (!w_valid_q || w_orph_q) && bout_q == '0;
  assign quiet_o = idle_o && !cur_q && w_empty && cnt_q == '0;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      cur_q <= 1'b0;
      a_q <= '0;
      end_q <= '0;
      aw_valid_q <= 1'b0;
      aw_q <= '0;
      bout_q <= '0;
      borph_q <= '0;
      aw_orph_q <= 1'b0;
      worph_q <= '0;
      w_orph_q <= 1'b0;
      cnt_q <= '0;
      taken_q <= '0;
      wbeat_q <= '0;
      w_valid_q <= 1'b0;
      w_q <= '0;
      err_q <= 1'b0;
    end else if (srst_i) begin
      // Idle: only abandoned bursts are left in the burst FIFO, on AW, on W and owed a B; they
      // go on.
      cur_q <= 1'b0;
      aw_valid_q <= aw_valid_q && !m_awready_i;
      bout_q <= '0;
      borph_q <= borph_d;
      aw_orph_q <= aw_orph_d;
      worph_q <= worph_d;
      w_orph_q <= w_orph_d;
      cnt_q <= '0;
      taken_q <= '0;
      wbeat_q <= wbeat_d;
      w_valid_q <= w_valid_d;
      w_q <= w_d;
      err_q <= 1'b0;
    end else begin
      cur_q <= cur_d;
      a_q <= a_d;
      end_q <= end_d;
      aw_valid_q <= aw_valid_d;
      aw_q <= aw_d;
      bout_q <= bout_d;
      borph_q <= borph_d;
      aw_orph_q <= aw_orph_d;
      worph_q <= worph_d;
      w_orph_q <= w_orph_d;
      cnt_q <= cnt_d;
      taken_q <= taken_d;
      wbeat_q <= wbeat_d;
      w_valid_q <= w_valid_d;
      w_q <= w_d;
      err_q <= err_d;
    end
  end

`ifndef NC_NO_ASSERT
  logic aw_moved;
  nc_hold_watch #(.Width($bits(nc_axi_aw_t))) u_aw_hold (
    .clk_i, .rst_ni, .offer_i(m_awvalid_o && !m_awready_i), .excuse_i(1'b0),
    .valid_i(m_awvalid_o), .data_i(m_aw_o), .moved_o(aw_moved)
  );
  a_aw_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !aw_moved)
    else $error("nc_dma_wr: AW withdrawn or changed before it was taken");
  logic w_moved;
  nc_hold_watch #(.Width($bits(nc_axi_w_t))) u_w_hold (
    .clk_i, .rst_ni, .offer_i(m_wvalid_o && !m_wready_i), .excuse_i(1'b0),
    .valid_i(m_wvalid_o), .data_i(m_w_o), .moved_o(w_moved)
  );
  a_w_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !w_moved)
    else $error("nc_dma_wr: W withdrawn or changed before it was taken");
  // `m_awvalid_o |-> rule` with the rule worked out only when m_awvalid_o holds
  // (hw/rtl/README.md, "Cheap assertions").
  logic aw_bad;
  nc_implies u_aw_bad (
    .if_i  (m_awvalid_o),
    .then_i(32'(m_aw_o.addr[11:0]) + (32'(m_aw_o.len) + 1) * BusBytes <= 4096 &&
            32'(m_aw_o.len) < AxiMaxBeats && m_aw_o.addr[OffBits-1:0] == '0),
    .bad_o (aw_bad)
  );
  a_aw_4k: assert property (@(posedge clk_i) disable iff (!rst_ni) !aw_bad)
    else $error("nc_dma_wr: burst not aligned, too long or crossing 4 KiB");
  a_b_owed: assert property (@(posedge clk_i) disable iff (!rst_ni)
      m_bvalid_i |-> bout_q != '0 || borph_q != '0)
    else $error("nc_dma_wr: B response with no burst open");
  // `(stop || in_orph) && w_load |=> m_w_o.strb == '0`, with the strobes looked at only in the
  // cycle after such a beat was loaded: as the property, the model copied the whole W beat into
  // a sampled variable at every eval (hw/rtl/README.md, "Cheap assertions").
  logic dead_beat_q, strobe_bad;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      dead_beat_q <= 1'b0;
    end else begin
      dead_beat_q <= (stop || in_orph) && w_load;
    end
  end
  nc_implies u_strobe_bad (.if_i(dead_beat_q), .then_i(m_w_o.strb == '0), .bad_o(strobe_bad));
  a_no_strobe_after_stop: assert property (@(posedge clk_i) disable iff (!rst_ni) !strobe_bad)
    else $error("nc_dma_wr: a byte written after a halt or an error");
  a_abort_drains: assert property (@(posedge clk_i) disable iff (!rst_ni)
      abort_i |-> drain_i)
    else $error("nc_dma_wr: abort without drain");
  logic seg_moved;
  nc_hold_watch #(.Width($bits({seg_len_i, seg_addr_i}))) u_seg_hold (
    .clk_i, .rst_ni, .offer_i(seg_valid_i && !seg_ready_o), .excuse_i(stop),
    .valid_i(seg_valid_i), .data_i({seg_len_i, seg_addr_i}), .moved_o(seg_moved)
  );
  a_seg_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !seg_moved)
    else $error("nc_dma_wr: segment withdrawn or changed before it was taken");
  a_buf_bound: assert property (@(posedge clk_i) disable iff (!rst_ni)
      32'(cnt_q) <= BufBytes)
    else $error("nc_dma_wr: byte buffer overflow");
  // `srst_i |-> idle_o`, with the consequent worked out only in a soft-reset cycle
  // (hw/rtl/README.md, "Cheap assertions").
  logic srst_busy;
  nc_implies u_srst_busy (.if_i(srst_i), .then_i(idle_o), .bad_o(srst_busy));
  a_srst_idle: assert property (@(posedge clk_i) disable iff (!rst_ni) !srst_busy)
    else $error("nc_dma_wr: soft reset while a burst is open");
`endif

endmodule
