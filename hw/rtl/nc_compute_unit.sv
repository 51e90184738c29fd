// Compute unit: executes GEMM and DWCONV instructions on the systolic array.
//
// Accepted GEMMs wait in a small command FIFO walked by two stages that run concurrently:
//
//  - The weight stage reads each GEMM's NumCols weight rows (unless wgt_keep) through
//    scratchpad port B and shifts them into the array's shadow weights. It runs ahead of the
//    activation stage, so a GEMM's preload overlaps the previous GEMM's stream; the array holds
//    it off while the shadow is still full. Port B loses bank conflicts to port A.
//  - The activation stage reads one vector per cycle through port A over loop_out x loop_in
//    with the strides. The first vector of a GEMM with new weights swaps them in; it is issued
//    only once the shadow is full, so the array always takes the vector the cycle after its
//    read. Vectors of consecutive GEMMs follow each other without a gap.
//
// Each vector's accumulator row, accumulate flag and "last of its GEMM" flag travel in a delay
// line of the array's latency plus the read cycle and meet the result leaving the array; the
// result goes to the accumulator's read-modify-write port (which forwards back-to-back writes
// of one row). done_o pulses the cycle after a GEMM's last result was handed to the
// accumulator, when the write lands: one pulse per GEMM, in order. GEMMs never fail (the
// command processor checked them), so err_o stays low.
//
// DWCONV (depthwise; hw/rtl/README.md gives the timing argument) preloads its weights as a GEMM
// does, then streams its tile's pixels (every pix_stride-th row) through port A, one per
// cycle, into a line buffer, and puts
// the array in depthwise mode: each row multiplies lanes of a line vector, the pixels of one
// kernel line with the column skew built in, which the unit reads out of the line buffer each
// cycle. Output pixels (slots) enter the array as vectors whose data is unused, one per cycle
// of the stream where the window's position is an output, j0 = 3 + (kh-1)*(line-kw) cycles
// behind the stream; their results travel and land as a GEMM's do. The array changes mode, and
// the line vectors change geometry (kh, kw, line), only while it is empty: consecutive DWCONVs
// of one geometry stream back to back.
//
// Halt drops queued GEMMs, stops reads and accumulator writes, and lets vectors inside the
// array drain (their results are discarded). Soft reset then re-zeroes the array's weights, as
// the ISA requires (the model's soft reset zeroes them): a flush fills the shadow with zero
// columns and swaps them in with a dummy vector, twice, so any partially preloaded shadow is
// cleared as well. Until the flush ends the unit takes no GEMM.
module nc_compute_unit
  import nc_pkg::*;
#(
  parameter int unsigned NumRows = Rows,  // array rows: int8 lanes of a scratchpad row
  parameter int unsigned NumCols = Cols,  // array columns: int32 lanes of an accumulator row
  parameter int unsigned CmdDepth = 4     // GEMMs accepted ahead of the one streaming
) (
  input  logic                            clk_i,           // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                            rst_ni,          // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Command interface (hw/rtl/README.md)
  input  logic                            cmd_valid_i,     // a checked GEMM, tokens popped
  output logic                            cmd_ready_o,     // the GEMM is taken this cycle
  input  nc_insn_t                        cmd_insn_i,      // the GEMM
  output logic                            done_o,          // oldest accepted GEMM completed
  output logic                            err_o,           // never: GEMMs cannot fail here
  output nc_err_e                         err_code_o,      // ErrNone
  output logic [31:0]                     err_info_o,      // 0
  input  logic                            halt_i,          // stop; held until srst_i
  input  logic                            srst_i,          // soft reset pulse (while idle)
  output logic                            idle_o,          // nothing pending
  output logic                            busy_o,          // perf: streaming this cycle
  output logic                            stall_o,         // perf: waiting for its weights
  output logic                            macs_o,          // a vector entered the array
  // Scratchpad port A (activations)
  output logic                            spad_a_re_o,     // read request
  output logic [SpadAddrBits-1:0]         spad_a_raddr_o,  // row
  input  logic [NumRows-1:0][InpBits-1:0] spad_a_rdata_i,  // row, the cycle after
  // Scratchpad port B (weights)
  output logic                            spad_b_re_o,     // read request
  output logic [SpadAddrBits-1:0]         spad_b_raddr_o,  // row
  input  logic                            spad_b_gnt_i,    // request taken this cycle
  input  logic [NumRows-1:0][InpBits-1:0] spad_b_rdata_i,  // row, the cycle after the grant
  // Accumulator write port
  output logic                            acc_wr_valid_o,  // result vector
  output logic [AccAddrBits-1:0]          acc_wr_addr_o,   // row
  output logic                            acc_wr_accum_o,  // add (1) or overwrite (0)
  output logic [NumCols-1:0][AccBits-1:0] acc_wr_data_o    // int32 lanes
);

  localparam int unsigned Latency = NumRows + NumCols - 1;
  localparam int unsigned ColBits = $clog2(NumCols + 1);
  localparam int unsigned InflBits = $clog2(Latency + 3) + 1;
  localparam int unsigned MetaBits = AccAddrBits + 3;  // valid, last, accumulate, row

  if (CmdDepth < 2 || (CmdDepth & (CmdDepth - 1)) != 0) begin : g_bad_depth
    $error("nc_compute_unit: CmdDepth must be a power of two, at least 2");
  end

  assign err_o = 1'b0;
  assign err_code_o = ErrNone;
  assign err_info_o = '0;

  // ---------------------------------------------------------------------------------------------
  // Command FIFOs: the weight stage walks the GEMMs ahead of the activation stage, so each stage
  // has its FIFO, both pushed with every GEMM (the weight stage's holds only the fields it
  // reads). The activation stage's holds every GEMM the weight stage's does, and more while the
  // weight stage is ahead: it alone decides when there is room. Halt and soft reset empty both.

  typedef struct packed {
    logic [15:0] wgt_addr;  // first weight row
    logic        wgt_keep;  // no preload
  } wcmd_t;

  logic                   flushing;

  // The activation stage reads only the fields it needs (the header was checked before the GEMM
  // came).
  /* verilator lint_off UNUSEDSIGNAL */
  nc_insn_gemm_t a_entry;
  /* verilator lint_on UNUSEDSIGNAL */
  nc_insn_gemm_t cmd_gemm;
  /* verilator lint_off UNUSEDSIGNAL */
  nc_insn_dwconv_t a_dwc;  // a_entry as a DWCONV (the shared fields are read from a_entry)
  /* verilator lint_on UNUSEDSIGNAL */
  wcmd_t         w_entry;
  logic          a_has, w_has, a_empty, w_empty, a_full, a_pop, w_pop, cmd_fire;
  logic [$clog2(CmdDepth + 1)-1:0] a_count, w_count;

  assign cmd_gemm = nc_insn_gemm_t'(cmd_insn_i);
  assign cmd_ready_o = !a_full && !halt_i && !flushing;
  assign cmd_fire = cmd_valid_i && cmd_ready_o;

  nc_fifo #(
    .Depth(CmdDepth),
    .T    (nc_insn_gemm_t)
  ) u_a_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(halt_i || srst_i),
    .push_i (cmd_fire),
    .data_i (cmd_gemm),
    .pop_i  (a_pop),
    .data_o (a_entry),
    .full_o (a_full),
    .empty_o(a_empty),
    .count_o(a_count)
  );

  nc_fifo #(
    .Depth(CmdDepth),
    .T    (wcmd_t)
  ) u_w_fifo (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(halt_i || srst_i),
    .push_i (cmd_fire),
    .data_i (wcmd_t'{wgt_addr: cmd_gemm.wgt_addr, wgt_keep: cmd_gemm.wgt_keep}),
    .pop_i  (w_pop),
    .data_o (w_entry),
    /* verilator lint_off PINCONNECTEMPTY */
    .full_o (),  // never fuller than the activation stage's
    /* verilator lint_on PINCONNECTEMPTY */
    .empty_o(w_empty),
    .count_o(w_count)
  );

  assign a_has = !a_empty;
  assign w_has = !w_empty;
  assign a_dwc = nc_insn_dwconv_t'(a_entry);

  // ---------------------------------------------------------------------------------------------
  // Array

  logic                            wgt_valid, wgt_ready;
  logic [NumRows-1:0][WgtBits-1:0] wgt_data;
  logic                            act_valid_q, act_swap_q, act_ready;
  logic [NumRows-1:0][InpBits-1:0] act_data;
  logic                            out_valid;
  logic [NumCols-1:0][AccBits-1:0] out_data;
  logic                            act_dummy_q;  // the flush's vector: zeros

  // Depthwise mode: line buffer, line vectors and their geometry (set while the array is empty)
  localparam int unsigned SelBits = $clog2(DwKhMax + 1);
  localparam int unsigned LbRows = 2 ** $clog2((DwKhMax - 1) * DwLineMax + NumCols + 1);
  localparam int unsigned LbBits = $clog2(LbRows);
  logic                                        dwmode_q, dwmode_d;  // the array is in dw mode
  logic [NumRows-1:0][InpBits-1:0]             lb_q[LbRows];        // the stream's last rows
  logic [LbBits-1:0]                           wp_q;                // line buffer write row
  logic [DwKhMax-1:0][NumCols-1:0][InpBits-1:0] lv_q;               // line vectors, next cycle's
  logic [DwKhMax-1:0][LbBits-1:0]              lv_off_q;            // (kh-1-ky)*(line-kw)
  logic [NumRows-1:0][SelBits-1:0]             row_sel_q;           // row r's kernel line
  logic [3:0]                                  g_kh_q;              // geometry of lv_q
  logic [4:0]                                  g_kw_q;
  logic [7:0]                                  g_line_q;

  assign act_data = act_dummy_q ? '0 : spad_a_rdata_i;

  nc_systolic_array #(
    .NumRows(NumRows),
    .NumCols(NumCols)
  ) u_array (
    .clk_i      (clk_i),
    .rst_ni     (rst_ni),
    .wgt_valid_i(wgt_valid),
    .wgt_ready_o(wgt_ready),
    .wgt_data_i (wgt_data),
    .act_valid_i(act_valid_q),
    .act_ready_o(act_ready),
    .act_data_i (act_data),
    .act_swap_i (act_swap_q),
    .dw_i       (dwmode_q),
    .dw_lv_i    (lv_q),
    .dw_sel_i   (row_sel_q),
    .out_valid_o(out_valid),
    .out_data_o (out_data)
  );

  // Mirror of the array's shadow column count: full means the next tile is ready to swap.
  logic [ColBits-1:0] shcnt_q, shcnt_d;
  logic               shadow_full, tile_ready, wgt_fire, swap_fire;
  assign shadow_full = shcnt_q == ColBits'(NumCols);
  // A swap entering the array this cycle empties the shadow at the clock edge: the full count
  // it leaves for one more cycle is not a tile.
  assign tile_ready = shadow_full && !swap_fire;
  assign wgt_fire = wgt_valid && wgt_ready;
  assign swap_fire = act_valid_q && act_swap_q;

  // ---------------------------------------------------------------------------------------------
  // Weight stage: port B reads into a two-entry skid buffer in front of the array's weight port

  logic [ColBits-1:0]              wcol_q, wcol_d;    // weight rows of w_entry requested
  logic                            wrd_q;             // a granted read returns this cycle
  logic [NumRows-1:0][WgtBits-1:0] skid_head;         // the oldest column in the skid
  logic [1:0]                      skid_cnt;          // columns in the skid
  logic                            skid_pop, w_req, w_skip;
  logic                            flush_wgt;         // the flush drives zero columns

  // Not emptied by halt or soft reset: the flush drains it into the shadow (below).
  nc_fifo #(
    .Depth(2),
    .Width(NumRows * WgtBits)
  ) u_skid (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(1'b0),
    .push_i (wrd_q),
    .data_i (spad_b_rdata_i),
    .pop_i  (skid_pop),
    .data_o (skid_head),
    /* verilator lint_off PINCONNECTEMPTY */
    .full_o (),   // the requests leave room (w_req)
    .empty_o(),   // skid_cnt says it
    /* verilator lint_on PINCONNECTEMPTY */
    .count_o(skid_cnt)
  );

  // A column on the weight port is never withdrawn (valid/ready rule), not even by halt or soft
  // reset: the flush drains the skid into the shadow before its zero columns.
  assign flush_wgt = flushing && !shadow_full && skid_cnt == 2'd0;
  assign wgt_valid = flush_wgt || skid_cnt != 2'd0;
  assign wgt_data = flush_wgt ? '0 : skid_head;
  assign skid_pop = wgt_fire && !flush_wgt;

  // Skip GEMMs that keep their weights; request a row while the skid has room for it, counting
  // the read in flight and the column leaving this cycle.
  assign w_skip = w_has && w_entry.wgt_keep && !halt_i && !flushing;
  assign w_req = w_has && !w_entry.wgt_keep && !halt_i && !flushing &&
                 (32'(skid_cnt) + 32'(wrd_q) - 32'(skid_pop)) < 2;
  assign spad_b_re_o = w_req;
  assign spad_b_raddr_o = SpadAddrBits'(32'(w_entry.wgt_addr) + 32'(wcol_q));

  always_comb begin
    wcol_d = wcol_q;
    w_pop = 1'b0;
    if (w_skip) begin
      w_pop = 1'b1;
    end else if (w_req && spad_b_gnt_i) begin
      if (wcol_q == ColBits'(NumCols - 1)) begin
        wcol_d = '0;
        w_pop = 1'b1;
      end else begin
        wcol_d = wcol_q + 1'b1;
      end
    end

    shcnt_d = shcnt_q;
    if (wgt_fire) begin
      shcnt_d = shcnt_q + 1'b1;
    end
    if (swap_fire) begin
      shcnt_d = '0;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Activation stage: one vector read per cycle

  logic                   fresh_q, fresh_d;         // no vector of a_entry issued yet
  logic [9:0]             o_q, o_d, i_q, i_d;       // loop counters
  logic [31:0]            inp_line_q, inp_line_d;   // row of (o, 0)
  logic [31:0]            inp_cur_q, inp_cur_d;     // row of (o, i)
  logic [31:0]            acc_line_q, acc_line_d;
  logic [31:0]            acc_cur_q, acc_cur_d;
  logic [31:0]            inp_line, inp_cur, acc_line, acc_cur;
  logic                   need_swap, a_issue, a_last_in, a_last;
  logic                   flush_swap;               // the flush issues its dummy vector
  logic                   a_run, a_dw, arr_empty, geom_ok;
  logic                   g_issue;                  // a GEMM vector
  logic                   to_gemm, to_dw;           // the array changes mode this cycle
  logic                   dw_go;                    // a DWCONV streams this cycle
  logic                   s_issue, s_last;          // ... and issues a slot, its last
  logic                   v_last;                   // the vector issued is its insn's last
  // DWCONV state: reads, the countdown to the first slot, the window walk
  logic [31:0]            dw_rd_q, dw_rd_d, dw_rd;  // next row to read
  logic [31:0]            dw_left_q, dw_left_d, dw_left;  // rows left to read
  logic [15:0]            dw_pre_q, dw_pre_d, dw_pre;     // cycles to the first slot
  logic [7:0]             xp_q, xp_d, xp, xo_q, xo_d, xo;  // window position, output pixel
  logic [1:0]             xph_q, xph_d, xph, yph_q, yph_d, yph;  // stride phases
  logic [9:0]             yo_q, yo_d, yo;                 // output line
  logic                   wdone_q, wdone_d, wdone;        // every slot issued
  logic                   dsw_q, dsw_d, dsw;              // the next slot swaps weights

  always_comb begin
    inp_line = fresh_q ? 32'(a_entry.inp_addr) : inp_line_q;
    inp_cur = fresh_q ? 32'(a_entry.inp_addr) : inp_cur_q;
    acc_line = fresh_q ? 32'(a_entry.acc_addr) : acc_line_q;
    acc_cur = fresh_q ? 32'(a_entry.acc_addr) : acc_cur_q;
    need_swap = fresh_q && !a_entry.wgt_keep;
    a_run = a_has && !halt_i && !flushing;
    a_dw = a_entry.hdr.opcode == OpDwconv;
    arr_empty = infl_q == '0 && !act_valid_q;
    // The DWCONV logic is worked out only when a DWCONV is at the head (the model then skips
    // it in GEMM streams; hw/rtl/README.md).
    geom_ok = 1'b0;
    if (a_dw) begin
      geom_ok = dwmode_q && g_kh_q == a_dwc.kh && g_kw_q == a_dwc.kw && g_line_q == a_dwc.line;
    end
    g_issue = a_run && !a_dw && !dwmode_q && (!need_swap || tile_ready);
    to_gemm = a_run && !a_dw && dwmode_q && arr_empty;
    to_dw = a_run && a_dw && fresh_q && !geom_ok && arr_empty;
    dw_go = a_run && a_dw && (!fresh_q || (geom_ok && (!need_swap || tile_ready)));
    a_last_in = i_q == a_entry.loop_in - 10'd1;
    a_last = a_last_in && o_q == a_entry.loop_out - 10'd1;
    flush_swap = flushing && tile_ready;

    // DWCONV: the values this cycle (a fresh one starts from its fields)
    dw_rd = dw_rd_q;
    dw_left = dw_left_q;
    dw_pre = dw_pre_q;
    xp = xp_q;
    xo = xo_q;
    xph = xph_q;
    yph = yph_q;
    yo = yo_q;
    wdone = wdone_q;
    dsw = dsw_q;
    s_issue = 1'b0;
    s_last = 1'b0;
    if (dw_go) begin
      if (fresh_q) begin
        dw_rd = 32'(a_dwc.inp_addr);
        dw_left = ((32'(a_dwc.out_h) - 32'd1) * 32'(a_dwc.stride_y) + 32'(a_dwc.kh) - 32'd1)
                  * 32'(a_dwc.line) + (32'(a_dwc.out_w) - 32'd1) * 32'(a_dwc.stride_x)
                  + 32'(a_dwc.kw);
        dw_pre = 16'(32'd3 + (32'(a_dwc.kh) - 32'd1) * (32'(a_dwc.line) - 32'(a_dwc.kw)));
        xp = '0;
        xo = '0;
        xph = '0;
        yph = '0;
        yo = '0;
        wdone = 1'b0;
        dsw = !a_dwc.wgt_keep;
      end
      s_issue = dw_pre == '0 && !wdone && xph == '0 && yph == '0 && xo < a_dwc.out_w;
      s_last = s_issue && yo == a_dwc.out_h - 10'd1 && xo == a_dwc.out_w - 8'd1;
    end

    a_issue = g_issue || s_issue;
    v_last = g_issue ? a_last : s_last;
    spad_a_re_o = g_issue || (dw_go && dw_left != '0);
    spad_a_raddr_o = SpadAddrBits'(a_dw ? dw_rd : inp_cur);

    dwmode_d = dwmode_q;
    if (to_gemm) begin
      dwmode_d = 1'b0;
    end else if (to_dw) begin
      dwmode_d = 1'b1;
    end

    fresh_d = fresh_q;
    o_d = o_q;
    i_d = i_q;
    inp_line_d = inp_line_q;
    inp_cur_d = inp_cur_q;
    acc_line_d = acc_line_q;
    acc_cur_d = acc_cur_q;
    a_pop = 1'b0;
    dw_rd_d = dw_rd;
    dw_left_d = dw_left;
    dw_pre_d = dw_pre;
    xp_d = xp;
    xo_d = xo;
    xph_d = xph;
    yph_d = yph;
    yo_d = yo;
    wdone_d = wdone;
    dsw_d = dsw;
    if (dw_go) begin
      fresh_d = 1'b0;
      if (dw_left != '0) begin
        dw_rd_d = dw_rd + 32'(a_dwc.pix_stride);
        dw_left_d = dw_left - 32'd1;
      end
      wdone_d = wdone || s_last;
      dsw_d = dsw && !s_issue;
      acc_line_d = acc_line;
      acc_cur_d = s_issue ? acc_cur + 32'(a_dwc.acc_stride_in) : acc_cur;
      if (dw_pre != '0) begin
        dw_pre_d = dw_pre - 16'd1;
      end else if (!wdone) begin
        // Walk the window one input pixel: a slot where both stride phases are 0.
        if (xp == a_dwc.line - 8'd1) begin
          xp_d = '0;
          xph_d = '0;
          xo_d = '0;
          if (yph == '0) begin
            acc_line_d = acc_line + 32'(a_dwc.acc_stride_out);
          end
          acc_cur_d = acc_line_d;
          if (yph == a_dwc.stride_y - 2'd1) begin
            yph_d = '0;
            yo_d = yo + 10'd1;
          end else begin
            yph_d = yph + 2'd1;
          end
        end else begin
          xp_d = xp + 8'd1;
          if (xph == a_dwc.stride_x - 2'd1) begin
            xph_d = '0;
            xo_d = xo + 8'd1;
          end else begin
            xph_d = xph + 2'd1;
          end
        end
      end
      if (dw_left_d == '0 && (wdone || s_last)) begin
        fresh_d = 1'b1;
        a_pop = 1'b1;
      end
    end else if (g_issue) begin
      fresh_d = 1'b0;
      if (a_last) begin
        fresh_d = 1'b1;
        o_d = '0;
        i_d = '0;
        a_pop = 1'b1;
      end else if (a_last_in) begin
        o_d = o_q + 10'd1;
        i_d = '0;
        inp_line_d = inp_line + 32'(a_entry.inp_stride_out);
        inp_cur_d = inp_line_d;
        acc_line_d = acc_line + 32'(a_entry.acc_stride_out);
        acc_cur_d = acc_line_d;
      end else begin
        i_d = i_q + 10'd1;
        inp_line_d = inp_line;
        inp_cur_d = inp_cur + 32'(a_entry.inp_stride_in);
        acc_line_d = acc_line;
        acc_cur_d = acc_cur + 32'(a_entry.acc_stride_in);
      end
    end
  end

  // Metadata of each vector, meeting its result Latency cycles after the vector entered.
  logic [MetaBits-1:0] meta_in, meta_out;
  logic                res_valid, res_last, res_accum;
  logic [AccAddrBits-1:0] res_addr;

  assign meta_in = {a_issue, v_last, a_entry.accumulate, AccAddrBits'(acc_cur)};
  assign {res_valid, res_last, res_accum, res_addr} = meta_out;

  nc_delay #(
    .Width(MetaBits),
    .Depth(Latency + 1)
  ) u_meta (
    .clk_i (clk_i),
    .rst_ni(rst_ni),
    .d_i   (meta_in),
    .q_o   (meta_out)
  );

  assign acc_wr_valid_o = res_valid && !halt_i;
  assign acc_wr_addr_o = res_addr;
  assign acc_wr_accum_o = res_accum;
  assign acc_wr_data_o = out_data;

  // ---------------------------------------------------------------------------------------------
  // Flush after soft reset: two rounds of (fill the shadow with zeros, swap with a dummy vector)

  logic [1:0] flush_q, flush_d;  // rounds left
  assign flushing = flush_q != 2'd0;

  always_comb begin
    flush_d = flush_q;
    if (srst_i) begin
      flush_d = 2'd2;
    end else if (flush_swap) begin
      // The last round must start with an empty skid, or it would swap in a stale column.
      flush_d = (skid_cnt != 2'd0) ? 2'd2 : flush_q - 2'd1;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Vectors inside the array (dummy ones included), for idle_o; done and perf outputs

  logic [InflBits-1:0] infl_q, infl_d;
  logic                done_q;

  always_comb begin
    infl_d = infl_q;
    if (act_valid_q && !out_valid) begin
      infl_d = infl_q + 1'b1;
    end else if (!act_valid_q && out_valid) begin
      infl_d = infl_q - 1'b1;
    end
  end

  assign done_o = done_q;
  assign idle_o = !a_has && !w_has && infl_q == '0 && !act_valid_q && !flushing &&
                  !wrd_q && !done_q;
  assign stall_o = a_has && !halt_i && !flushing && need_swap && !tile_ready &&
                   (a_dw ? geom_ok : !dwmode_q);
  assign busy_o = (a_has || infl_q != '0 || act_valid_q) && !halt_i && !stall_o;
  assign macs_o = act_valid_q && !act_dummy_q;

  // ---------------------------------------------------------------------------------------------
  // Registers

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wcol_q <= '0;
      wrd_q <= 1'b0;
      shcnt_q <= '0;
      fresh_q <= 1'b1;
      o_q <= '0;
      i_q <= '0;
      inp_line_q <= '0;
      inp_cur_q <= '0;
      acc_line_q <= '0;
      acc_cur_q <= '0;
      dw_rd_q <= '0;
      dw_left_q <= '0;
      dw_pre_q <= '0;
      xp_q <= '0;
      xo_q <= '0;
      xph_q <= '0;
      yph_q <= '0;
      yo_q <= '0;
      wdone_q <= 1'b0;
      dsw_q <= 1'b0;
      dwmode_q <= 1'b0;
      act_valid_q <= 1'b0;
      act_swap_q <= 1'b0;
      act_dummy_q <= 1'b0;
      flush_q <= '0;
      infl_q <= '0;
      done_q <= 1'b0;
    end else begin
      wcol_q <= wcol_d;
      wrd_q <= w_req && spad_b_gnt_i;
      shcnt_q <= shcnt_d;
      fresh_q <= fresh_d;
      o_q <= o_d;
      i_q <= i_d;
      inp_line_q <= inp_line_d;
      inp_cur_q <= inp_cur_d;
      acc_line_q <= acc_line_d;
      acc_cur_q <= acc_cur_d;
      if (dw_go) begin  // the DWCONV state moves only while one streams
        dw_rd_q <= dw_rd_d;
        dw_left_q <= dw_left_d;
        dw_pre_q <= dw_pre_d;
        xp_q <= xp_d;
        xo_q <= xo_d;
        xph_q <= xph_d;
        yph_q <= yph_d;
        yo_q <= yo_d;
        wdone_q <= wdone_d;
        dsw_q <= dsw_d;
      end
      dwmode_q <= dwmode_d;
      act_valid_q <= a_issue || (flush_swap);
      act_swap_q <= (g_issue && need_swap) || (s_issue && dsw) || (flush_swap);
      act_dummy_q <= flush_swap;
      flush_q <= flush_d;
      infl_q <= infl_d;
      done_q <= res_valid && res_last && !halt_i;
      // Halt and soft reset drop everything not yet issued.
      if (halt_i || srst_i) begin
        wcol_q <= '0;
        fresh_q <= 1'b1;
        o_q <= '0;
        i_q <= '0;
      end
      // The flush after a soft reset runs in GEMM mode (the array is idle then).
      if (srst_i) begin
        dwmode_q <= 1'b0;
      end
    end
  end

  // Depthwise geometry, latched as the array enters depthwise mode for a DWCONV: row r takes tap
  // r of kernel line r / kw; rows from kh*kw on get zeros. (Clocked, so the model divides only
  // in the cycles that change the geometry.)
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      g_kh_q <= '0;
      g_kw_q <= '0;
      g_line_q <= '0;
      lv_off_q <= '0;
      row_sel_q <= '0;
      wp_q <= '0;
    end else begin
      if (to_dw) begin
        g_kh_q <= a_dwc.kh;
        g_kw_q <= a_dwc.kw;
        g_line_q <= a_dwc.line;
        for (int ky = 0; ky < int'(DwKhMax); ky++) begin
          lv_off_q[ky] <= (ky < int'(a_dwc.kh))
              ? LbBits'((int'(a_dwc.kh) - 1 - ky) * (int'(a_dwc.line) - int'(a_dwc.kw))) : '0;
        end
        for (int r = 0; r < int'(NumRows); r++) begin
          row_sel_q[r] <= (r < int'(a_dwc.kh) * int'(a_dwc.kw))
              ? SelBits'(r / int'(a_dwc.kw)) : SelBits'(DwKhMax);
        end
      end
      if (dwmode_q) begin
        wp_q <= wp_q + 1'b1;
      end
    end
  end

  // Line buffer and line vectors: in depthwise mode the row read last cycle is written every
  // cycle, and lane c of kernel line ky's vector is the row written 1 + c + lv_off_q[ky] cycles
  // before this one (hw/rtl/README.md derives the offsets). No reset: data only, and a lane read
  // before its row was written belongs to no slot.
  always_ff @(posedge clk_i) begin
    if (dwmode_q) begin
      lb_q[wp_q] <= spad_a_rdata_i;
      for (int ky = 0; ky < int'(DwKhMax); ky++) begin
        for (int c = 0; c < int'(NumCols); c++) begin
          lv_q[ky][c] <= (c < int'(NumRows))
              ? lb_q[LbBits'(wp_q - LbBits'(1 + c) - lv_off_q[ky])][c % NumRows] : '0;
        end
      end
    end
  end

`ifndef NC_NO_ASSERT
  // The array takes every vector the cycle after its read: a swap only meets a full shadow.
  a_act_taken: assert property (@(posedge clk_i) disable iff (!rst_ni)
      act_valid_q |-> act_ready)
    else $error("nc_compute_unit: the array refused a vector");
  // Results only come for vectors that entered; metadata and results stay in step.
  a_meta_in_step: assert property (@(posedge clk_i) disable iff (!rst_ni)
      res_valid |-> out_valid)
    else $error("nc_compute_unit: result metadata without a result");
  // The weight stage's FIFO holds the newest GEMMs of the activation stage's (w_count <=
  // a_count): the activation stage never takes a GEMM the weight stage still holds. Checked
  // when it takes one (hw/rtl/README.md, "Cheap assertions").
  logic order_bad;
  nc_implies u_order_bad (
    .if_i  (a_pop && !w_pop),
    .then_i(w_count < a_count),
    .bad_o (order_bad)
  );
  a_weight_stage_order: assert property (@(posedge clk_i) disable iff (!rst_ni) !order_bad)
    else $error("nc_compute_unit: weight stage behind the activation stage");
  a_shadow_bound: assert property (@(posedge clk_i) disable iff (!rst_ni)
      shcnt_q <= ColBits'(NumCols))
    else $error("nc_compute_unit: shadow count out of range");
  logic cmd_moved;
  nc_hold_watch #(.Width($bits(cmd_insn_i))) u_cmd_hold (
    .clk_i, .rst_ni, .offer_i(cmd_valid_i && !cmd_ready_o && !halt_i), .excuse_i(halt_i),
    .valid_i(cmd_valid_i), .data_i(cmd_insn_i), .moved_o(cmd_moved)
  );
  a_cmd_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !cmd_moved)
    else $error("nc_compute_unit: command withdrawn or changed before it was taken (no halt)");
  // `cmd_valid_i |-> rule` with the rule worked out only when cmd_valid_i holds
  // (hw/rtl/README.md, "Cheap assertions").
  logic cmd_bad;
  nc_implies u_cmd_bad (
    .if_i  (cmd_valid_i),
    .then_i(cmd_insn_i[3:0] == OpGemm || cmd_insn_i[3:0] == OpDwconv),
    .bad_o (cmd_bad)
  );
  a_cmd_is_gemm: assert property (@(posedge clk_i) disable iff (!rst_ni) !cmd_bad)
    else $error("nc_compute_unit: a command that is neither GEMM nor DWCONV");
  // The array changes mode only while empty, and never mid-instruction.
  a_mode_empty: assert property (@(posedge clk_i) disable iff (!rst_ni)
      (to_gemm || to_dw) |-> (arr_empty && fresh_q))
    else $error("nc_compute_unit: the array changed mode while busy");
  // `srst_i |-> idle_o || flushing`, with the consequent worked out only in a soft-reset cycle
  // (hw/rtl/README.md, "Cheap assertions").
  logic srst_busy;
  nc_implies u_srst_busy (.if_i(srst_i), .then_i(idle_o || flushing), .bad_o(srst_busy));
  a_srst_idle: assert property (@(posedge clk_i) disable iff (!rst_ni) !srst_busy)
    else $error("nc_compute_unit: soft reset while not idle");
`endif

`ifdef NC_COVER
  // Functional cover points (regress/testplan.md names the feature and tests of each); only in
  // the coverage build (+define+NC_COVER).
  // a GEMM that accumulates
  cp_gemm_accum: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_issue && fresh_q && a_entry.accumulate);
  // a GEMM that overwrites the accumulator
  cp_gemm_overwrite: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_issue && fresh_q && !a_entry.accumulate);
  // a GEMM on kept weights (no preload)
  cp_gemm_keep: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_issue && fresh_q && a_entry.wgt_keep);
  // both GEMM loops above 1
  cp_gemm_loops: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_issue && fresh_q && a_entry.loop_out > 10'd1 && a_entry.loop_in > 10'd1);
  // a GEMM of one vector
  cp_gemm_one_vector: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_issue && a_last && fresh_q);
  // a GEMM with an inner input stride of 0
  cp_gemm_stride_zero: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_issue && fresh_q && a_entry.loop_in > 10'd1 && a_entry.inp_stride_in == '0);
  // a GEMM's first vector right behind the previous GEMM's
  cp_gemm_back_to_back: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_issue && fresh_q && act_valid_q && !act_dummy_q);
  // weights preload while the previous GEMM streams
  cp_gemm_preload_ahead: cover property (@(posedge clk_i) disable iff (!rst_ni)
      w_req && a_has && !fresh_q);
  // a weight read loses a bank conflict to the activations
  cp_gemm_bank_conflict: cover property (@(posedge clk_i) disable iff (!rst_ni)
      spad_b_re_o && !spad_b_gnt_i);
  // a GEMM waits for its weights to be preloaded
  cp_gemm_swap_wait: cover property (@(posedge clk_i) disable iff (!rst_ni)
      stall_o);
  // the compute command FIFO full
  cp_gemm_fifo_full: cover property (@(posedge clk_i) disable iff (!rst_ni)
      a_full);
  // halted with GEMMs queued or in the array
  cp_gemm_halt_busy: cover property (@(posedge clk_i) disable iff (!rst_ni)
      halt_i && (a_has || infl_q != '0));
  // the array's weights zeroed after a soft reset
  cp_gemm_flush: cover property (@(posedge clk_i) disable iff (!rst_ni)
      flushing);
  // a DWCONV puts the array in depthwise mode (from GEMM mode or another geometry)
  cp_dw_enter: cover property (@(posedge clk_i) disable iff (!rst_ni)
      to_dw);
  // a GEMM after a DWCONV takes the array back
  cp_dw_leave: cover property (@(posedge clk_i) disable iff (!rst_ni)
      to_gemm);
  // a DWCONV streams right behind one of the same geometry (no drain)
  cp_dw_back_to_back: cover property (@(posedge clk_i) disable iff (!rst_ni)
      dw_go && fresh_q && act_valid_q);
  // a DWCONV that accumulates, on kept weights
  cp_dw_accum_keep: cover property (@(posedge clk_i) disable iff (!rst_ni)
      dw_go && fresh_q && a_dwc.accumulate && a_dwc.wgt_keep);
  // a strided DWCONV
  cp_dw_stride: cover property (@(posedge clk_i) disable iff (!rst_ni)
      dw_go && fresh_q && (a_dwc.stride_x > 2'd1 || a_dwc.stride_y > 2'd1));
`endif

endmodule
