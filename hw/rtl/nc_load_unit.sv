// Load unit: executes LOAD and LOAD_CFG (docs/isa.md), main memory -> scratchpad.
//
// Two sides run concurrently, joined by a small FIFO of accepted instructions:
//
//  - The issue side takes an instruction, applies LOAD_CFG at once (the strides and pad value
//    of later LOADs), and for a LOAD first proves its window: strides are unsigned, so the last
//    row (z_size-1, y_size-1, x_size-1) is the highest access and one comparison clears them
//    all. Only when it fails does it walk the rows in execution order, one per cycle, to find
//    the first one outside: that offset is ERR_INFO of dma_window, and nothing was issued. A
//    cleared LOAD goes to the write side and its rows become read segments for nc_dma_rd:
//    one per line when the rows are contiguous (x_stride == elems, so a line is one range and
//    the bursts run across rows), otherwise one per row.
//  - The write side walks each LOAD's rows in order (plane, line, row, padding included) and
//    writes one scratchpad row per cycle from sram_addr on: padding rows and lanes >= elems
//    get pad_value, data rows come from the read engine in the same order. done_o pulses the
//    cycle after a LOAD's last row was written (or after a LOAD_CFG reached this side).
//  - An im2col LOAD (im2col_kh != 0) reads its tile the same way, a line per segment cut into
//    rows of NumRows bytes (the last one short), and the write side packs those bytes into the
//    tile buffer (Im2colBufBytes, no reset: datapath). Then, plane by plane, it works out once
//    which kernel element (ky, kx, c) and buffer offset each lane of the plane's rows holds (a
//    chain of NumRows steps, one cycle), and emits one row per cycle: each lane reads the buffer
//    at the window's base plus its offset, or gets the pad value when its pixel is padding or
//    its element lies past the kernel. Emitted rows go out through a register, so the row
//    after an im2col LOAD's last one waits a cycle, and its done_o pulses with that write.
//
// The issue side runs ahead by up to CmdDepth instructions, so a LOAD's reads start while the
// previous LOAD's rows are still being written. An R beat with an error response fails the
// LOAD whose row needed it (dma_bus, ERR_INFO 0); rows before it were written. After an error
// the unit reports nothing more, takes nothing and lets its open bursts finish. Halt does the
// same without a report; abort_i (soft reset pending) makes nc_dma_rd abandon the bursts still
// owed, so the unit goes idle even when the memory never answers; srst_i returns everything,
// LOAD_CFG state included, to reset.
module nc_load_unit
  import nc_pkg::*;
#(
  parameter int unsigned NumRows = Rows,  // int8 lanes of a scratchpad row
  parameter int unsigned CmdDepth = 4,    // instructions between the issue and write sides
  parameter int unsigned SegDepth = 64    // read segments in flight
) (
  input  logic                            clk_i,         // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                            rst_ni,        // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Command interface (hw/rtl/README.md)
  input  logic                            cmd_valid_i,   // a checked instruction, tokens popped
  output logic                            cmd_ready_o,   // taken this cycle
  input  nc_insn_t                        cmd_insn_i,    // LOAD or LOAD_CFG
  output logic                            done_o,        // oldest accepted one completed
  output logic                            err_o,         // oldest accepted one failed
  output nc_err_e                         err_code_o,    // with err_o
  output logic [31:0]                     err_info_o,    // with err_o
  input  logic                            halt_i,        // stop; held until srst_i
  input  logic                            abort_i,       // with halt_i: abandon open bursts
  input  logic                            srst_i,        // soft reset pulse (while idle)
  output logic                            idle_o,        // nothing pending, no burst open
  output logic                            busy_o,        // perf: executing
  output logic                            stall_o,       // perf: waiting for memory
  // Window
  input  logic [AxiAddrBits-1:0]          win_base_i,    // WIN_BASE
  input  logic [31:0]                     win_size_i,    // WIN_SIZE
  // AXI4 read master (the ID is the multiplexer's)
  output nc_axi_ar_t                      m_ar_o,        // burst: INCR, aligned, <= 4 KiB
  output logic                            m_arvalid_o,   // request
  input  logic                            m_arready_i,   // request taken
  input  nc_axi_r_t                       m_r_i,         // beat
  input  logic                            m_rvalid_i,    // beat valid
  output logic                            m_rready_o,    // beat taken
  // Scratchpad write port
  output logic                            spad_we_o,     // write a row
  output logic [SpadAddrBits-1:0]         spad_waddr_o,  // row
  output logic [NumRows-1:0][InpBits-1:0] spad_wdata_o   // lanes
);

  localparam int unsigned ElemBits = $clog2(NumRows + 1);
  localparam int unsigned SegLenBits = 20;
  localparam int unsigned LbBytes = Im2colBufBytes;
  localparam int unsigned LbBits = $clog2(LbBytes);

  if (CmdDepth < 2 || (CmdDepth & (CmdDepth - 1)) != 0) begin : g_bad_depth
    $error("nc_load_unit: CmdDepth must be a power of two, at least 2");
  end

  // ---------------------------------------------------------------------------------------------
  // Instructions handed from the issue side to the write side

  typedef enum logic [1:0] {
    KindCfg,   // LOAD_CFG: completes when it gets here
    KindLoad,  // LOAD: write its rows
    KindErr,   // the issue side failed it (dma_window)
    KindI2c    // im2col LOAD: fill the tile buffer, then emit its rows
  } kind_e;

  typedef struct packed {
    kind_e                   kind;
    logic [SpadAddrBits-1:0] sram;
    logic [ElemBits-1:0]     elems;
    logic [9:0]              xn, yn;
    logic [7:0]              zn;
    logic [3:0]              pt, pb, pl, pr;
    logic [7:0]              pad;
    logic [3:0]              kh, kw, sh, sw;  // im2col kernel and strides
    logic [31:0]             info;
  } wcmd_t;

  logic               wf_push, wf_pop, wf_full, wf_empty;
  wcmd_t              wf_in, wf_head;

  nc_fifo #(
    .Depth(CmdDepth),
    .T    (wcmd_t)
  ) u_wf (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(srst_i),
    .push_i (wf_push),
    .data_i (wf_in),
    .pop_i  (wf_pop),
    .data_o (wf_head),
    .full_o (wf_full),
    .empty_o(wf_empty),
    /* verilator lint_off PINCONNECTEMPTY */
    .count_o()  // not needed
    /* verilator lint_on PINCONNECTEMPTY */
  );

  // ---------------------------------------------------------------------------------------------
  // Issue side

  typedef enum logic [2:0] {
    IssIdle,   // waiting for an instruction
    IssCheck,  // the O(1) window proof
    IssScan,   // the proof failed: find the first row outside
    IssRun,    // handing out read segments
    IssStop    // after an error, until soft reset
  } iss_e;

  iss_e                  iss_q, iss_d;
  nc_insn_load_t         ld_q, ld_d;
  logic [31:0]           xs_q, xs_d, ys_q, ys_d, zs_q, zs_d;  // LOAD_CFG state
  logic [7:0]            pad_q, pad_d;
  logic [9:0]            wx_q, wx_d, wy_q, wy_d;              // walk: row, line
  logic [7:0]            wz_q, wz_d;                          // walk: plane
  logic [63:0]           plane_off_q, plane_off_d, line_off_q, line_off_d;
  logic [63:0]           row_off_q, row_off_d;
  logic                  dead_q, dead_d;                      // an error was reported
  logic                  drain;
  logic                  cmd_fire, contig, walk_last, walk_step;
  logic                  i2c;                                 // an im2col LOAD
  logic [31:0]           xs_eff;                              // x stride as walked
  logic [7:0]            zn_rd;                               // planes read
  logic [SegLenBits-1:0] line_len;                            // an im2col line's bytes
  logic [ElemBits-1:0]   rd_seg_elems, rd_seg_pad;
  logic                  rd_seg_valid, rd_seg_ready;
  logic [AxiAddrBits-1:0] rd_seg_addr;
  logic [SegLenBits-1:0] rd_seg_len;
  logic [31:0]           seg_off;
  // The view of an accepted instruction: only the LOAD_CFG fields and the opcode are read.
  /* verilator lint_off UNUSEDSIGNAL */
  nc_insn_load_cfg_t     cfg_view;
  /* verilator lint_on UNUSEDSIGNAL */

  assign drain = halt_i || dead_q;
  assign cmd_ready_o = iss_q == IssIdle && !wf_full && !drain;
  assign cmd_fire = cmd_valid_i && cmd_ready_o;
  assign cfg_view = nc_insn_load_cfg_t'(cmd_insn_i);
  // An im2col LOAD reads one plane of pixels elems bytes apart (LOAD_CFG's x and z strides
  // are not used), each line as one segment of NumRows-byte rows, the last one short.
  assign i2c = ld_q.im2col_kh != '0;
  assign xs_eff = i2c ? 32'(ld_q.elems) : xs_q;
  assign zn_rd = i2c ? 8'd1 : ld_q.z_size;
  assign contig = xs_eff == 32'(ld_q.elems);
  assign line_len = SegLenBits'(ld_q.x_size) * SegLenBits'(ld_q.elems);


  // The walk ends on its last row (IssScan, and IssRun by rows) or last line (IssRun, contig).
  assign walk_last = wz_q == zn_rd - 8'd1 && wy_q == ld_q.y_size - 10'd1 &&
                     (wx_q == ld_q.x_size - 10'd1 || (iss_q == IssRun && contig));

  assign rd_seg_valid = iss_q == IssRun;
  // A cleared LOAD's offsets fit the 32-bit window.
  assign seg_off = contig ? line_off_q[31:0] : row_off_q[31:0];
  assign rd_seg_addr = win_base_i + AxiAddrBits'(seg_off);
  always_comb begin
    rd_seg_len = contig ? line_len : SegLenBits'(ld_q.elems);
    rd_seg_elems = ElemBits'(ld_q.elems);
    rd_seg_pad = '0;
    if (i2c) begin
      rd_seg_elems = ElemBits'(NumRows);
      rd_seg_pad = ElemBits'((SegLenBits'(NumRows) - line_len % SegLenBits'(NumRows)) %
                             SegLenBits'(NumRows));
    end
  end

  always_comb begin
    iss_d = iss_q;
    ld_d = ld_q;
    xs_d = xs_q;
    ys_d = ys_q;
    zs_d = zs_q;
    pad_d = pad_q;
    wx_d = wx_q;
    wy_d = wy_q;
    wz_d = wz_q;
    plane_off_d = plane_off_q;
    line_off_d = line_off_q;
    row_off_d = row_off_q;
    wf_push = 1'b0;
    wf_in = '0;
    wf_in.kind = KindLoad;
    wf_in.sram = SpadAddrBits'(ld_q.sram_addr);
    wf_in.elems = ElemBits'(ld_q.elems);
    wf_in.xn = ld_q.x_size;
    wf_in.yn = ld_q.y_size;
    wf_in.zn = ld_q.z_size;
    wf_in.pt = ld_q.pad_top;
    wf_in.pb = ld_q.pad_bottom;
    wf_in.pl = ld_q.pad_left;
    wf_in.pr = ld_q.pad_right;
    wf_in.pad = pad_q;
    if (i2c) begin
      // (For a LOAD without im2col the check left these fields zero, as wf_in has them.)
      wf_in.kind = KindI2c;
      wf_in.kh = ld_q.im2col_kh;
      wf_in.kw = ld_q.im2col_kw;
      wf_in.sh = ld_q.im2col_sh;
      wf_in.sw = ld_q.im2col_sw;
    end
    walk_step = 1'b0;
    unique case (iss_q)
      IssIdle: begin
        if (cmd_fire) begin
          if (cfg_view.hdr.opcode == OpLoad) begin
            ld_d = nc_insn_load_t'(cmd_insn_i);
            iss_d = IssCheck;
          end else begin
            // LOAD_CFG (the only other opcode this unit is given)
            xs_d = cfg_view.x_stride;
            ys_d = cfg_view.y_stride;
            zs_d = cfg_view.z_stride;
            pad_d = cfg_view.pad_value;
            wf_push = 1'b1;
            wf_in.kind = KindCfg;
          end
        end
      end
      IssCheck: begin
        wx_d = '0;
        wy_d = '0;
        wz_d = '0;
        plane_off_d = 64'(ld_q.dram_offset);
        line_off_d = 64'(ld_q.dram_offset);
        row_off_d = 64'(ld_q.dram_offset);
        // The LOAD's highest access is its last row. (Written out here rather than as a
        // signal of its own, which the Verilated model worked out in every cycle.)
        if (64'(ld_q.dram_offset) + (64'(zn_rd) - 64'd1) * 64'(zs_q) +
            (64'(ld_q.y_size) - 64'd1) * 64'(ys_q) + (64'(ld_q.x_size) - 64'd1) * 64'(xs_eff) +
            64'(ld_q.elems) <= 64'(win_size_i)) begin
          wf_push = 1'b1;
          iss_d = IssRun;
        end else begin
          iss_d = IssScan;
        end
      end
      IssScan: begin
        if (row_off_q + 64'(ld_q.elems) > 64'(win_size_i)) begin
          wf_push = 1'b1;
          wf_in.kind = KindErr;
          wf_in.info = row_off_q[31:0];
          iss_d = IssStop;
        end else begin
          walk_step = 1'b1;  // the proof failed, so some row is outside: the walk ends on it
        end
      end
      IssRun: begin
        if (rd_seg_ready) begin
          walk_step = 1'b1;
          if (walk_last) begin
            iss_d = IssIdle;
          end
        end
      end
      IssStop: ;
      default: iss_d = IssIdle;
    endcase
    // Next row (or line): x fastest, then y, then z, offsets kept as running sums.
    if (walk_step) begin
      if (!(iss_q == IssRun && contig) && wx_q != ld_q.x_size - 10'd1) begin
        wx_d = wx_q + 10'd1;
        row_off_d = row_off_q + 64'(xs_eff);
      end else if (wy_q != ld_q.y_size - 10'd1) begin
        wx_d = '0;
        wy_d = wy_q + 10'd1;
        line_off_d = line_off_q + 64'(ys_q);
        row_off_d = line_off_q + 64'(ys_q);
      end else begin
        wx_d = '0;
        wy_d = '0;
        wz_d = wz_q + 8'd1;
        plane_off_d = plane_off_q + 64'(zs_q);
        line_off_d = plane_off_q + 64'(zs_q);
        row_off_d = plane_off_q + 64'(zs_q);
      end
    end
    if (drain && iss_q != IssIdle) begin
      iss_d = IssStop;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Read engine

  logic                         rd_idle, rd_poison, row_valid, row_ready;
  logic [NumRows-1:0][7:0]      row_data;

  nc_dma_rd #(
    .MaxRowBytes(NumRows),
    .SegDepth   (SegDepth),
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
    .seg_addr_i (rd_seg_addr),
    .seg_len_i  (rd_seg_len),
    .seg_elems_i(rd_seg_elems),
    .seg_pad_i  (rd_seg_pad),
    .row_valid_o(row_valid),
    .row_ready_i(row_ready),
    .row_data_o (row_data),
    .m_ar_o     (m_ar_o),
    .m_arvalid_o(m_arvalid_o),
    .m_arready_i(m_arready_i),
    .m_r_i      (m_r_i),
    .m_rvalid_i (m_rvalid_i),
    .m_rready_o (m_rready_o)
  );

  // ---------------------------------------------------------------------------------------------
  // Write side

  logic [9:0]              lx_q, lx_d, ly_q, ly_d;  // row in the padded line, padded line
  logic [7:0]              lz_q, lz_d;
  logic [SpadAddrBits-1:0] waddr_q, waddr_d;
  logic                    done_q, done_d, err_q, err_d;
  nc_err_e                 code_q, code_d;
  logic [31:0]             info_q, info_d;
  logic                    pad_row, row_end, line_end, load_end, we;
  logic [10:0]             line_rows, plane_lines;
  logic                    first_row;  // the first row of a LOAD goes to sram_addr

  assign first_row = lx_q == '0 && ly_q == '0 && lz_q == '0;

  // im2col state (its own clocked process below): the phase of the LOAD at the head, the
  // registered row it emitted last cycle.
  typedef enum logic [1:0] {
    PhFill,   // tile bytes from the read engine into the buffer
    PhPlane,  // work out the lanes of the next plane's rows
    PhEmit    // one row per cycle
  } ph_e;

  ph_e                          ph_q;
  logic                         fill_fire, plane_go, emit_fire;
  logic                         im_we_q, im_last_q, em_last_q;
  logic [SpadAddrBits-1:0]      im_waddr_q;
  logic [NumRows-1:0][7:0]      im_wdata_q;

  assign line_rows = 11'(wf_head.pl) + 11'(wf_head.xn) + 11'(wf_head.pr);
  assign plane_lines = 11'(wf_head.pt) + 11'(wf_head.yn) + 11'(wf_head.pb);
  assign pad_row = 11'(ly_q) < 11'(wf_head.pt) || 11'(ly_q) >= 11'(wf_head.pt) + 11'(wf_head.yn) ||
                   11'(lx_q) < 11'(wf_head.pl) || 11'(lx_q) >= 11'(wf_head.pl) + 11'(wf_head.xn);
  assign row_end = 11'(lx_q) == line_rows - 11'd1;
  assign line_end = 11'(ly_q) == plane_lines - 11'd1;
  assign load_end = row_end && line_end && lz_q == wf_head.zn - 8'd1;

  always_comb begin
    lx_d = lx_q;
    ly_d = ly_q;
    lz_d = lz_q;
    waddr_d = waddr_q;
    done_d = 1'b0;
    err_d = 1'b0;
    code_d = code_q;
    info_d = info_q;
    dead_d = dead_q;
    wf_pop = 1'b0;
    we = 1'b0;
    row_ready = 1'b0;
    fill_fire = 1'b0;
    plane_go = 1'b0;
    emit_fire = 1'b0;
    // A row emitted by an im2col LOAD holds the write port for a cycle.
    if (!wf_empty && !drain && (wf_head.kind == KindI2c || !im_we_q)) begin
      unique case (wf_head.kind)
        KindCfg: begin
          wf_pop = 1'b1;
          done_d = 1'b1;
        end
        KindErr: begin
          wf_pop = 1'b1;
          err_d = 1'b1;
          code_d = ErrDmaWindow;
          info_d = wf_head.info;
          dead_d = 1'b1;
        end
        KindI2c: begin
          unique case (ph_q)
            PhFill: begin
              if (row_valid) begin
                row_ready = 1'b1;
                fill_fire = 1'b1;
              end else if (rd_poison && !im_we_q) begin
                wf_pop = 1'b1;
                err_d = 1'b1;
                code_d = ErrDmaBus;
                info_d = '0;
                dead_d = 1'b1;
              end
            end
            PhPlane: plane_go = 1'b1;
            default: begin
              emit_fire = 1'b1;
              wf_pop = em_last_q;
            end
          endcase
        end
        default: begin
          if (pad_row || row_valid) begin
            we = 1'b1;
            row_ready = !pad_row;
          end else if (rd_poison) begin
            wf_pop = 1'b1;
            err_d = 1'b1;
            code_d = ErrDmaBus;
            info_d = '0;
            dead_d = 1'b1;
          end
          if (we) begin
            waddr_d = spad_waddr_o + 1'b1;
            lx_d = row_end ? '0 : lx_q + 10'd1;
            if (row_end) begin
              ly_d = line_end ? '0 : ly_q + 10'd1;
              if (line_end) begin
                lz_d = lz_q + 8'd1;
              end
            end
            if (load_end) begin
              lz_d = '0;
              wf_pop = 1'b1;
              done_d = 1'b1;
            end
          end
        end
      endcase
    end
    if (im_we_q && im_last_q && !drain) begin
      done_d = 1'b1;  // the im2col LOAD's last row is written now
    end
  end

  assign spad_we_o = we || (im_we_q && !drain);
  assign spad_waddr_o = im_we_q ? im_waddr_q : first_row ? wf_head.sram : waddr_q;
  // The row as read, with the pad value in a padding row and in the lanes past elems (lanes
  // are picked one by one only when some are padding: the common full row is one copy).
  always_comb begin
    spad_wdata_o = row_data;
    if (im_we_q) begin
      spad_wdata_o = im_wdata_q;
    end else if (pad_row || 32'(wf_head.elems) < NumRows) begin
      for (int unsigned l = 0; l < NumRows; l++) begin
        if (pad_row || l >= 32'(wf_head.elems)) begin
          spad_wdata_o[l] = wf_head.pad;
        end
      end
    end
  end

  assign done_o = done_q;
  assign err_o = err_q;
  assign err_code_o = code_q;
  assign err_info_o = info_q;
  assign idle_o = rd_idle && (drain || (iss_q == IssIdle && wf_empty && !im_we_q));
  assign busy_o = !drain && (iss_q != IssIdle || !wf_empty || im_we_q);
  assign stall_o = busy_o && !wf_empty && !row_valid &&
                   ((wf_head.kind == KindLoad && !pad_row) ||
                    (wf_head.kind == KindI2c && ph_q == PhFill));

  // ---------------------------------------------------------------------------------------------
  // im2col: the tile buffer, the lane table of the current plane and the emitted row. Written
  // only in cycles that fill, start a plane or emit (hw/rtl/README.md: the Verilated model
  // then does no work for it in the other cycles).

  logic [7:0]                   lb_q [LbBytes];         // the unpadded tile, line after line
  logic [LbBits:0]              fp_q;                   // fill: next buffer byte
  logic [13:0]                  fq_q;                   // fill: next byte of the line
  logic [9:0]                   fy_q;                   // fill: line
  logic [7:0]                   ez_q;                   // emit: plane
  logic [10:0]                  ry_q, rx_q;             // emit: window origin, padded tile
  logic signed [31:0]           rline_q, rb_q;          // buffer offset of (ry, pl), (ry, rx)
  logic [3:0]                   cky_q, ckx_q;           // plane cursor: element rows * ez
  logic [ElemBits-1:0]          cc_q;
  logic signed [31:0]           coff_q;
  logic                         clive_q;
  logic [NumRows-1:0][3:0]      tky_q, tkx_q;           // lane table of the plane
  logic signed [NumRows-1:0][31:0] toff_q;
  logic [NumRows-1:0]           tlive_q;
  logic [SpadAddrBits-1:0]      im_next_q;              // next row's scratchpad address

  always_ff @(posedge clk_i) begin
    if (fill_fire) begin
      for (int unsigned l = 0; l < NumRows; l++) begin
        if (14'(l) < 14'(SegLenBits'(wf_head.xn) * SegLenBits'(wf_head.elems)) - fq_q) begin
          lb_q[LbBits'(fp_q) + LbBits'(l)] <= row_data[l];
        end
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ph_q <= PhFill;
      fp_q <= '0;
      fq_q <= '0;
      fy_q <= '0;
      ez_q <= '0;
      ry_q <= '0;
      rx_q <= '0;
      rline_q <= '0;
      rb_q <= '0;
      cky_q <= '0;
      ckx_q <= '0;
      cc_q <= '0;
      coff_q <= '0;
      clive_q <= 1'b1;
      tky_q <= '0;
      tkx_q <= '0;
      toff_q <= '0;
      tlive_q <= '0;
      im_next_q <= '0;
      im_we_q <= 1'b0;
      im_last_q <= 1'b0;
      em_last_q <= 1'b0;
      im_waddr_q <= '0;
      im_wdata_q <= '0;
    end else if (srst_i) begin
      ph_q <= PhFill;
      fp_q <= '0;
      fq_q <= '0;
      fy_q <= '0;
      ez_q <= '0;
      cky_q <= '0;
      ckx_q <= '0;
      cc_q <= '0;
      coff_q <= '0;
      clive_q <= 1'b1;
      im_we_q <= 1'b0;
      im_last_q <= 1'b0;
      em_last_q <= 1'b0;
    end else begin
      // The three phases never act in the same cycle (one ph_q). They come in the order fill,
      // emit, plane step, so the lane table is written after the emit step read it: the
      // Verilated model then updates it in place, where it otherwise copied its 16 words in
      // and back out every cycle (as it does for registers written before being read here).
      im_we_q <= emit_fire;  // a row emitted last cycle is written now
      if (fill_fire) begin
        // One row of the line: NumRows bytes, or the line's rest.
        logic [13:0] llen, rest, n;
        llen = 14'(SegLenBits'(wf_head.xn) * SegLenBits'(wf_head.elems));
        rest = llen - fq_q;
        n = rest < 14'(NumRows) ? rest : 14'(NumRows);
        fp_q <= fp_q + (LbBits + 1)'(n);
        if (n == rest) begin
          fq_q <= '0;
          fy_q <= fy_q + 10'd1;
          if (fy_q == wf_head.yn - 10'd1) begin
            fy_q <= '0;
            ph_q <= PhPlane;
          end
        end else begin
          fq_q <= fq_q + n;
        end
      end
      if (emit_fire) begin
        // The row of window (ry, rx): every lane from the buffer or the pad value.
        logic signed [31:0] lw;
        logic [10:0] ny, nx, hp, wp;
        logic xl, yl;
        lw = 32'(SegLenBits'(wf_head.xn) * SegLenBits'(wf_head.elems));
        hp = 11'(wf_head.pt) + 11'(wf_head.yn) + 11'(wf_head.pb);
        wp = 11'(wf_head.pl) + 11'(wf_head.xn) + 11'(wf_head.pr);
        for (int unsigned l = 0; l < NumRows; l++) begin
          logic [10:0] py, px;
          logic [LbBits-1:0] a;
          py = ry_q + 11'(tky_q[l]);
          px = rx_q + 11'(tkx_q[l]);
          a = LbBits'(rb_q + toff_q[l]);  // inside the tile when the lane reads it
          im_wdata_q[l] <= wf_head.pad;
          if (tlive_q[l] && py >= 11'(wf_head.pt) && py < 11'(wf_head.pt) + 11'(wf_head.yn) &&
              px >= 11'(wf_head.pl) && px < 11'(wf_head.pl) + 11'(wf_head.xn)) begin
            im_wdata_q[l] <= lb_q[a];
          end
        end
        im_we_q <= 1'b1;
        im_waddr_q <= im_next_q;
        im_next_q <= im_next_q + 1'b1;
        im_last_q <= em_last_q;
        // The next window: x fastest, then y, then the next plane.
        xl = rx_q + 11'(wf_head.sw) + 11'(wf_head.kw) > wp;
        yl = ry_q + 11'(wf_head.sh) + 11'(wf_head.kh) > hp;
        nx = rx_q + 11'(wf_head.sw);
        ny = ry_q + 11'(wf_head.sh);
        if (!xl) begin
          rx_q <= nx;
          rb_q <= rb_q + 32'(wf_head.sw) * 32'(wf_head.elems);
          em_last_q <= ez_q == wf_head.zn - 8'd1 &&
                       ry_q + 11'(wf_head.sh) + 11'(wf_head.kh) > hp &&
                       nx + 11'(wf_head.sw) + 11'(wf_head.kw) > wp;
        end else if (!yl) begin
          rx_q <= '0;
          ry_q <= ny;
          rb_q <= rline_q + 32'(wf_head.sh) * lw - 32'(wf_head.pl) * 32'(wf_head.elems);
          rline_q <= rline_q + 32'(wf_head.sh) * lw;
          em_last_q <= ez_q == wf_head.zn - 8'd1 &&
                       ny + 11'(wf_head.sh) + 11'(wf_head.kh) > hp &&
                       11'(wf_head.sw) + 11'(wf_head.kw) > wp;
        end else if (ez_q != wf_head.zn - 8'd1) begin
          ez_q <= ez_q + 8'd1;
          ph_q <= PhPlane;
        end else begin
          // The LOAD's last row: the next LOAD starts from a fresh buffer and cursor.
          ez_q <= '0;
          fp_q <= '0;
          cky_q <= '0;
          ckx_q <= '0;
          cc_q <= '0;
          coff_q <= '0;
          clive_q <= 1'b1;
          ph_q <= PhFill;
        end
      end
      if (plane_go) begin
        // Lane l of this plane's rows holds element rows * ez + l: step the cursor through it.
        logic [3:0] ky, kx;
        logic [ElemBits-1:0] c;
        logic signed [31:0] off, lw;
        logic live;
        lw = 32'(SegLenBits'(wf_head.xn) * SegLenBits'(wf_head.elems));
        ky = cky_q;
        kx = ckx_q;
        c = cc_q;
        off = coff_q;
        live = clive_q;
        for (int unsigned l = 0; l < NumRows; l++) begin
          tky_q[l] <= ky;
          tkx_q[l] <= kx;
          toff_q[l] <= off;
          tlive_q[l] <= live;
          if (c != wf_head.elems - 1'b1) begin
            c = c + 1'b1;
            off = off + 32'sd1;
          end else begin
            c = '0;
            if (kx != wf_head.kw - 4'd1) begin
              kx = kx + 4'd1;
              off = off + 32'sd1;
            end else begin
              kx = '0;
              off = off + 32'sd1 + lw - 32'(wf_head.kw) * 32'(wf_head.elems);
              if (ky != wf_head.kh - 4'd1) begin
                ky = ky + 4'd1;
              end else begin
                live = 1'b0;  // past the kernel: pad value from here on
              end
            end
          end
        end
        cky_q <= ky;
        ckx_q <= kx;
        cc_q <= c;
        coff_q <= off;
        clive_q <= live;
        ry_q <= '0;
        rx_q <= '0;
        rline_q <= -(32'(wf_head.pt) * lw);
        rb_q <= -(32'(wf_head.pt) * lw) - 32'(wf_head.pl) * 32'(wf_head.elems);
        if (ez_q == '0) begin
          im_next_q <= wf_head.sram;
        end
        em_last_q <= ez_q == wf_head.zn - 8'd1 &&
                     11'(wf_head.kh) + 11'(wf_head.sh) > 11'(wf_head.pt) + 11'(wf_head.yn) +
                     11'(wf_head.pb) &&
                     11'(wf_head.kw) + 11'(wf_head.sw) > 11'(wf_head.pl) + 11'(wf_head.xn) +
                     11'(wf_head.pr);
        ph_q <= PhEmit;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      iss_q <= IssIdle;
      ld_q <= '0;
      xs_q <= '0;
      ys_q <= '0;
      zs_q <= '0;
      pad_q <= '0;
      wx_q <= '0;
      wy_q <= '0;
      wz_q <= '0;
      plane_off_q <= '0;
      line_off_q <= '0;
      row_off_q <= '0;
      dead_q <= 1'b0;
      lx_q <= '0;
      ly_q <= '0;
      lz_q <= '0;
      waddr_q <= '0;
      done_q <= 1'b0;
      err_q <= 1'b0;
      code_q <= ErrNone;
      info_q <= '0;
    end else if (srst_i) begin
      iss_q <= IssIdle;
      xs_q <= '0;
      ys_q <= '0;
      zs_q <= '0;
      pad_q <= '0;
      dead_q <= 1'b0;
      lx_q <= '0;
      ly_q <= '0;
      lz_q <= '0;
      done_q <= 1'b0;
      err_q <= 1'b0;
      code_q <= ErrNone;
      info_q <= '0;
    end else begin
      iss_q <= iss_d;
      ld_q <= ld_d;
      xs_q <= xs_d;
      ys_q <= ys_d;
      zs_q <= zs_d;
      pad_q <= pad_d;
      wx_q <= wx_d;
      wy_q <= wy_d;
      wz_q <= wz_d;
      plane_off_q <= plane_off_d;
      line_off_q <= line_off_d;
      row_off_q <= row_off_d;
      dead_q <= dead_d;
      lx_q <= lx_d;
      ly_q <= ly_d;
      lz_q <= lz_d;
      waddr_q <= waddr_d;
      done_q <= done_d;
      err_q <= err_d;
      code_q <= code_d;
      info_q <= info_d;
    end
  end

`ifndef NC_NO_ASSERT
  logic cmd_moved;
  nc_hold_watch #(.Width($bits(cmd_insn_i))) u_cmd_hold (
    .clk_i, .rst_ni, .offer_i(cmd_valid_i && !cmd_ready_o && !halt_i), .excuse_i(halt_i),
    .valid_i(cmd_valid_i), .data_i(cmd_insn_i), .moved_o(cmd_moved)
  );
  a_cmd_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !cmd_moved)
    else $error("nc_load_unit: command withdrawn or changed before it was taken");
  // `cmd_fire |-> rule` with the rule worked out only when cmd_fire holds
  // (hw/rtl/README.md, "Cheap assertions").
  logic cmd_bad;
  nc_implies u_cmd_bad (
    .if_i  (cmd_fire),
    .then_i(cfg_view.hdr.opcode inside {OpLoad, OpLoadCfg}),
    .bad_o (cmd_bad)
  );
  a_cmd_opcode: assert property (@(posedge clk_i) disable iff (!rst_ni) !cmd_bad)
    else $error("nc_load_unit: given an instruction that is not LOAD or LOAD_CFG");
  a_row_in_spad: assert property (@(posedge clk_i) disable iff (!rst_ni)
      spad_we_o |-> 32'(spad_waddr_o) < SpadRows)
    else $error("nc_load_unit: scratchpad row out of range");
  a_one_report: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(done_o && err_o))
    else $error("nc_load_unit: done and error in one cycle");
  a_quiet_after_err: assert property (@(posedge clk_i) disable iff (!rst_ni)
      err_o |-> !spad_we_o && !done_o && !cmd_ready_o)
    else $error("nc_load_unit: activity after an error");
  // `srst_i |-> idle_o`, with the consequent worked out only in a soft-reset cycle
  // (hw/rtl/README.md, "Cheap assertions").
  logic srst_busy;
  nc_implies u_srst_busy (.if_i(srst_i), .then_i(idle_o), .bad_o(srst_busy));
  a_srst_idle: assert property (@(posedge clk_i) disable iff (!rst_ni) !srst_busy)
    else $error("nc_load_unit: soft reset while not idle");
`endif

`ifdef NC_COVER
  // Functional cover points (regress/testplan.md names the feature and tests of each); only in
  // the coverage build (+define+NC_COVER).
  // a LOAD completed (its last row written)
  cp_done_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      we && load_end);
  // a LOAD_CFG completed
  cp_done_load_cfg: cover property (@(posedge clk_i) disable iff (!rst_ni)
      !wf_empty && !drain && wf_head.kind == KindCfg);
  // a LOAD of full rows (elems = ROWS)
  cp_load_elems_full: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssCheck && 32'(ld_q.elems) == NumRows);
  // a LOAD of partial rows (pad value in the lanes past elems)
  cp_load_elems_part: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssCheck && 32'(ld_q.elems) < NumRows);
  // a LOAD of one-byte rows
  cp_load_elems_one: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssCheck && ld_q.elems == 1);
  // a 3-D LOAD (several planes and lines)
  cp_load_3d: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssRun && ld_q.z_size > 8'd1 && ld_q.y_size > 10'd1);
  // contiguous rows: one segment per line, bursts across rows
  cp_load_contig: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssRun && contig && ld_q.x_size > 10'd1);
  // strided rows: one segment per row
  cp_load_by_row: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssRun && !contig && ld_q.x_size > 10'd1);
  // a top padding row written
  cp_load_pad_t: cover property (@(posedge clk_i) disable iff (!rst_ni)
      we && 11'(ly_q) < 11'(wf_head.pt));
  // a bottom padding row written
  cp_load_pad_b: cover property (@(posedge clk_i) disable iff (!rst_ni)
      we && 11'(ly_q) >= 11'(wf_head.pt) + 11'(wf_head.yn));
  // a left padding row written
  cp_load_pad_l: cover property (@(posedge clk_i) disable iff (!rst_ni)
      we && 11'(lx_q) < 11'(wf_head.pl));
  // a right padding row written
  cp_load_pad_r: cover property (@(posedge clk_i) disable iff (!rst_ni)
      we && 11'(lx_q) >= 11'(wf_head.pl) + 11'(wf_head.xn));
  // padding with a non-zero pad value
  cp_load_pad_value: cover property (@(posedge clk_i) disable iff (!rst_ni)
      we && pad_row && wf_head.pad != 8'd0);
  // the window proof failed: rows walked for the first one outside
  cp_load_window_scan: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssScan);
  // a LOAD's reads start while the previous LOAD's rows are written
  cp_load_ahead: cover property (@(posedge clk_i) disable iff (!rst_ni)
      iss_q == IssRun && !wf_empty && wf_head.kind == KindLoad);
  // the issue side is CmdDepth instructions ahead
  cp_load_wf_full: cover property (@(posedge clk_i) disable iff (!rst_ni)
      wf_full);
  // the write side waits for memory
  cp_load_stall: cover property (@(posedge clk_i) disable iff (!rst_ni)
      stall_o);
  // a LOAD's rows continue past a scratchpad bank's last row
  cp_load_spad_bank_edge: cover property (@(posedge clk_i) disable iff (!rst_ni)
      we && 32'(spad_waddr_o) % (SpadRows / SpadBanks) == (SpadRows / SpadBanks) - 1 &&
      !row_end);
  // a read segment that starts inside a bus beat
  cp_load_unaligned: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rd_seg_valid && rd_seg_ready && rd_seg_addr[$clog2(BusBytes)-1:0] != '0);
  // an error beat fails the LOAD being written
  cp_load_poison: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rd_poison && !wf_empty && wf_head.kind == KindLoad);
  // halted in the middle of a LOAD
  cp_load_halt_busy: cover property (@(posedge clk_i) disable iff (!rst_ni)
      halt_i && iss_q != IssIdle && iss_q != IssStop);
  // an im2col LOAD emits a row of gathered receptive fields
  cp_load_i2c_emit: cover property (@(posedge clk_i) disable iff (!rst_ni)
      !wf_empty && !drain && wf_head.kind == KindI2c && ph_q == PhEmit);
  // an im2col LOAD of several row planes (taps x elems above ROWS): a later plane starts
  cp_load_i2c_planes: cover property (@(posedge clk_i) disable iff (!rst_ni)
      !wf_empty && !drain && wf_head.kind == KindI2c && ph_q == PhPlane && ez_q != '0);
  // a strided im2col LOAD
  cp_load_i2c_stride: cover property (@(posedge clk_i) disable iff (!rst_ni)
      !wf_empty && !drain && wf_head.kind == KindI2c && ph_q == PhEmit &&
      (wf_head.sh > 4'd1 || wf_head.sw > 4'd1));
  // an im2col LOAD over a padded tile (windows that take the pad value)
  cp_load_i2c_pad: cover property (@(posedge clk_i) disable iff (!rst_ni)
      !wf_empty && !drain && wf_head.kind == KindI2c && ph_q == PhEmit &&
      (wf_head.pt != '0 || wf_head.pb != '0 || wf_head.pl != '0 || wf_head.pr != '0));
  // an error beat fails an im2col LOAD while it fills its tile
  cp_load_i2c_poison: cover property (@(posedge clk_i) disable iff (!rst_ni)
      !wf_empty && !drain && wf_head.kind == KindI2c && ph_q == PhFill && !row_valid &&
      rd_poison);
`endif

endmodule
