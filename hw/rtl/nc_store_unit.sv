// Store unit: executes STORE, STORE_CFG and LOAD_PARAM (docs/isa.md), and owns the parameter
// memory (ParamEntries qparam records).
//
// One instruction at a time. STORE_CFG takes effect when it is accepted, so the chk_* port,
// which judges the STORE at the head of the store queue against the STORE_CFG state, always
// sees the state that STORE will run with.
//
// STORE: first the window. Strides are unsigned, so the last output pixel is the highest
// access and one comparison clears the tile; only when it fails are the pixels walked in
// execution order, one per cycle, for the first one outside (dma_window, ERR_INFO its offset,
// nothing written). Then the NumCols lane parameters are read from the parameter memory.
// Then the accumulator rows stream at one per cycle: + bias (wrapping), nc_requant per lane for
// out_fmt int8, a register, and either
//  - no pooling: one output pixel per row into a small pixel FIFO, or
//  - pooling: into a tile buffer (the accumulator has at most AccRows rows, so the whole tile
//    fits); then each output pixel walks its window's taps inside the tile, one per cycle
//    (max, or the sum rounded half away from zero over the taps counted).
// A planner hands nc_dma_wr the byte segments: one per output line when the pixels of a line
// are contiguous (x_stride == pixel bytes), so bursts run across pixels, else one per pixel.
// done_o pulses once every byte has been written and every B response taken.
//
// LOAD_PARAM: the contiguous range is checked at once (the first record outside is computed
// directly: ERR_INFO = its offset). The records are then read twice through nc_dma_rd: the
// first pass runs nc_qparam_check on each (field_range with the field's LSB for the first bad
// one, no entry written), the second writes them. Reading twice keeps the unit free of a
// record buffer; LOAD_PARAM moves at most 16 KiB.
//
// An error response on either engine fails the instruction with dma_bus (ERR_INFO 0). After an
// error the unit reports nothing more, takes nothing, and lets open bursts finish (writes with
// no strobe); halt does the same without a report. abort_i (soft reset pending) makes both
// engines abandon what the memory still owes, so the unit goes idle even when the memory never
// answers. srst_i resets the control and STORE_CFG state; the parameter memory keeps its
// contents.
module nc_store_unit
  import nc_pkg::*;
#(
  parameter int unsigned NumCols = Cols,         // int32 lanes of an accumulator row
  parameter int unsigned NumParams = ParamEntries,  // parameter memory entries
  parameter int unsigned TileRows = AccRows      // tile buffer for pooling, pixels
) (
  input  logic                            clk_i,        // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                            rst_ni,       // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Command interface (hw/rtl/README.md)
  input  logic                            cmd_valid_i,  // a checked instruction, tokens popped
  output logic                            cmd_ready_o,  // taken this cycle
  input  nc_insn_t                        cmd_insn_i,   // STORE, STORE_CFG or LOAD_PARAM
  output logic                            done_o,       // oldest accepted one completed
  output logic                            err_o,        // oldest accepted one failed
  output nc_err_e                         err_code_o,   // with err_o
  output logic [31:0]                     err_info_o,   // with err_o
  input  logic                            halt_i,       // stop; held until srst_i
  input  logic                            abort_i,      // with halt_i: abandon open bursts
  input  logic                            srst_i,       // soft reset pulse (while idle)
  output logic                            idle_o,       // nothing pending, no burst open
  output logic                            busy_o,       // perf: executing
  output logic                            stall_o,      // perf: waiting for memory
  // Window
  input  logic [AxiAddrBits-1:0]          win_base_i,   // WIN_BASE
  input  logic [31:0]                     win_size_i,   // WIN_SIZE
  // Pre-execution check of the STORE at the head of the store queue (combinational)
  input  nc_insn_t                        chk_insn_i,   // the STORE
  output nc_check_t                       chk_o,        // pooling rules vs. STORE_CFG state
  // Accumulator read port
  output logic                            acc_re_o,     // read request
  output logic [AccAddrBits-1:0]          acc_raddr_o,  // row
  input  logic [NumCols-1:0][AccBits-1:0] acc_rdata_i,  // row, the cycle after acc_re_o
  // AXI4 read master (LOAD_PARAM; the ID is the multiplexer's)
  output nc_axi_ar_t                      m_ar_o,       // burst: INCR, aligned, <= 4 KiB
  output logic                            m_arvalid_o,  // request
  input  logic                            m_arready_i,  // request taken
  input  nc_axi_r_t                       m_r_i,        // beat
  input  logic                            m_rvalid_i,   // beat valid
  output logic                            m_rready_o,   // beat taken
  // AXI4 write master (the ID is the top's)
  output nc_axi_aw_t                      m_aw_o,       // burst: INCR, aligned, <= 4 KiB
  output logic                            m_awvalid_o,  // request
  input  logic                            m_awready_i,  // request taken
  output nc_axi_w_t                       m_w_o,        // beat
  output logic                            m_wvalid_o,   // beat valid
  input  logic                            m_wready_i,   // beat taken
  input  nc_axi_b_t                       m_b_i,        // response
  input  logic                            m_bvalid_i,   // response valid
  output logic                            m_bready_o    // response taken
);

  localparam int unsigned PixBytes = 4 * NumCols;        // widest output pixel (int32)
  localparam int unsigned ChunkBits = $clog2(PixBytes + 1);
  localparam int unsigned PAddrBits = $clog2(NumParams);
  localparam int unsigned TileBits = $clog2(TileRows);
  localparam int unsigned LaneBits = $clog2(NumCols + 3);  // lanes, then two addq entries
  localparam int unsigned LaneIdxBits = NumCols > 1 ? $clog2(NumCols) : 1;
  localparam int unsigned PfDepth = 4;                   // pixel FIFO entries
  localparam int unsigned SegLenBits = 20;
  // The read engine's rows: qparam records (LOAD_PARAM) or residual pixels (STORE with add).
  localparam int unsigned RdRowBytes = NumCols > QparamBytes ? NumCols : QparamBytes;
  localparam int unsigned RdElemBits = $clog2(RdRowBytes + 1);

  // ---------------------------------------------------------------------------------------------
  // STORE_CFG state and the pre-execution check

  nc_out_fmt_e  fmt_q, fmt_d;
  nc_pool_op_e  pool_q, pool_d;
  logic [3:0]   kh_q, kh_d, kw_q, kw_d, sh_q, sh_d, sw_q, sw_d;
  logic [31:0]  xs_q, xs_d, ys_q, ys_d;
  logic         add_q, add_d;            // STORE_CFG add: residual add after the clamp
  logic [31:0]  rdelta_q, rdelta_d;      // STORE_CFG res_delta
  logic         pooling;
  logic [3:0]   kh_e, kw_e, sh_e, sw_e;  // window and stride in effect (1 without pooling)

  assign pooling = pool_q != PoolNone;
  assign kh_e = pooling ? kh_q : 4'd1;
  assign kw_e = pooling ? kw_q : 4'd1;
  assign sh_e = pooling ? sh_q : 4'd1;
  assign sw_e = pooling ? sw_q : 4'd1;

  // sim/model/README.md: no pooling takes no padding, pooling takes less than a window (top,
  // bottom, left, right in that order), and one window must fit the padded tile.
  /* verilator lint_off UNUSEDSIGNAL */
  nc_insn_store_t chk_view;  // only the pooling padding and the tile size are judged here
  /* verilator lint_on UNUSEDSIGNAL */
  assign chk_view = nc_insn_store_t'(chk_insn_i);
  always_comb begin
    logic [3:0] pad[4];
    logic [3:0] lim[4];
    logic [6:0] lsb[4];
    pad[0] = chk_view.pool_pad_top;
    pad[1] = chk_view.pool_pad_bottom;
    pad[2] = chk_view.pool_pad_left;
    pad[3] = chk_view.pool_pad_right;
    lim[0] = kh_q;
    lim[1] = kh_q;
    lim[2] = kw_q;
    lim[3] = kw_q;
    lsb[0] = 7'(NC_INSN_STORE_POOL_PAD_TOP_LSB);
    lsb[1] = 7'(NC_INSN_STORE_POOL_PAD_BOTTOM_LSB);
    lsb[2] = 7'(NC_INSN_STORE_POOL_PAD_LEFT_LSB);
    lsb[3] = 7'(NC_INSN_STORE_POOL_PAD_RIGHT_LSB);
    chk_o.err = ErrNone;
    chk_o.info = '0;
    for (int i = 3; i >= 0; i--) begin  // the first failure (lowest i) wins
      if (pooling ? pad[i] >= lim[i] : pad[i] != 4'd0) begin
        chk_o.err = ErrFieldRange;
        chk_o.info = 32'(lsb[i]);
      end
    end
    if (chk_o.err == ErrNone && pooling) begin
      if (11'(chk_view.y_size) + 11'(chk_view.pool_pad_top) + 11'(chk_view.pool_pad_bottom) <
          11'(kh_q)) begin
        chk_o.err = ErrFieldRange;
        chk_o.info = 32'(NC_INSN_STORE_Y_SIZE_LSB);
      end else if (11'(chk_view.x_size) + 11'(chk_view.pool_pad_left) +
                   11'(chk_view.pool_pad_right) < 11'(kw_q)) begin
        chk_o.err = ErrFieldRange;
        chk_o.info = 32'(NC_INSN_STORE_X_SIZE_LSB);
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Control

  typedef enum logic [3:0] {
    SIdle,    // waiting for an instruction
    SStChk,   // STORE: output size and the O(1) window proof
    SStScan,  // STORE: the proof failed, find the first pixel outside
    SStPar,   // STORE: read the lane parameters (and the addq record)
    SStRun,   // STORE: stream the accumulator rows
    SStPool,  // STORE: pool the buffered tile
    SStWait,  // STORE: wait for the last write response
    SLpChk,   // LOAD_PARAM: window
    SLpP1,    // LOAD_PARAM: check every record
    SLpP2,    // LOAD_PARAM: write them
    SStop     // after an error or under halt, until soft reset
  } state_e;

  state_e        st_q, st_d;
  nc_insn_t      insn_q, insn_d;
  /* verilator lint_off UNUSEDSIGNAL */
  nc_insn_store_t      sv;   // views of insn_q: reserved bits and flags were checked
  nc_insn_load_param_t lv;
  nc_insn_store_cfg_t  cv;   // view of the command being accepted
  /* verilator lint_on UNUSEDSIGNAL */
  logic          cmd_fire, drain;
  logic          done_q, done_d, err_q, err_d;
  nc_err_e       code_q, code_d;
  logic [31:0]   info_q, info_d;

  assign sv = nc_insn_store_t'(insn_q);
  assign lv = nc_insn_load_param_t'(insn_q);
  assign cv = nc_insn_store_cfg_t'(cmd_insn_i);
  assign drain = halt_i || st_q == SStop;
  assign cmd_ready_o = st_q == SIdle && !halt_i;
  assign cmd_fire = cmd_valid_i && cmd_ready_o;

  // ---------------------------------------------------------------------------------------------
  // STORE geometry

  // The output's lines, pixels per line and bytes per pixel are computed in the check cycle
  // (SStChk, in the state machine below) and held for the STORE.
  logic [10:0]  oh_q, oh_d, ow_q, ow_d;  // output lines and pixels per line
  logic [9:0]   plen_q, plen_d;          // bytes per output pixel
  logic         contig;
  logic [31:0]  rbase_q, rbase_d;        // residual offset of pixel (0, 0) (STORE with add)

  assign contig = xs_q == 32'(plen_q);

  // ---------------------------------------------------------------------------------------------
  // Planner (segments for the write engine) and the window scan share one pixel walk

  logic         pl_on_q, pl_on_d;        // segments left to hand out
  logic [10:0]  py_q, py_d, px_q, px_d;
  logic [63:0]  pline_q, pline_d, ppix_q, ppix_d;
  logic         walk_step, walk_last, by_line;
  logic         wr_seg_valid, wr_seg_ready;
  logic [31:0]  seg_off;
  logic [SegLenBits-1:0] wr_seg_len;
  // With add each segment goes to both engines (the residual's to the read engine); each may
  // take it in a different cycle, and the walk steps once both have.
  logic         wr_took_q, wr_took_d, rs_took_q, rs_took_d;
  logic         rs_seg_valid, seg_both;

  assign by_line = st_q != SStScan && contig;
  assign walk_last = py_q == oh_q - 11'd1 && (by_line || px_q == ow_q - 11'd1);
  assign wr_seg_valid = pl_on_q && !drain && !wr_took_q;
  assign rs_seg_valid = pl_on_q && !drain && add_q && !rs_took_q;
  assign seg_off = by_line ? pline_q[31:0] : ppix_q[31:0];  // cleared: inside the window
  assign wr_seg_len = by_line ? SegLenBits'(ow_q) * SegLenBits'(plen_q) : SegLenBits'(plen_q);

  always_comb begin
    px_d = px_q;
    py_d = py_q;
    pline_d = pline_q;
    ppix_d = ppix_q;
    if (walk_step) begin
      if (!by_line && px_q != ow_q - 11'd1) begin
        px_d = px_q + 11'd1;
        ppix_d = ppix_q + 64'(xs_q);
      end else begin
        px_d = '0;
        py_d = py_q + 11'd1;
        pline_d = pline_q + 64'(ys_q);
        ppix_d = pline_q + 64'(ys_q);
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Parameter memory and the lane parameters of the running STORE

  logic [127:0]           pmem_q[NumParams];
  logic                   pm_we;
  logic [PAddrBits-1:0]   pm_waddr, pm_raddr;
  logic [127:0]           pm_wdata, pm_rdata_q;
  nc_qparam_t             lane_q[NumCols];
  logic [LaneBits-1:0]    pk_q, pk_d;     // lane parameter being read (then the addq entries)
  logic [127:0]           aq_lo_q;        // first half of the addq record
  /* verilator lint_off UNUSEDSIGNAL */
  nc_addq_t               aq_q;           // the addq record of the running STORE (reserved: 0)
  nc_check_t              aq_chk;         // only its error code decides (ERR_INFO is fixed)
  /* verilator lint_on UNUSEDSIGNAL */

  // Judged only in the cycle that uses it (on the concatenation: through a signal, every cycle).
  always_comb begin
    aq_chk = '0;
    if (st_q == SStPar && add_q && 32'(pk_q) == NumCols + 2) begin
      aq_chk = nc_addq_check({pm_rdata_q, aq_lo_q});  // the record as it completes
    end
  end

  always_ff @(posedge clk_i) begin
    if (pm_we) begin
      pmem_q[pm_waddr] <= pm_wdata;
    end
    pm_rdata_q <= pmem_q[pm_raddr];
    if (st_q == SStPar && pk_q != '0 && 32'(pk_q) <= NumCols) begin
      lane_q[LaneIdxBits'(pk_q-1'b1)] <= nc_qparam_t'(pm_rdata_q);
    end
    if (st_q == SStPar && 32'(pk_q) == NumCols + 1) begin
      aq_lo_q <= pm_rdata_q;
    end
    if (st_q == SStPar && 32'(pk_q) == NumCols + 2) begin
      aq_q <= nc_addq_t'({pm_rdata_q, aq_lo_q});
    end
  end

  always_comb begin
    logic [12:0] a;
    if (32'(pk_q) < NumCols) begin
      a = 13'(sv.param_addr) + 13'(pk_q);
    end else begin
      a = 13'(sv.add_param) + 13'(32'(pk_q) - NumCols);
    end
    pm_raddr = 32'(a) < NumParams ? PAddrBits'(a) : '0;  // lanes >= n_cols are not used
  end

  // ---------------------------------------------------------------------------------------------
  // Accumulator stream: read, bias + requantize (registered), then tile buffer or pixel FIFO

  logic [TileBits:0]          t_q, t_d;   // next tile row to read
  logic [TileBits:0]          tiles;      // y_size * x_size
  logic                       re_q;       // data on acc_rdata_i this cycle
  logic [TileBits-1:0]        re_t_q;
  logic                       s1_q;
  logic [TileBits-1:0]        s1_t_q;
  logic [NumCols-1:0][31:0]   s1_v_q, s1_v_d;
  logic [NumCols-1:0][31:0]   tile_q[TileRows];
  logic                       rd_go;
  logic [2:0]                 pf_cnt;     // pixels in the pixel FIFO
  logic                       pf_push, pf_pop, pf_full, pf_empty;
  logic [NumCols-1:0][31:0]   pf_in;

  // With add, a row is read only with its residual pixel, which leaves the read engine then.
  logic                       res_valid;
  logic [NumCols-1:0][7:0]    res_row, re_res_q, s1_res_q;
  logic [NumCols-1:0][31:0]   add_out;

  assign tiles = (TileBits + 1)'(32'(sv.y_size) * 32'(sv.x_size));
  assign rd_go = st_q == SStRun && !halt_i && t_q != tiles &&
                 (pooling || 32'(pf_cnt) + 32'(re_q) + 32'(s1_q) < PfDepth) &&
                 (!add_q || res_valid);
  assign acc_re_o = rd_go;
  assign acc_raddr_o = AccAddrBits'(32'(sv.acc_addr) + 32'(t_q));

  for (genvar n = 0; n < NumCols; n++) begin : g_lane
    logic signed [31:0] v, q;
    assign v = $signed(acc_rdata_i[n]) + lane_q[n].bias;
    nc_requant u_requant (
      .en_i     (re_q),
      .x_i      (v),
      .mult_i   (lane_q[n].mult),
      .shift_i  (lane_q[n].shift),
      .out_zp_i (lane_q[n].out_zp),
      .act_min_i(32'(lane_q[n].act_min)),
      .act_max_i(32'(lane_q[n].act_max)),
      .q_o      (q)
    );
    assign s1_v_d[n] = fmt_q == OutInt8 ? q : v;
  end

  // The residual add (TFLite's 8-bit Add, nc_add_quant_apply in base/quant.c), per lane on the
  // registered value and its residual byte: both inputs through nc_requant with no zero point
  // and no clamp (the addq record allows right shifts only, so nothing saturates), their sum
  // through a third with the output's zero point and clamp. 3 x NumCols multipliers, used
  // only on add STOREs (operand isolation through en_i).
  for (genvar n = 0; n < NumCols; n++) begin : g_add
    logic               en;
    logic signed [31:0] a, b, ra, rb, o;
    assign en = s1_q && add_q;
    assign a = (32'($signed(s1_v_q[n])) - 32'(aq_q.in_zp0)) <<< 20;
    assign b = ((aq_q.res_unsigned ? 32'(s1_res_q[n]) : 32'($signed(s1_res_q[n]))) -
                32'(aq_q.in_zp1)) <<< 20;
    nc_requant u_in0 (
      .en_i(en), .x_i(a), .mult_i(aq_q.in_mult0), .shift_i(aq_q.in_shift0), .out_zp_i('0),
      .act_min_i(32'sh80000000), .act_max_i(32'sh7fffffff), .q_o(ra)
    );
    nc_requant u_in1 (
      .en_i(en), .x_i(b), .mult_i(aq_q.in_mult1), .shift_i(aq_q.in_shift1), .out_zp_i('0),
      .act_min_i(32'sh80000000), .act_max_i(32'sh7fffffff), .q_o(rb)
    );
    nc_requant u_out (
      .en_i(en), .x_i(ra + rb), .mult_i(aq_q.out_mult), .shift_i(aq_q.out_shift),
      .out_zp_i(aq_q.out_zp), .act_min_i(32'(aq_q.act_min)), .act_max_i(32'(aq_q.act_max)),
      .q_o(o)
    );
    assign add_out[n] = o;
  end

  always_ff @(posedge clk_i) begin
    if (rd_go && add_q) begin
      re_res_q <= res_row;
    end
    if (re_q && add_q) begin
      s1_res_q <= re_res_q;
    end
    if (re_q) begin
      s1_v_q <= s1_v_d;
      s1_t_q <= re_t_q;
    end
    re_t_q <= TileBits'(t_q);
    if (s1_q && pooling && st_q == SStRun) begin
      tile_q[s1_t_q] <= s1_v_q;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Pooling over the tile buffer: one tap per cycle

  typedef enum logic [1:0] {PInit, PTaps, PFin} pphase_e;
  pphase_e                    pp_q, pp_d;
  logic [10:0]                po_y_q, po_y_d, po_x_q, po_x_d;     // output pixel
  logic [10:0]                ya_q, ya_d, yb_q, yb_d, xa_q, xa_d, xb_q, xb_d;
  logic [10:0]                ty_q, ty_d, tx_q, tx_d;             // tap
  logic signed [31:0]         mx_q[NumCols];  // window maximum so far, per lane
  logic signed [47:0]         sm_q[NumCols];  // window sum so far, per lane
  logic                       taps_go;        // a tap of the window is added this cycle
  logic [NumCols-1:0][31:0]   tap;
  logic                       pool_last;

  assign tap = tile_q[TileBits'(32'(ty_q) * 32'(sv.x_size) + 32'(tx_q))];
  assign pool_last = po_y_q == oh_q - 11'd1 && po_x_q == ow_q - 11'd1;

  always_comb begin
    logic signed [15:0] y0, x0, y1, x1;
    logic signed [47:0] cnt;
    pp_d = pp_q;
    po_y_d = po_y_q;
    po_x_d = po_x_q;
    ya_d = ya_q;
    yb_d = yb_q;
    xa_d = xa_q;
    xb_d = xb_q;
    ty_d = ty_q;
    tx_d = tx_q;
    taps_go = 1'b0;
    // Window of the output pixel (oy, ox): [oy*sh - pt, +kh) clipped to the tile.
    y0 = 16'(32'(po_y_q) * 32'(sh_e)) - 16'(sv.pool_pad_top);
    x0 = 16'(32'(po_x_q) * 32'(sw_e)) - 16'(sv.pool_pad_left);
    y1 = y0 + 16'(kh_e);
    x1 = x0 + 16'(kw_e);
    // A push writes s1_v_q (or its sum with the residual) without pooling, the pooled pixel
    // (set in PFin below) with it.
    pf_in = add_q ? add_out : s1_v_q;
    pf_push = 1'b0;
    if (st_q == SStPool && !halt_i) begin
      unique case (pp_q)
        PInit: begin
          ya_d = y0 < 0 ? '0 : 11'(y0);
          xa_d = x0 < 0 ? '0 : 11'(x0);
          yb_d = y1 > 16'(sv.y_size) ? 11'(sv.y_size) : 11'(y1);
          xb_d = x1 > 16'(sv.x_size) ? 11'(sv.x_size) : 11'(x1);
          ty_d = y0 < 0 ? '0 : 11'(y0);
          tx_d = x0 < 0 ? '0 : 11'(x0);
          pp_d = PTaps;
        end
        PTaps: begin
          taps_go = 1'b1;  // mx_q and sm_q take the tap (below)
          if (tx_q != xb_q - 11'd1) begin
            tx_d = tx_q + 11'd1;
          end else begin
            tx_d = xa_q;
            ty_d = ty_q + 11'd1;
            if (ty_q == yb_q - 11'd1) begin
              pp_d = PFin;
            end
          end
        end
        default: begin  // PFin
          if (!pf_full) begin
            // The window's maximum, or its average rounded half away from zero. Computed
            // here, where it is pushed, so the Verilated model divides only then.
            cnt = (48'(yb_q) - 48'(ya_q)) * (48'(xb_q) - 48'(xa_q));
            for (int unsigned n = 0; n < NumCols; n++) begin
              pf_in[n] = pool_q == PoolMax ? mx_q[n] :
                         (sm_q[n] > 0 ? 32'((sm_q[n] + cnt / 2) / cnt)
                                      : 32'((sm_q[n] - cnt / 2) / cnt));
            end
            pf_push = 1'b1;
            pp_d = PInit;
            if (po_x_q != ow_q - 11'd1) begin
              po_x_d = po_x_q + 11'd1;
            end else begin
              po_x_d = '0;
              po_y_d = po_y_q + 11'd1;
            end
          end
        end
      endcase
    end
    if (st_q == SStRun && s1_q && !pooling) begin
      pf_push = 1'b1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Pixel FIFO -> write engine

  logic [NumCols-1:0][31:0]   pf_head;
  logic [PixBytes-1:0][7:0]   chunk;
  logic                       dat_ready;

  nc_fifo #(
    .Depth(PfDepth),
    .Width(NumCols * 32)
  ) u_pf (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(srst_i),
    .push_i (pf_push),
    .data_i (pf_in),
    .pop_i  (pf_pop),
    .data_o (pf_head),
    .full_o (pf_full),
    .empty_o(pf_empty),
    .count_o(pf_cnt)
  );

  always_comb begin
    chunk = '0;
    for (int unsigned n = 0; n < NumCols; n++) begin
      if (fmt_q == OutInt8) begin
        chunk[n] = pf_head[n][7:0];
      end else begin
        for (int unsigned b = 0; b < 4; b++) begin
          chunk[4*n+b] = pf_head[n][8*b+:8];
        end
      end
    end
  end

  assign pf_pop = !pf_empty && dat_ready;

  logic wr_idle, wr_quiet, wr_err;

  nc_dma_wr #(
    .MaxChunkBytes(PixBytes),
    .SegLenBits   (SegLenBits)
  ) u_wr (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .drain_i    (drain),
    .abort_i    (abort_i),
    .srst_i     (srst_i),
    .idle_o     (wr_idle),
    .quiet_o    (wr_quiet),
    .err_o      (wr_err),
    .seg_valid_i(wr_seg_valid),
    .seg_ready_o(wr_seg_ready),
    .seg_addr_i (win_base_i + AxiAddrBits'(seg_off)),
    .seg_len_i  (wr_seg_len),
    .dat_valid_i(!pf_empty && !drain),
    .dat_ready_o(dat_ready),
    .dat_i      (chunk),
    .dat_len_i  (ChunkBits'(plen_q)),
    .m_aw_o     (m_aw_o),
    .m_awvalid_o(m_awvalid_o),
    .m_awready_i(m_awready_i),
    .m_w_o      (m_w_o),
    .m_wvalid_o (m_wvalid_o),
    .m_wready_i (m_wready_i),
    .m_b_i      (m_b_i),
    .m_bvalid_i (m_bvalid_i),
    .m_bready_o (m_bready_o)
  );

  // ---------------------------------------------------------------------------------------------
  // LOAD_PARAM reads

  logic                 rd_idle, rd_poison, row_valid, row_fire, rd_seg_ready, lp_sent_q, lp_sent_d;
  logic [RdRowBytes-1:0][7:0] rd_row;
  logic [15:0][7:0]     row;
  logic                 lp_on, rd_seg_valid, rd_row_ready;
  logic [31:0]          rd_seg_off;
  logic [SegLenBits-1:0] rd_seg_len;
  logic [RdElemBits-1:0] rd_seg_elems;
  logic [10:0]          lk_q, lk_d;                // record
  logic                 bad_q, bad_d;
  nc_check_t            bad_chk_q, bad_chk_d, rec_chk;
  logic [63:0]          lp_end;
  logic [31:0]          lp_first_out;

  // The read engine serves LOAD_PARAM (records) and a STORE with add (residual pixels: the
  // write segment's offset moved by the residual's, n_cols bytes per row).
  assign lp_on = st_q == SLpP1 || st_q == SLpP2;
  assign rd_seg_valid = lp_on ? !lp_sent_q : rs_seg_valid;
  assign rd_seg_off = lp_on ? lv.dram_offset : seg_off - sv.dram_offset + rbase_q;
  assign rd_seg_len = lp_on ? SegLenBits'(32'(lv.count) * QparamBytes) :
                      by_line ? SegLenBits'(ow_q) * SegLenBits'(sv.n_cols) :
                                SegLenBits'(sv.n_cols);
  assign rd_seg_elems = lp_on ? RdElemBits'(QparamBytes) : RdElemBits'(sv.n_cols);
  assign rd_row_ready = lp_on || (rd_go && add_q);
  assign row = rd_row[15:0];
  assign res_valid = row_valid;
  assign res_row = rd_row[NumCols-1:0];
  assign row_fire = row_valid && lp_on;
  // Worked out only in the cycles that read it (a record arriving in the first pass), so the
  // Verilated model runs the check only then. The record goes through a variable of this block:
  // called on the read engine's register itself, the check was scheduled with the register
  // update and ran in every cycle. (rec is set and read only inside the if: not a latch.)
  /* verilator lint_off LATCH */
  always_comb begin
    rec_chk = '0;
    if (st_q == SLpP1 && row_fire) begin
      logic [15:0][7:0] rec;
      rec = row;
      rec_chk = nc_qparam_check(rec);
    end
  end
  /* verilator lint_on LATCH */
  assign lp_end = 64'(lv.dram_offset) + 64'(lv.count) * 64'(QparamBytes);
  // The first record that does not fit: k = floor((WIN_SIZE - dram_offset) / 16), or 0.
  assign lp_first_out = win_size_i >= lv.dram_offset ?
                        lv.dram_offset + ((win_size_i - lv.dram_offset) & ~32'(QparamBytes - 1)) :
                        lv.dram_offset;

  nc_dma_rd #(
    .MaxRowBytes(RdRowBytes),
    .SegDepth   (4),
    .SegLenBits (SegLenBits)
  ) u_rd (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .drain_i    (drain),
    .abort_i    (abort_i),
    .srst_i     (srst_i),
    .idle_o     (rd_idle),
    .poison_o   (rd_poison),
    .seg_valid_i(rd_seg_valid),
    .seg_ready_o(rd_seg_ready),
    .seg_addr_i (win_base_i + AxiAddrBits'(rd_seg_off)),
    .seg_len_i  (rd_seg_len),
    .seg_elems_i(rd_seg_elems),
    .seg_pad_i  ('0),  // records and residual pixels are whole rows
    .row_valid_o(row_valid),
    .row_ready_i(rd_row_ready),
    .row_data_o (rd_row),
    .m_ar_o     (m_ar_o),
    .m_arvalid_o(m_arvalid_o),
    .m_arready_i(m_arready_i),
    .m_r_i      (m_r_i),
    .m_rvalid_i (m_rvalid_i),
    .m_rready_o (m_rready_o)
  );

  assign pm_we = st_q == SLpP2 && row_fire;
  assign pm_waddr = PAddrBits'(32'(lv.param_addr) + 32'(lk_q));
  assign pm_wdata = row;

  // ---------------------------------------------------------------------------------------------
  // The instruction sequencer

  always_comb begin
    st_d = st_q;
    insn_d = insn_q;
    fmt_d = fmt_q;
    pool_d = pool_q;
    kh_d = kh_q;
    kw_d = kw_q;
    sh_d = sh_q;
    sw_d = sw_q;
    xs_d = xs_q;
    ys_d = ys_q;
    add_d = add_q;
    rdelta_d = rdelta_q;
    rbase_d = rbase_q;
    wr_took_d = wr_took_q;
    rs_took_d = rs_took_q;
    oh_d = oh_q;
    ow_d = ow_q;
    plen_d = plen_q;
    pl_on_d = pl_on_q;
    pk_d = pk_q;
    t_d = t_q + (TileBits + 1)'(rd_go);
    lk_d = lk_q;
    bad_d = bad_q;
    bad_chk_d = bad_chk_q;
    lp_sent_d = lp_sent_q || rd_seg_ready;
    done_d = 1'b0;
    err_d = 1'b0;
    code_d = code_q;
    info_d = info_q;
    walk_step = 1'b0;
    unique case (st_q)
      SIdle: begin
        if (cmd_fire) begin
          insn_d = cmd_insn_i;
          unique case (cv.hdr.opcode)
            OpStore: st_d = SStChk;
            OpLoadParam: st_d = SLpChk;
            default: begin  // STORE_CFG
              fmt_d = cv.out_fmt;
              pool_d = cv.pool_op;
              kh_d = cv.pool_kh;
              kw_d = cv.pool_kw;
              sh_d = cv.pool_sh;
              sw_d = cv.pool_sw;
              xs_d = cv.x_stride;
              ys_d = cv.y_stride;
              add_d = cv.add;
              rdelta_d = cv.res_delta;
              done_d = 1'b1;
            end
          endcase
        end
      end
      SStChk: begin : b_geometry
        // Written here rather than as continuous assignments so the Verilated model divides
        // only in this cycle (the logic is the same).
        logic [10:0] oh_c, ow_c;
        logic [9:0]  plen_c;
        logic [31:0] rbase_c;
        logic [63:0] span, last_off, last_res;
        oh_c = 11'((11'(sv.y_size) + 11'(sv.pool_pad_top) + 11'(sv.pool_pad_bottom) -
                    11'(kh_e)) / 11'(sh_e)) + 11'd1;
        ow_c = 11'((11'(sv.x_size) + 11'(sv.pool_pad_left) + 11'(sv.pool_pad_right) -
                    11'(kw_e)) / 11'(sw_e)) + 11'd1;
        plen_c = fmt_q == OutInt8 ? 10'(sv.n_cols) : 10'(sv.n_cols) << 2;
        span = (64'(oh_c) - 64'd1) * 64'(ys_q) + (64'(ow_c) - 64'd1) * 64'(xs_q);
        last_off = 64'(sv.dram_offset) + span;
        rbase_c = sv.dram_offset + rdelta_q;
        last_res = 64'(rbase_c) + span;
        oh_d = oh_c;
        ow_d = ow_c;
        plen_d = plen_c;
        rbase_d = rbase_c;
        wr_took_d = 1'b0;
        rs_took_d = 1'b0;
        if (last_off + 64'(plen_c) <= 64'(win_size_i) &&
            (!add_q || last_res + 64'(sv.n_cols) <= 64'(win_size_i))) begin
          st_d = SStPar;
          pk_d = '0;
        end else begin
          st_d = SStScan;
        end
      end
      SStScan: begin : b_scan
        // Per pixel the residual read comes before the output write. (pres is worked out
        // here, not as a signal of its own, so the Verilated model does so only in this state.)
        logic [63:0] pres;  // residual offset of the pixel ppix_q writes
        pres = ppix_q - 64'(sv.dram_offset) + 64'(rbase_q);
        if (add_q && pres + 64'(sv.n_cols) > 64'(win_size_i)) begin
          err_d = 1'b1;
          code_d = ErrDmaWindow;
          info_d = pres[31:0];
          st_d = SStop;
        end else if (ppix_q + 64'(plen_q) > 64'(win_size_i)) begin
          err_d = 1'b1;
          code_d = ErrDmaWindow;
          info_d = ppix_q[31:0];
          st_d = SStop;
        end else begin
          walk_step = 1'b1;
        end
      end
      SStPar: begin
        pk_d = pk_q + 1'b1;
        if (32'(pk_q) == (add_q ? NumCols + 2 : NumCols)) begin
          st_d = SStRun;
          t_d = '0;
          pl_on_d = 1'b1;
          if (add_q && aq_chk.err != ErrNone) begin  // not an addq record
            err_d = 1'b1;
            code_d = ErrFieldRange;
            info_d = 32'(NC_INSN_STORE_ADD_PARAM_LSB);
            st_d = SStop;
            pl_on_d = 1'b0;
          end
        end
      end
      SStRun: begin
        if (add_q && rd_poison) begin  // an error answered a residual read
          err_d = 1'b1;
          code_d = ErrDmaBus;
          info_d = '0;
          st_d = SStop;
        end else if (t_q == tiles && !re_q && !s1_q) begin
          st_d = pooling ? SStPool : SStWait;
        end
      end
      SStPool: begin
        if (pp_q == PFin && pf_push && pool_last) begin
          st_d = SStWait;
        end
      end
      SStWait: begin
        if (!pl_on_q && pf_empty && wr_quiet) begin
          done_d = 1'b1;
          st_d = SIdle;
        end
      end
      SLpChk: begin
        lk_d = '0;
        bad_d = 1'b0;
        lp_sent_d = 1'b0;
        if (lp_end <= 64'(win_size_i)) begin
          st_d = SLpP1;
        end else begin
          err_d = 1'b1;
          code_d = ErrDmaWindow;
          info_d = lp_first_out;
          st_d = SStop;
        end
      end
      SLpP1, SLpP2: begin
        if (row_fire) begin
          lk_d = lk_q + 11'd1;
          if (st_q == SLpP1 && !bad_q && rec_chk.err != ErrNone) begin
            bad_d = 1'b1;
            bad_chk_d = rec_chk;
          end
          if (32'(lk_q) == 32'(lv.count) - 1) begin
            lk_d = '0;
            lp_sent_d = 1'b0;
            if (st_q == SLpP2) begin
              done_d = 1'b1;
              st_d = SIdle;
            end else if (bad_q || rec_chk.err != ErrNone) begin
              err_d = 1'b1;
              code_d = ErrFieldRange;
              info_d = bad_q ? bad_chk_q.info : rec_chk.info;
              st_d = SStop;
            end else begin
              st_d = SLpP2;
            end
          end
        end else if (rd_poison) begin
          err_d = 1'b1;
          code_d = ErrDmaBus;
          info_d = '0;
          st_d = SStop;
        end
      end
      SStop: ;
      default: st_d = SStop;
    endcase
    // A write error fails the running STORE.
    if (wr_err && st_q inside {SStRun, SStPool, SStWait}) begin
      done_d = 1'b0;
      err_d = 1'b1;
      code_d = ErrDmaBus;
      info_d = '0;
      st_d = SStop;
    end
    // The planner hands out segments while the STORE runs (to both engines with add).
    seg_both = (wr_took_q || (wr_seg_valid && wr_seg_ready)) &&
               (!add_q || rs_took_q || (rs_seg_valid && rd_seg_ready));
    if (st_q inside {SStRun, SStPool, SStWait} && pl_on_q) begin
      if (seg_both) begin
        walk_step = 1'b1;
        wr_took_d = 1'b0;
        rs_took_d = 1'b0;
        if (walk_last) begin
          pl_on_d = 1'b0;
        end
      end else begin
        wr_took_d = wr_took_q || (wr_seg_valid && wr_seg_ready);
        rs_took_d = rs_took_q || (rs_seg_valid && rd_seg_ready);
      end
    end
    if (halt_i) begin
      done_d = 1'b0;
      err_d = 1'b0;
      if (st_q != SIdle) begin
        st_d = SStop;
      end
    end
  end

  // The window's running maximum and sum: datapath registers written only while a window's
  // taps stream in (the first tap of a window overwrites them), so they need no reset, and the
  // Verilated model touches them only in those cycles instead of copying 16 lanes of each
  // through a next-state value every cycle.
  always_ff @(posedge clk_i) begin
    if (taps_go) begin
      for (int unsigned n = 0; n < NumCols; n++) begin
        if (ty_q == ya_q && tx_q == xa_q) begin
          mx_q[n] <= $signed(tap[n]);
          sm_q[n] <= 48'($signed(tap[n]));
        end else begin
          mx_q[n] <= $signed(tap[n]) > mx_q[n] ? $signed(tap[n]) : mx_q[n];
          sm_q[n] <= sm_q[n] + 48'($signed(tap[n]));
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q <= SIdle;
      insn_q <= '0;
      fmt_q <= OutInt32;
      pool_q <= PoolNone;
      kh_q <= 4'd1;
      kw_q <= 4'd1;
      sh_q <= 4'd1;
      sw_q <= 4'd1;
      xs_q <= '0;
      ys_q <= '0;
      add_q <= 1'b0;
      rdelta_q <= '0;
      rbase_q <= '0;
      wr_took_q <= 1'b0;
      rs_took_q <= 1'b0;
      oh_q <= '0;
      ow_q <= '0;
      plen_q <= '0;
      pl_on_q <= 1'b0;
      px_q <= '0;
      py_q <= '0;
      pline_q <= '0;
      ppix_q <= '0;
      pk_q <= '0;
      t_q <= '0;
      re_q <= 1'b0;
      s1_q <= 1'b0;
      pp_q <= PInit;
      po_y_q <= '0;
      po_x_q <= '0;
      ya_q <= '0;
      yb_q <= '0;
      xa_q <= '0;
      xb_q <= '0;
      ty_q <= '0;
      tx_q <= '0;
      lk_q <= '0;
      bad_q <= 1'b0;
      bad_chk_q <= '0;
      lp_sent_q <= 1'b0;
      done_q <= 1'b0;
      err_q <= 1'b0;
      code_q <= ErrNone;
      info_q <= '0;
    end else if (srst_i) begin
      st_q <= SIdle;
      fmt_q <= OutInt32;
      pool_q <= PoolNone;
      kh_q <= 4'd1;
      kw_q <= 4'd1;
      sh_q <= 4'd1;
      sw_q <= 4'd1;
      xs_q <= '0;
      ys_q <= '0;
      add_q <= 1'b0;
      rdelta_q <= '0;
      wr_took_q <= 1'b0;
      rs_took_q <= 1'b0;
      pl_on_q <= 1'b0;
      re_q <= 1'b0;
      s1_q <= 1'b0;
      pp_q <= PInit;
      done_q <= 1'b0;
      err_q <= 1'b0;
      code_q <= ErrNone;
      info_q <= '0;
    end else begin
      st_q <= st_d;
      insn_q <= insn_d;
      fmt_q <= fmt_d;
      pool_q <= pool_d;
      kh_q <= kh_d;
      kw_q <= kw_d;
      sh_q <= sh_d;
      sw_q <= sw_d;
      xs_q <= xs_d;
      ys_q <= ys_d;
      add_q <= add_d;
      rdelta_q <= rdelta_d;
      rbase_q <= rbase_d;
      wr_took_q <= wr_took_d;
      rs_took_q <= rs_took_d;
      oh_q <= oh_d;
      ow_q <= ow_d;
      plen_q <= plen_d;
      pl_on_q <= pl_on_d;
      if (st_q == SStChk) begin
        px_q <= '0;
        py_q <= '0;
        pline_q <= 64'(sv.dram_offset);
        ppix_q <= 64'(sv.dram_offset);
        po_y_q <= '0;
        po_x_q <= '0;
        pp_q <= PInit;
      end else begin
        px_q <= px_d;
        py_q <= py_d;
        pline_q <= pline_d;
        ppix_q <= ppix_d;
        po_y_q <= po_y_d;
        po_x_q <= po_x_d;
        pp_q <= pp_d;
      end
      pk_q <= pk_d;
      t_q <= t_d;
      re_q <= rd_go;
      s1_q <= re_q && !halt_i;
      ya_q <= ya_d;
      yb_q <= yb_d;
      xa_q <= xa_d;
      xb_q <= xb_d;
      ty_q <= ty_d;
      tx_q <= tx_d;
      lk_q <= lk_d;
      bad_q <= bad_d;
      bad_chk_q <= bad_chk_d;
      lp_sent_q <= lp_sent_d;
      done_q <= done_d;
      err_q <= err_d;
      code_q <= code_d;
      info_q <= info_d;
    end
  end

  assign done_o = done_q;
  assign err_o = err_q;
  assign err_code_o = code_q;
  assign err_info_o = info_q;
  assign idle_o = rd_idle && wr_idle && (st_q == SIdle || st_q == SStop);
  assign busy_o = !(st_q == SIdle || st_q == SStop);
  // Pooling waits for memory like the row stream does: a pooled pixel held by a full pixel FIFO
  // (the write engine not taking data) is no progress for the watchdog.
  assign stall_o = busy_o && !(rd_go || row_fire || st_q inside {SStChk, SStScan, SStPar} ||
                               (st_q == SStPool && !(pp_q == PFin && pf_full)));

`ifndef NC_NO_ASSERT
  logic cmd_moved;
  nc_hold_watch #(.Width($bits(cmd_insn_i))) u_cmd_hold (
    .clk_i, .rst_ni, .offer_i(cmd_valid_i && !cmd_ready_o && !halt_i), .excuse_i(halt_i),
    .valid_i(cmd_valid_i), .data_i(cmd_insn_i), .moved_o(cmd_moved)
  );
  a_cmd_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !cmd_moved)
    else $error("nc_store_unit: command withdrawn or changed before it was taken");
  // `cmd_fire |-> rule` with the rule worked out only when cmd_fire holds
  // (hw/rtl/README.md, "Cheap assertions").
  logic cmd_bad;
  nc_implies u_cmd_bad (
    .if_i  (cmd_fire),
    .then_i(cv.hdr.opcode inside {OpStore, OpStoreCfg, OpLoadParam}),
    .bad_o (cmd_bad)
  );
  a_cmd_opcode: assert property (@(posedge clk_i) disable iff (!rst_ni) !cmd_bad)
    else $error("nc_store_unit: given an instruction that is not STORE, STORE_CFG or LOAD_PARAM");
  a_tile_fits: assert property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStRun |-> 32'(tiles) <= TileRows)
    else $error("nc_store_unit: STORE tile larger than the tile buffer");
  a_one_report: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(done_o && err_o))
    else $error("nc_store_unit: done and error in one cycle");
  // `srst_i |-> idle_o`, with the consequent worked out only in a soft-reset cycle
  // (hw/rtl/README.md, "Cheap assertions").
  logic srst_busy;
  nc_implies u_srst_busy (.if_i(srst_i), .then_i(idle_o), .bad_o(srst_busy));
  a_srst_idle: assert property (@(posedge clk_i) disable iff (!rst_ni) !srst_busy)
    else $error("nc_store_unit: soft reset while not idle");
`endif

`ifdef NC_COVER
  // Functional cover points (regress/testplan.md names the feature and tests of each); only in
  // the coverage build (+define+NC_COVER). The requantizer's are taken on lane 0 (and 1).
  logic signed [63:0] cov_shifted;  // lane 0's value shifted left, before saturation
  logic               cov_rq;       // lane 0 requantizes a value this cycle
  assign cov_shifted = 64'(g_lane[0].v) <<< (lane_q[0].shift > 8'sd0 ? 6'(lane_q[0].shift) : 6'd0);
  assign cov_rq = re_q && fmt_q == OutInt8;
  // a STORE completed (every B response taken)
  cp_done_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStWait && done_d);
  // a STORE_CFG completed
  cp_done_store_cfg: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SIdle && done_d);
  // a LOAD_PARAM completed
  cp_done_load_param: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SLpP2 && done_d);
  // STORE of raw int32 (acc + bias)
  cp_store_int32: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStRun && re_q && fmt_q == OutInt32);
  // STORE of requantized int8
  cp_store_int8: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStRun && re_q && fmt_q == OutInt8);
  // a non-zero bias added
  cp_store_bias: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStRun && re_q && lane_q[0].bias != '0);
  // max pooling over the tile
  cp_store_pool_max: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStPool && taps_go && pool_q == PoolMax);
  // average pooling over the tile
  cp_store_pool_avg: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStPool && taps_go && pool_q == PoolAvg);
  // pooling with padding (windows clipped to the tile)
  cp_store_pool_pad: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStPool && pp_q == PInit &&
      (sv.pool_pad_top != '0 || sv.pool_pad_left != '0 || sv.pool_pad_bottom != '0 ||
       sv.pool_pad_right != '0));
  // pooling with a stride above 1
  cp_store_pool_stride: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStPool && pp_q == PInit && (sh_q > 4'd1 || sw_q > 4'd1));
  // overlapping pooling windows (stride below the window)
  cp_store_pool_overlap: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStPool && pp_q == PInit && (sh_q < kh_q || sw_q < kw_q));
  // an average of a negative sum (rounded away from zero)
  cp_store_pool_avg_neg: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStPool && pp_q == PFin && pool_q == PoolAvg && pf_push && sm_q[0] < 0);
  // contiguous output pixels: one write segment per line
  cp_store_contig: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q inside {SStRun, SStPool, SStWait} && pl_on_q && wr_seg_ready && by_line &&
      ow_q > 11'd1);
  // strided output pixels: one write segment per pixel
  cp_store_by_pixel: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q inside {SStRun, SStPool, SStWait} && pl_on_q && wr_seg_ready && !by_line);
  // a write segment that starts inside a bus beat
  cp_store_unaligned: cover property (@(posedge clk_i) disable iff (!rst_ni)
      wr_seg_valid && wr_seg_ready && seg_off[$clog2(BusBytes)-1:0] != '0);
  // the window proof failed: pixels walked for the first one outside
  cp_store_window_scan: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStScan);
  // the pixel FIFO full: the write engine holds the stream back
  cp_store_pf_full: cover property (@(posedge clk_i) disable iff (!rst_ni)
      pf_full);
  // the STORE waits for its last write responses
  cp_store_wait_b: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStWait && pf_empty && !pl_on_q && !wr_quiet);
  // the pooling rules reject the STORE at the queue head
  cp_store_chk_fail: cover property (@(posedge clk_i) disable iff (!rst_ni)
      chk_o.err != ErrNone);
  // LOAD_PARAM: a record fails nc_qparam_check
  cp_lp_record_bad: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SLpP1 && row_fire && rec_chk.err != ErrNone);
  // LOAD_PARAM past the window
  cp_lp_window: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SLpChk && lp_end > 64'(win_size_i));
  // an error beat fails the LOAD_PARAM
  cp_lp_poison: cover property (@(posedge clk_i) disable iff (!rst_ni)
      (st_q == SLpP1 || st_q == SLpP2) && !row_valid && rd_poison);
  // a write error (BRESP) fails the STORE
  cp_store_wr_err: cover property (@(posedge clk_i) disable iff (!rst_ni)
      wr_err && st_q inside {SStRun, SStPool, SStWait});
  // a residual add: a pixel summed with its residual
  cp_store_add: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStRun && s1_q && add_q);
  // a residual add whose pixels are not contiguous: one read segment per pixel
  cp_store_add_by_pixel: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rs_seg_valid && rd_seg_ready && !by_line);
  // the row stream waits for a residual pixel
  cp_store_add_res_wait: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStRun && add_q && !res_valid && t_q != tiles);
  // the window walk finds a residual pixel outside first
  cp_store_add_window: cover property (@(posedge clk_i) disable iff (!rst_ni)
      st_q == SStScan && add_q &&
      ppix_q - 64'(sv.dram_offset) + 64'(rbase_q) + 64'(sv.n_cols) > 64'(win_size_i));
  // the addq record fails its check
  cp_store_addq_bad: cover property (@(posedge clk_i) disable iff (!rst_ni)
      aq_chk.err != ErrNone);
  // halted in the middle of a STORE or LOAD_PARAM
  cp_store_halt_busy: cover property (@(posedge clk_i) disable iff (!rst_ni)
      halt_i && st_q != SIdle && st_q != SStop);
  // requantization with a left shift
  cp_rq_shift_left: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && lane_q[0].shift > 8'sd0);
  // requantization with a right shift
  cp_rq_shift_right: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && lane_q[0].shift < 8'sd0);
  // requantization without a shift
  cp_rq_shift_zero: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && lane_q[0].shift == 8'sd0);
  // the left shift saturates to the int32 range
  cp_rq_saturate: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && (cov_shifted > 64'sd2147483647 || cov_shifted < -64'sd2147483648));
  // the result clamped at act_min
  cp_rq_clamp_min: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && g_lane[0].q == 32'(lane_q[0].act_min) && lane_q[0].act_min != lane_q[0].act_max);
  // the result clamped at act_max
  cp_rq_clamp_max: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && g_lane[0].q == 32'(lane_q[0].act_max) && lane_q[0].act_min != lane_q[0].act_max);
  // a non-zero output zero point
  cp_rq_zero_point: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && lane_q[0].out_zp != '0);
  // per-channel requantization: two lanes, two multipliers
  cp_rq_per_channel: cover property (@(posedge clk_i) disable iff (!rst_ni)
      cov_rq && lane_q[0].mult != lane_q[1].mult);
`endif

endmodule
