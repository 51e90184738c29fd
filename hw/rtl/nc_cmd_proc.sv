// Command processor: ring fetch, dispatch, the three instruction queues, dependency tokens,
// in-order retirement, SYNC, FINISH, errors, halt, soft reset, deadlock and watchdog.
//
// It makes the choices sim/model/README.md lists, so that a program gives the model's ERR_CODE,
// ERR_INSN and ERR_INFO:
//
//  - Fetch reads the ring at the physical RING_BASE through its AXI read master in INCR bursts
//    of up to FetchMax entries (never past TAIL, the ring's end, AxiMaxBeats or a 4 KiB
//    boundary) while HEAD != TAIL, into a buffer of two bursts. A burst's entries become visible
//    to dispatch at its last beat, and only when no beat answered an error (dma_bus, unit fetch,
//    ERR_INSN = the burst's first entry), as the model checks a burst before using it.
//  - Dispatch moves one entry per cycle to the queue of its opcode and advances RING_HEAD. It
//    reports unit fetch for an unknown opcode, FINISH's rules and a SYNC that names no queue. A
//    FINISH waits until every queue, unit and retire FIFO is empty, then retires: STATUS.done,
//    the done interrupt, and what fetch read past it is dropped (fetched again at START).
//  - At each queue head the instruction's check decides (nc_insn_check, and for STORE the store
//    unit's chk port after that passes) before it waits for its tokens; a failure reports the
//    queue's unit. nc_insn_check runs once per entry, as it arrives in the fetch buffer, and its
//    result travels with the entry: the same answer as checking at the head, without checking
//    four instructions every cycle (1.7% of the model's instructions). As in the model, where
//    a fetched burst is dispatched before any unit starts, a failing head is reported only once
//    dispatch has stopped (buffer empty or blocked), so a bad entry fetch would see later in the
//    same burst is reported first, like the model does.
//  - An instruction is issued when its pop counters are non-zero: the pops are taken and the
//    unit gets it (a SYNC goes nowhere). Each queue keeps a retire FIFO of issued instructions
//    (push flags, ring index); an entry retires when its unit's done_o came for it (a SYNC when
//    it reaches the front: everything before it in that queue completed), pushing its tokens.
//    A push onto a full counter is token_overflow from the pushing queue's unit.
//  - Any error records the first error (code, unit, ring index, info), sets STATUS.error and the
//    error interrupt, drops queued work and holds every unit in halt until soft reset.
//  - CTRL applies soft_reset, then halt, then start. Soft reset clears this block's state at
//    once and keeps the units halted with units_abort_o until they are idle, then pulses their
//    srst. Abort makes the DMA engines abandon the bursts they are still owed (nc_dma_rd,
//    nc_dma_wr), and fetch drops its burst in flight, so a soft reset ends within a bounded
//    number of cycles even when the memory never answers (the compute unit's array drain and
//    flush are bounded); the abandoned bursts' responses are dropped whenever they come, ahead
//    of any later request's (one AXI ID per read master, answered in order). A START written
//    meanwhile waits for the srst and reads as STATUS.busy at once, as the model's START does;
//    RING_HEAD writes are ignored while it waits. START is ignored while busy or in error.
//  - PERF_COMPUTE_BUSY leaves out the compute unit's flush after srst (its dummy vectors):
//    the model's soft reset costs no compute time.
//  - Deadlock (unit fetch, ERR_INSN = head of the first blocked queue, else fetch's entry):
//    no unit works or owes a completion, every non-empty queue head waits for a token, and
//    fetch holds an entry it cannot dispatch, for two cycles in a row. Watchdog: while work is
//    pending (a queue, a unit or fetch), WATCHDOG cycles without progress (a retirement,
//    dispatch, issue, fetch beat or a unit executing) raise watchdog, blamed on a unit owing a
//    completion, else fetch waiting for memory, else the first non-empty queue's head.
module nc_cmd_proc
  import nc_pkg::*;
#(
  parameter int unsigned QueueDepth = InsnQueueDepth,  // entries per instruction queue
  parameter int unsigned RetireDepth = 16,             // issued, unretired per queue
  parameter int unsigned FetchMax = 16                 // entries per fetch burst
) (
  input  logic                      clk_i,            // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                      rst_ni,           // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Register interface (nc_csr)
  input  logic                      ctrl_start_i,     // CTRL.start written 1
  input  logic                      ctrl_halt_i,      // CTRL.halt written 1
  input  logic                      ctrl_srst_i,      // CTRL.soft_reset written 1
  input  logic [AxiAddrBits-1:0]    ring_base_i,      // RING_BASE
  input  logic [31:0]               ring_size_i,      // RING_SIZE
  input  logic [31:0]               ring_tail_i,      // RING_TAIL
  input  logic                      head_we_i,        // RING_HEAD written (ignored while busy)
  input  logic [31:0]               head_wdata_i,     // value written
  input  logic [31:0]               watchdog_i,       // WATCHDOG
  output logic [31:0]               ring_head_o,      // RING_HEAD
  output logic                      busy_o,           // STATUS.busy
  output logic                      done_o,           // STATUS.done
  output logic                      error_o,          // STATUS.error
  output logic                      fetch_busy_o,     // STATUS.fetch_busy
  output logic [2:0]                unit_busy_o,      // STATUS.{store,compute,load}_busy
  output logic [7:0]                err_code_o,       // ERR_CODE.code
  output logic [3:0]                err_unit_o,       // ERR_CODE.unit
  output logic [31:0]               err_insn_o,       // ERR_INSN
  output logic [31:0]               err_info_o,       // ERR_INFO
  output logic                      evt_done_o,       // pulse: a FINISH retired
  output logic                      evt_error_o,      // pulse: an error was raised
  output logic [2:0]                evt_retired_o,    // instructions retired this cycle
  output logic [2:0]                perf_busy_o,      // per unit (load, compute, store): busy
  output logic [2:0]                perf_stall_o,     // per unit: waits on a token or memory
  // AXI4 read master for instruction fetch (the mux chooses the ID)
  output nc_axi_ar_t                m_ar_o,           // burst: INCR, <= 4 KiB
  output logic                      m_arvalid_o,      // request
  input  logic                      m_arready_i,      // request taken
  input  nc_axi_r_t                 m_r_i,            // beat
  input  logic                      m_rvalid_i,       // beat valid
  output logic                      m_rready_o,       // beat taken (always)
  // Units, index 0 load, 1 compute, 2 store (hw/rtl/README.md command interface)
  output logic [2:0]                cmd_valid_o,      // an instruction to execute
  input  logic [2:0]                cmd_ready_i,      // the unit takes it
  output logic [2:0][InsnBits-1:0]  cmd_insn_o,       // the instruction
  input  logic [2:0]                unit_done_i,      // the unit's oldest instruction completed
  input  logic [2:0]                unit_err_i,       // ... or failed
  input  logic [2:0][7:0]           unit_err_code_i,  // nc_err_e with unit_err_i
  input  logic [2:0][31:0]          unit_err_info_i,  // ERR_INFO with unit_err_i
  input  logic [2:0]                unit_idle_i,      // nothing pending in the unit
  input  logic [2:0]                unit_busy_i,      // perf: executing
  input  logic [2:0]                unit_stall_i,     // perf: waiting on memory / a conflict
  output logic                      units_halt_o,     // level: every unit stops
  output logic                      units_srst_o,     // pulse: soft reset of every unit
  output logic                      units_abort_o,    // level: abandon open AXI bursts
  // Store unit's pre-execution check of the STORE at the head of the store queue
  output logic [InsnBits-1:0]       store_chk_insn_o, // head of the store queue
  input  nc_check_t                 store_chk_i,      // its pooling-rule check
  // Retirement trace: what the last rising edge did (registered; see "Trace" below)
  output logic [2:0]                trace_issue_o,     // per queue: an instruction issued
  output logic [2:0][31:0]          trace_issue_idx_o, // ... its ring index
  output logic [2:0][3:0]           trace_issue_op_o,  // ... its opcode
  output logic [2:0]                trace_retire_o,    // per queue: its oldest issued retired
  output logic                      trace_finish_o,    // a FINISH retired
  output logic [31:0]               trace_finish_idx_o,// ... its ring index
  output logic                      trace_flush_o      // issued, unretired work was dropped
);

  localparam int unsigned NQ = 3;
  localparam int unsigned FbDepth = 2 * FetchMax;
  localparam int unsigned FbBits = $clog2(FbDepth);
  localparam int unsigned RBits = $clog2(RetireDepth);
  localparam int unsigned TokMax = (1 << TokenBits) - 1;
  localparam int unsigned BeatsPerEntry = (BusBytes >= InsnBytes) ? 1 : InsnBytes / BusBytes;
  localparam int unsigned BeatBits = (BeatsPerEntry > 1) ? $clog2(BeatsPerEntry) : 1;
  localparam int unsigned MaxEntriesPerBurst =
      (AxiMaxBeats / BeatsPerEntry < FetchMax) ? AxiMaxBeats / BeatsPerEntry : FetchMax;
  // Token counters: load->compute, compute->load, compute->store, store->compute.
  localparam int unsigned TokL2C = 0, TokC2L = 1, TokC2S = 2, TokS2C = 3;

  if (BusBytes > InsnBytes) begin : g_bad_bus
    $error("nc_cmd_proc: fetch assumes BusBytes <= 16 (one ring entry per beat or more beats)");
  end
  if ((QueueDepth & (QueueDepth - 1)) != 0 || (RetireDepth & (RetireDepth - 1)) != 0 ||
      (FetchMax & (FetchMax - 1)) != 0) begin : g_bad_depth
    $error("nc_cmd_proc: QueueDepth, RetireDepth and FetchMax must be powers of two");
  end
  if (MaxEntriesPerBurst < 1) begin : g_bad_beats
    $error("nc_cmd_proc: AxiMaxBeats cannot hold one ring entry");
  end

  // The instruction at bit 0 and the index at the next word: the Verilated model reads both
  // as whole words.
  typedef struct packed {
    nc_check_t           chk;   // nc_insn_check(insn), worked out once as the entry arrives
    logic [31:0]         idx;   // ring index
    logic [InsnBits-1:0] insn;
  } entry_t;

  typedef struct packed {
    logic        push_prev;
    logic        push_next;
    logic        sync;
    logic [31:0] idx;
  } ret_t;

  // Counter a queue's flag names; the checks reject flags toward a missing neighbour.
  function automatic int unsigned tok_pop_prev(int unsigned q);
    return (q == 1) ? TokL2C : TokC2S;
  endfunction
  function automatic int unsigned tok_pop_next(int unsigned q);
    return (q == 0) ? TokC2L : TokS2C;
  endfunction
  function automatic int unsigned tok_push_prev(int unsigned q);
    return (q == 1) ? TokC2L : TokS2C;
  endfunction
  function automatic int unsigned tok_push_next(int unsigned q);
    return (q == 0) ? TokL2C : TokC2S;
  endfunction
  function automatic logic [3:0] unit_of(int unsigned q);
    return (q == 0) ? UnitLoad : (q == 1) ? UnitCompute : UnitStore;
  endfunction
  function automatic logic [31:0] wrap_inc(logic [31:0] idx, logic [31:0] size);
    return (idx + 32'd1 >= size) ? 32'd0 : idx + 32'd1;
  endfunction

  // ---------------------------------------------------------------------------------------------
  // State

  logic        busy_q, done_q, error_q;
  logic [7:0]  err_code_q;
  logic [3:0]  err_unit_q;
  logic [31:0] err_insn_q, err_info_q;
  logic [31:0] head_q;
  logic        rst_pend_q, start_pend_q, srst_q;
  logic        cflush_q;        // the compute unit flushes after srst, no GEMM taken yet

  // Fetch
  logic [31:0]            fptr_q, fptr_d;              // next ring index to request
  logic [FbBits:0]        fb_cnt_q, fb_cnt_d;          // committed entries
  logic                   ar_pend_q, ar_pend_d;        // AR presented, not yet taken
  nc_axi_ar_t             ar_q, ar_d;              // the request shown
  logic                   infl_q, infl_d;              // a burst issued, its last beat not yet
                                                       // taken
  logic [31:0]            burst_idx_q, burst_idx_d;    // ring index of its first entry
  logic [FbBits:0]        burst_n_q, burst_n_d;        // its entries
  logic [FbBits:0]        burst_got_q, burst_got_d;    // entries received
  logic                   burst_err_q, burst_err_d;    // a beat answered an error
  logic                   burst_drop_q, burst_drop_d;  // fetch stopped meanwhile: drop what
                                                       // arrives
  logic [BeatBits-1:0]    beat_q, beat_d;              // beat within the entry being assembled
  // Entry assembly; with a 16-byte bus every beat is an entry and it goes unused.
  /* verilator lint_off UNUSEDSIGNAL */
  logic [InsnBits-1:0]    asm_q, asm_d;
  /* verilator lint_on UNUSEDSIGNAL */

  // Retirement bookkeeping per queue
  // Packed vectors rather than arrays: the Verilated model copies each as one or a few words.
  logic [NQ-1:0][RBits:0] done_cnt_q, done_cnt_d;  // done_o pulses not yet retired
  logic [NQ-1:0]     uerr_pend_q, uerr_pend_d;        // a unit reported a failure
  logic [NQ-1:0][7:0]     uerr_code_q, uerr_code_d;
  logic [NQ-1:0][31:0]    uerr_info_q, uerr_info_d;
  // Tokens
  logic [3:0][TokenBits-1:0] tok_q, tok_d;
  // Deadlock and watchdog
  logic        dl_q, dl_d;
  logic [31:0] wd_q, wd_d;
  logic        cflush_d;

  // ---------------------------------------------------------------------------------------------
  // Combinational view of the queues

  logic [NQ-1:0]       q_empty, q_full, r_empty, r_full;
  entry_t              q_head[NQ];
  ret_t                r_head[NQ];
  ret_t                r_in[NQ];     // what issuing the head pushes into its retire FIFO
  nc_check_t           chk[NQ];
  logic [NQ-1:0]       head_ok, tok_ok, head_sync, issue;
  logic [NQ-1:0]       pp, pn;  // head pops prev / next

  // The queues' and retire FIFOs' flags and heads come from their nc_fifo instances (below, in
  // "Queues"). The store unit's check answers the store queue's head.
  always_comb begin
    for (int unsigned q = 0; q < NQ; q++) begin
      chk[q] = q_head[q].chk;
      if (q == 2 && chk[q].err == ErrNone && q_head[q].insn[3:0] == OpStore) begin
        chk[q] = store_chk_i;
      end
      head_sync[q] = q_head[q].insn[3:0] == OpSync;
      r_in[q] = '{push_prev: q_head[q].insn[NC_INSN_HDR_PUSH_PREV_LSB],
                  push_next: q_head[q].insn[NC_INSN_HDR_PUSH_NEXT_LSB],
                  sync: head_sync[q],
                  idx: q_head[q].idx};
      pp[q] = q_head[q].insn[NC_INSN_HDR_POP_PREV_LSB] && q != 0;
      pn[q] = q_head[q].insn[NC_INSN_HDR_POP_NEXT_LSB] && q != 2;
      tok_ok[q] = (!pp[q] || tok_q[tok_pop_prev(q)] != '0) &&
                  (!pn[q] || tok_q[tok_pop_next(q)] != '0);
      head_ok[q] = !q_empty[q] && chk[q].err == ErrNone;
    end
  end

  logic running;  // started, no error, not in a soft reset
  assign running = busy_q && !error_q && !rst_pend_q;

  // Per-queue flags as whole vectors rather than a bit per loop iteration: one operation each
  // in the Verilated model, where a loop writes (and bounds-checks) one bit at a time.
  logic [NQ-1:0] head_go;  // the head may go: to its unit, or (a SYNC) straight to retire
  assign head_go = {NQ{running}} & head_ok & tok_ok & ~r_full;
  assign cmd_valid_o = head_go & ~head_sync;
  assign issue = head_go & (head_sync | cmd_ready_i);
  always_comb begin
    for (int unsigned q = 0; q < NQ; q++) begin
      cmd_insn_o[q] = q_head[q].insn;
    end
  end
  assign store_chk_insn_o = cmd_insn_o[2];  // the head of the store queue

  logic units_idle, retire_empty;
  always_comb begin
    units_idle = &unit_idle_i;
    retire_empty = &r_empty;
    for (int unsigned q = 0; q < NQ; q++) begin
      if (done_cnt_q[q] != '0 || uerr_pend_q[q]) begin
        retire_empty = 1'b0;
      end
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Fetch head and dispatch

  entry_t      fhead;
  nc_check_t   fchk;
  logic [3:0]  fop;
  logic        fvalid, f_illegal, f_finish, f_badsync, drained, f_blocked;
  logic [1:0]  fq;
  logic        dispatch, finish_retire;

  always_comb begin
    fvalid = fb_cnt_q != '0;
    fop = fhead.insn[3:0];
    fchk = fhead.chk;
    f_illegal = fop == OpIllegal || fop > OpDwconv;
    f_finish = fop == OpFinish;
    f_badsync = fop == OpSync && fhead.insn[NC_INSN_SYNC_TARGET_LSB +: 2] == 2'd3;
    unique case (fop)
      OpLoad, OpLoadCfg: fq = 2'd0;
      OpGemm, OpDwconv: fq = 2'd1;
      OpStore, OpStoreCfg, OpLoadParam: fq = 2'd2;
      default: fq = fhead.insn[NC_INSN_SYNC_TARGET_LSB +: 2];
    endcase
    drained = (&q_empty) && retire_empty && units_idle;
    dispatch = running && fvalid && !f_illegal && !f_finish && !f_badsync && !q_full[fq];
    finish_retire = running && fvalid && f_finish && fchk.err == ErrNone && drained;
    // Fetch cannot proceed: its entry waits for the queues (FINISH) or for room.
    f_blocked = fvalid && !f_illegal && !f_badsync &&
                (f_finish ? (fchk.err == ErrNone && !drained) : q_full[fq]);
  end

  // ---------------------------------------------------------------------------------------------
  // Burst sizing

  logic [31:0]            f_avail, f_room, f_to4k, f_n;
  logic [AxiAddrBits-1:0] f_addr;
  logic                   f_issue, f_tail_bad;

  always_comb begin
    f_addr = ring_base_i + AxiAddrBits'({fptr_q, 4'b0});
    f_avail = (ring_tail_i > fptr_q) ? ring_tail_i - fptr_q : ring_size_i - fptr_q;
    f_room = 32'(FbDepth) - 32'(fb_cnt_q);
    f_to4k = (32'd4096 - 32'(f_addr[11:0])) >> 4;
    f_n = 32'(MaxEntriesPerBurst);
    if (f_avail < f_n) f_n = f_avail;
    if (f_room < f_n) f_n = f_room;
    if (f_to4k < f_n) f_n = f_to4k;
    f_tail_bad = ring_tail_i >= ring_size_i;
    f_issue = running && !infl_q && fptr_q != ring_tail_i && f_room != 32'd0 && !f_tail_bad;
  end

  assign m_ar_o = ar_q;
  assign m_arvalid_o = ar_pend_q;
  assign m_rready_o = 1'b1;

  logic                beat;
  logic                entry_done;
  logic [InsnBits-1:0] entry_data;
  assign beat = m_rvalid_i;  // rready is always high

  if (BeatsPerEntry == 1) begin : g_asm_one
    assign entry_done = beat;
    assign entry_data = InsnBits'(m_r_i.data);
  end else begin : g_asm_many
    assign entry_done = beat && beat_q == BeatBits'(BeatsPerEntry - 1);
    assign entry_data = {m_r_i.data, asm_q[InsnBits-1:BusBits]};
  end

  // ---------------------------------------------------------------------------------------------
  // Errors: the first one found this cycle, in the order the model finds them

  logic        raise;
  logic [7:0]  r_code;
  logic [3:0]  r_unit;
  logic [31:0] r_insn, r_info;
  logic [NQ-1:0] retire;
  logic [3:0]    tok_push, tok_pop;
  logic          tok_ovf;
  logic [1:0]    tok_ovf_q;  // queue that overflowed
  logic          dl_now, wd_fire, progress, pending;

  logic [NQ-1:0] ovf;

  always_comb begin
    // Retirement and token pushes.
    tok_pop = '0;
    for (int unsigned q = 0; q < NQ; q++) begin
      if (issue[q] && pp[q]) tok_pop[tok_pop_prev(q)] = 1'b1;
      if (issue[q] && pn[q]) tok_pop[tok_pop_next(q)] = 1'b1;
    end
    tok_push = '0;
    tok_ovf = 1'b0;
    tok_ovf_q = '0;
    retire = '0;
    for (int unsigned q = 0; q < NQ; q++) begin
      ovf[q] = 1'b0;
      if (running && !r_empty[q] && (r_head[q].sync || done_cnt_q[q] != '0)) begin
        if (r_head[q].push_prev && q != 0 && tok_q[tok_push_prev(q)] == TokenBits'(TokMax) &&
            !tok_pop[tok_push_prev(q)]) begin
          ovf[q] = 1'b1;
        end
        if (r_head[q].push_next && q != 2 && tok_q[tok_push_next(q)] == TokenBits'(TokMax) &&
            !tok_pop[tok_push_next(q)]) begin
          ovf[q] = 1'b1;
        end
        if (ovf[q]) begin
          if (!tok_ovf) begin
            tok_ovf = 1'b1;
            tok_ovf_q = 2'(q);
          end
        end else begin
          retire[q] = 1'b1;
          if (r_head[q].push_prev && q != 0) tok_push[tok_push_prev(q)] = 1'b1;
          if (r_head[q].push_next && q != 2) tok_push[tok_push_next(q)] = 1'b1;
        end
      end
    end
  end

  always_comb begin
    raise = 1'b0;
    r_code = ErrNone;
    r_unit = UnitNone;
    r_insn = '0;
    r_info = '0;
    if (running) begin
      // A unit reported a failure of the instruction now at its retire front.
      for (int unsigned q = 0; q < NQ; q++) begin
        if (!raise && uerr_pend_q[q] && !r_empty[q] && !r_head[q].sync &&
            done_cnt_q[q] == '0) begin
          raise = 1'b1;
          r_code = uerr_code_q[q];
          r_unit = unit_of(q);
          r_insn = r_head[q].idx;
          r_info = uerr_info_q[q];
        end
      end
      if (!raise && tok_ovf) begin
        raise = 1'b1;
        r_code = ErrTokenOverflow;
        r_unit = unit_of(32'(tok_ovf_q));
        r_insn = r_head[tok_ovf_q].idx;
      end
      if (!raise && infl_q && beat && m_r_i.last && !burst_drop_q &&
          (burst_err_q || m_r_i.resp != NC_AXI_RESP_OKAY)) begin
        raise = 1'b1;
        r_code = ErrDmaBus;
        r_unit = UnitFetch;
        r_insn = burst_idx_q;
      end
      if (!raise && fvalid && (f_illegal || f_badsync || (f_finish && fchk.err != ErrNone))) begin
        raise = 1'b1;
        r_code = f_illegal ? ErrIllegalOpcode : fchk.err;
        r_unit = UnitFetch;
        r_insn = fhead.idx;
        r_info = f_illegal ? '0 : fchk.info;
      end
      if (!raise && !infl_q && !fvalid && fptr_q != ring_tail_i && f_tail_bad) begin
        raise = 1'b1;
        r_code = ErrRingConfig;
        r_unit = UnitFetch;
        r_insn = fptr_q;
      end
      // Queue heads, once dispatch has stopped (see the header).
      if (!raise && (!fvalid || f_blocked)) begin
        for (int unsigned q = 0; q < NQ; q++) begin
          if (!raise && !q_empty[q] && chk[q].err != ErrNone) begin
            raise = 1'b1;
            r_code = chk[q].err;
            r_unit = unit_of(q);
            r_insn = q_head[q].idx;
            r_info = chk[q].info;
          end
        end
      end
      if (!raise && dl_now && dl_q) begin
        raise = 1'b1;
        r_code = ErrDeadlock;
        r_unit = UnitFetch;
        r_insn = fhead.idx;
        for (int q = NQ - 1; q >= 0; q--) begin
          if (!q_empty[q]) r_insn = q_head[q].idx;
        end
      end
      if (!raise && wd_fire) begin
        raise = 1'b1;
        r_code = ErrWatchdog;
        r_unit = UnitFetch;
        r_insn = burst_idx_q;
        if (!infl_q) begin
          for (int q = NQ - 1; q >= 0; q--) begin
            if (!q_empty[q]) begin
              r_unit = unit_of(32'(q));
              r_insn = q_head[q].idx;
            end
          end
        end
        for (int q = NQ - 1; q >= 0; q--) begin
          if (!r_empty[q] && !r_head[q].sync) begin
            r_unit = unit_of(32'(q));
            r_insn = r_head[q].idx;
          end
        end
      end
    end
  end

  // Deadlock: everything waits on tokens and fetch is stuck behind it.
  always_comb begin
    dl_now = running && fvalid && f_blocked && !infl_q && units_idle && retire_empty;
    for (int unsigned q = 0; q < NQ; q++) begin
      if (!q_empty[q] && !(head_ok[q] && !tok_ok[q])) begin
        dl_now = 1'b0;
      end
    end
  end

  // Watchdog: work pending without progress.
  always_comb begin
    pending = running && (!(&q_empty) || !retire_empty || infl_q || !units_idle);
    progress = (|retire) || dispatch || (|issue) || (infl_q && beat) ||
               (|(unit_busy_i & ~unit_stall_i));
    wd_fire = pending && watchdog_i != '0 && !progress && wd_q + 32'd1 >= watchdog_i;
  end

  // ---------------------------------------------------------------------------------------------
  // Next state

  logic        busy_d, done_d, error_d;
  logic [7:0]  err_code_d;
  logic [3:0]  err_unit_d;
  logic [31:0] err_insn_d, err_info_d, head_d;
  logic        rst_pend_d, start_pend_d, srst_d;
  logic        stop;          // drop fetch, queues and retire state
  logic        evt_error, evt_done;
  logic        do_start;

  always_comb begin
    busy_d = busy_q;
    done_d = done_q;
    error_d = error_q;
    err_code_d = err_code_q;
    err_unit_d = err_unit_q;
    err_insn_d = err_insn_q;
    err_info_d = err_info_q;
    head_d = head_q;
    rst_pend_d = rst_pend_q;
    start_pend_d = start_pend_q;
    srst_d = 1'b0;
    stop = 1'b0;
    evt_error = 1'b0;
    evt_done = 1'b0;

    if (dispatch) begin
      head_d = wrap_inc(fhead.idx, ring_size_i);
    end
    if (finish_retire) begin
      head_d = wrap_inc(fhead.idx, ring_size_i);
      done_d = 1'b1;
      busy_d = 1'b0;
      evt_done = 1'b1;
      stop = 1'b1;
    end
    if (raise) begin
      if (!error_q) begin
        err_code_d = r_code;
        err_unit_d = r_unit;
        err_insn_d = r_insn;
        err_info_d = r_info;
      end
      error_d = 1'b1;
      busy_d = 1'b0;
      evt_error = 1'b1;
      stop = 1'b1;
    end

    // Soft reset of the units, once they are quiet (fetch drops its burst in flight, and an
    // abandoned one delays only the next fetch).
    if (rst_pend_q && units_idle) begin
      rst_pend_d = 1'b0;
      srst_d = 1'b1;
    end

    // CTRL: soft_reset, then halt, then start.
    if (ctrl_srst_i) begin
      busy_d = 1'b0;
      done_d = 1'b0;
      error_d = 1'b0;
      err_code_d = '0;
      err_unit_d = '0;
      err_insn_d = '0;
      err_info_d = '0;
      rst_pend_d = 1'b1;
      start_pend_d = 1'b0;
      srst_d = 1'b0;
      stop = 1'b1;
      evt_error = 1'b0;
      evt_done = 1'b0;
      head_d = head_q;  // a retirement this cycle is undone with the rest
      if (dispatch || finish_retire) begin
        head_d = wrap_inc(fhead.idx, ring_size_i);
      end
    end
    if (ctrl_halt_i) begin
      if (!error_d) begin
        err_code_d = ErrHalted;
        err_unit_d = UnitNone;
        err_insn_d = head_d;
        err_info_d = '0;
      end
      error_d = 1'b1;
      busy_d = 1'b0;
      evt_error = 1'b1;
      stop = 1'b1;
      start_pend_d = 1'b0;
    end
    do_start = 1'b0;
    if ((ctrl_start_i || (start_pend_q && !rst_pend_d)) && !busy_d && !error_d) begin
      if (rst_pend_d) begin
        start_pend_d = 1'b1;
      end else begin
        start_pend_d = 1'b0;
        done_d = 1'b0;
        if (ring_size_i == '0 || ring_base_i[3:0] != '0 || head_d >= ring_size_i ||
            ring_tail_i >= ring_size_i) begin
          err_code_d = ErrRingConfig;
          err_unit_d = UnitFetch;
          err_insn_d = head_d;
          err_info_d = '0;
          error_d = 1'b1;
          evt_error = 1'b1;
        end else begin
          busy_d = 1'b1;
          do_start = 1'b1;
        end
      end
    end
    if (head_we_i && !busy_q && !busy_d && !start_pend_q) begin
      head_d = head_wdata_i;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Fetch: next state

  logic [31:0]       arr_idx;    // its ring index (a burst never wraps the ring)
  logic              fb_push, fb_flush, head_write;
  entry_t            fb_in;
  assign arr_idx = burst_idx_q + 32'(burst_got_q);
  assign head_write = head_we_i && !busy_q && !busy_d && !start_pend_q;

  // An entry enters the fetch buffer as its beat lands, its large check worked out then (only
  // then, on fb_in.insn: on entry_data it ran every cycle; hw/rtl/README.md). Dispatch sees it
  // once its burst's last beat committed it; a dropped burst's entries are not kept, stop empties.
  assign fb_push = infl_q && beat && entry_done && burst_got_q < burst_n_q && !burst_drop_q;
  assign fb_flush = stop || do_start || head_write;
  always_comb begin
    fb_in = '{chk: '0, idx: arr_idx, insn: entry_data};
    if (fb_push) begin
      fb_in.chk = nc_insn_check(fb_in.insn);
    end
  end

  // Holds the committed entries (fb_cnt_q) and behind them those of the burst in flight.
  nc_fifo #(
    .Depth(FbDepth),
    .T    (entry_t)
  ) u_fetch_buf (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .flush_i(fb_flush),
    .push_i (fb_push),
    .data_i (fb_in),
    .pop_i  (dispatch),
    .data_o (fhead),
    /* verilator lint_off PINCONNECTEMPTY */
    .full_o (),   // bursts are sized to the room left (f_room)
    .empty_o(),   // fb_cnt_q counts what dispatch may see
    .count_o()
    /* verilator lint_on PINCONNECTEMPTY */
  );

  always_comb begin
    fptr_d = fptr_q;
    fb_cnt_d = fb_cnt_q;
    ar_pend_d = ar_pend_q && !m_arready_i;
    ar_d = ar_q;
    infl_d = infl_q;
    burst_idx_d = burst_idx_q;
    burst_n_d = burst_n_q;
    burst_got_d = burst_got_q;
    burst_err_d = burst_err_q;
    burst_drop_d = burst_drop_q;
    beat_d = beat_q;
    asm_d = asm_q;
    // AR
    if (f_issue && !stop && !raise) begin
      ar_pend_d = 1'b1;
      ar_d = '{burst: NC_AXI_BURST_INCR, size: 3'($clog2(BusBytes)),
               len: 8'(f_n * BeatsPerEntry - 1), addr: f_addr};
      infl_d = 1'b1;
      burst_idx_d = fptr_q;
      burst_n_d = (FbBits + 1)'(f_n);
      burst_got_d = '0;
      burst_err_d = 1'b0;
      burst_drop_d = 1'b0;
      beat_d = '0;
      fptr_d = (fptr_q + f_n >= ring_size_i) ? fptr_q + f_n - ring_size_i : fptr_q + f_n;
    end
    // R
    if (infl_q && beat) begin
      if (m_r_i.resp != NC_AXI_RESP_OKAY) begin
        burst_err_d = 1'b1;
      end
      beat_d = entry_done ? '0 : beat_q + 1'b1;
      asm_d = entry_data;
      if (entry_done && burst_got_q < burst_n_q) begin
        burst_got_d = burst_got_q + 1'b1;
      end
      if (m_r_i.last) begin
        infl_d = 1'b0;
      end
    end
    // Dispatch pops the buffer; a clean last beat commits the burst.
    if (dispatch) begin
      fb_cnt_d = fb_cnt_d - 1'b1;
    end
    if (infl_q && beat && m_r_i.last && !burst_drop_q && !burst_err_q &&
        m_r_i.resp == NC_AXI_RESP_OKAY && !stop) begin
      fb_cnt_d = fb_cnt_d + burst_n_q;
    end
    // Stopping (FINISH, error, soft reset) drops what fetch holds and re-fetches from HEAD.
    if (stop) begin
      fb_cnt_d = '0;
      fptr_d = head_d;
      if (infl_q && !(beat && m_r_i.last)) begin
        burst_drop_d = 1'b1;
      end
    end
    if (do_start || head_write) begin
      fptr_d = head_d;
      fb_cnt_d = '0;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Queues, retirement and tokens: next state

  logic [NQ-1:0]        q_push;             // dispatch into queue q
  logic [NQ-1:0][RBits:0]    done_cnt_n;  // done_cnt_d unless stopping
  logic [3:0][TokenBits-1:0] tok_n;       // tok_d unless a soft reset

  always_comb begin
    done_cnt_n = done_cnt_q;
    uerr_code_d = uerr_code_q;
    uerr_info_d = uerr_info_q;
    for (int unsigned q = 0; q < NQ; q++) begin
      q_push[q] = dispatch && fq == 2'(q);
      if (unit_done_i[q] && running) begin
        done_cnt_n[q] = done_cnt_n[q] + 1'b1;
      end
      if (retire[q] && !r_head[q].sync) begin
        done_cnt_n[q] = done_cnt_n[q] - 1'b1;
      end
      if (unit_err_i[q] && running && !uerr_pend_q[q]) begin
        uerr_code_d[q] = unit_err_code_i[q];
        uerr_info_d[q] = unit_err_info_i[q];
      end
    end
    tok_n = tok_q;
    for (int unsigned t = 0; t < 4; t++) begin
      if (tok_pop[t] != (tok_push[t] && !raise)) begin
        tok_n[t] = tok_pop[t] ? tok_q[t] - 1'b1 : tok_q[t] + 1'b1;
      end
    end
  end

  // Stopping and soft reset apart: they follow the register bus within the cycle, and the
  // Verilated model evaluates what depends on nc_top's inputs twice per cycle (hw/rtl/README.md).
  always_comb begin
    done_cnt_d = stop ? '0 : done_cnt_n;
    uerr_pend_d = stop ? '0 : uerr_pend_q | (unit_err_i & {NQ{running}});
    tok_d = ctrl_srst_i ? '0 : tok_n;
  end

  // One instruction queue and one retire FIFO per unit; stopping (FINISH, error, soft reset)
  // empties them.
  for (genvar q = 0; q < NQ; q++) begin : g_queue
    nc_fifo #(
      .Depth(QueueDepth),
      .T    (entry_t)
    ) u_insn_fifo (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .flush_i(stop),
      .push_i (q_push[q]),
      .data_i (fhead),
      .pop_i  (issue[q]),
      .data_o (q_head[q]),
      .full_o (q_full[q]),
      .empty_o(q_empty[q]),
      /* verilator lint_off PINCONNECTEMPTY */
      .count_o()  // not needed
      /* verilator lint_on PINCONNECTEMPTY */
    );

    // Issued instructions: push flags and ring index, until the unit reports them done.
    nc_fifo #(
      .Depth(RetireDepth),
      .T    (ret_t)
    ) u_retire_fifo (
      .clk_i  (clk_i),
      .rst_ni (rst_ni),
      .flush_i(stop),
      .push_i (issue[q]),
      .data_i (r_in[q]),
      .pop_i  (retire[q]),
      .data_o (r_head[q]),
      .full_o (r_full[q]),
      .empty_o(r_empty[q]),
      /* verilator lint_off PINCONNECTEMPTY */
      .count_o()  // not needed
      /* verilator lint_on PINCONNECTEMPTY */
    );
  end

  // ---------------------------------------------------------------------------------------------
  // Registers

  always_comb begin
    cflush_d = srst_q || (cflush_q && !unit_idle_i[1] && !(cmd_valid_o[1] && cmd_ready_i[1]));
    dl_d = dl_now && !raise;
    wd_d = (!pending || progress) ? '0 : (wd_q == '1 ? wd_q : wd_q + 32'd1);
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      busy_q <= 1'b0;
      done_q <= 1'b0;
      error_q <= 1'b0;
      err_code_q <= '0;
      err_unit_q <= '0;
      err_insn_q <= '0;
      err_info_q <= '0;
      head_q <= '0;
      rst_pend_q <= 1'b0;
      start_pend_q <= 1'b0;
      srst_q <= 1'b0;
      cflush_q <= 1'b0;
      fptr_q <= '0;
      fb_cnt_q <= '0;
      ar_pend_q <= 1'b0;
      ar_q <= '0;
      infl_q <= 1'b0;
      burst_idx_q <= '0;
      burst_n_q <= '0;
      burst_got_q <= '0;
      burst_err_q <= 1'b0;
      burst_drop_q <= 1'b0;
      beat_q <= '0;
      asm_q <= '0;
      done_cnt_q <= '0;
      uerr_pend_q <= '0;
      uerr_code_q <= '0;
      uerr_info_q <= '0;
      tok_q <= '0;
      dl_q <= 1'b0;
      wd_q <= '0;
    end else begin
      busy_q <= busy_d;
      done_q <= done_d;
      error_q <= error_d;
      err_code_q <= err_code_d;
      err_unit_q <= err_unit_d;
      err_insn_q <= err_insn_d;
      err_info_q <= err_info_d;
      head_q <= head_d;
      rst_pend_q <= rst_pend_d;
      start_pend_q <= start_pend_d;
      srst_q <= srst_d;
      cflush_q <= cflush_d;
      fptr_q <= fptr_d;
      fb_cnt_q <= fb_cnt_d;
      ar_pend_q <= ar_pend_d;
      ar_q <= ar_d;
      infl_q <= infl_d;
      burst_idx_q <= burst_idx_d;
      burst_n_q <= burst_n_d;
      burst_got_q <= burst_got_d;
      burst_err_q <= burst_err_d;
      burst_drop_q <= burst_drop_d;
      beat_q <= beat_d;
      asm_q <= asm_d;
      done_cnt_q <= done_cnt_d;
      uerr_pend_q <= uerr_pend_d;
      uerr_code_q <= uerr_code_d;
      uerr_info_q <= uerr_info_d;
      tok_q <= tok_d;
      dl_q <= dl_d;
      wd_q <= wd_d;
    end
  end

  // ---------------------------------------------------------------------------------------------
  // Outputs

  assign ring_head_o = head_q;
  assign busy_o = busy_q || start_pend_q;
  assign done_o = done_q;
  assign error_o = error_q;
  assign fetch_busy_o = (infl_q && !burst_drop_q) || fb_cnt_q != '0;
  assign err_code_o = err_code_q;
  assign err_unit_o = err_unit_q;
  assign err_insn_o = err_insn_q;
  assign err_info_o = err_info_q;
  assign evt_done_o = evt_done;
  assign evt_error_o = evt_error;
  // Held through the srst cycle too: a unit is idle only under halt (its stopped state is
  // left by srst, not by halt falling).
  assign units_halt_o = error_q || rst_pend_q || srst_q || (|uerr_pend_q);
  assign units_srst_o = srst_q;
  assign units_abort_o = rst_pend_q;

  assign evt_retired_o = 3'(retire[0]) + 3'(retire[1]) + 3'(retire[2]) + 3'(finish_retire);
  // As whole vectors (see head_go). The compute unit's flush after a soft reset is not work.
  assign unit_busy_o = ~q_empty | ~r_empty | ~unit_idle_i;
  assign perf_busy_o = unit_busy_i & ~(NQ'(cflush_q) << 1);
  assign perf_stall_o = unit_stall_i | ({NQ{running}} & head_ok & ~tok_ok);

  // ---------------------------------------------------------------------------------------------
  // Trace: the issues and retirements of each edge, registered, for a harness that records the
  // schedule (sim/rtl/harness.cpp). A queue retires in issue order, so an issue's ring index
  // and opcode identify the retirement that follows it. A retirement undone by an error or a
  // soft reset in the same cycle is not reported; the flush says the rest was dropped.

  logic [2:0]                 trc_issue_q, trc_retire_q;
  logic [2:0][31:0]           trc_idx_q;
  logic [2:0][3:0]            trc_op_q;
  logic                       trc_finish_q, trc_flush_q;
  logic [31:0]                trc_fidx_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      trc_issue_q <= '0;
      trc_retire_q <= '0;
      trc_idx_q <= '0;
      trc_op_q <= '0;
      trc_finish_q <= 1'b0;
      trc_flush_q <= 1'b0;
      trc_fidx_q <= '0;
    end else begin
      trc_issue_q <= issue & {NQ{!stop}};
      trc_retire_q <= retire & {NQ{!stop || finish_retire}};
      // Loaded only with their event: an entry is read from its queue only when it issues.
      for (int unsigned q = 0; q < NQ; q++) begin
        if (issue[q]) begin
          trc_idx_q[q] <= q_head[q].idx;
          trc_op_q[q] <= q_head[q].insn[3:0];
        end
      end
      trc_finish_q <= finish_retire;
      if (finish_retire) trc_fidx_q <= fhead.idx;
      trc_flush_q <= stop && !finish_retire;
    end
  end

  assign trace_issue_o = trc_issue_q;
  assign trace_issue_idx_o = trc_idx_q;
  assign trace_issue_op_o = trc_op_q;
  assign trace_retire_o = trc_retire_q;
  assign trace_finish_o = trc_finish_q;
  assign trace_finish_idx_o = trc_fidx_q;
  assign trace_flush_o = trc_flush_q;

`ifndef NC_NO_ASSERT
  logic ar_moved;
  nc_hold_watch #(.Width($bits(nc_axi_ar_t))) u_ar_hold (
    .clk_i, .rst_ni, .offer_i(m_arvalid_o && !m_arready_i), .excuse_i(1'b0),
    .valid_i(m_arvalid_o), .data_i(m_ar_o), .moved_o(ar_moved)
  );
  a_ar_hold: assert property (@(posedge clk_i) disable iff (!rst_ni) !ar_moved)
    else $error("nc_cmd_proc: AR withdrawn or changed before it was taken");
  a_no_beat_idle: assert property (@(posedge clk_i) disable iff (!rst_ni)
      m_rvalid_i |-> infl_q)
    else $error("nc_cmd_proc: an R beat with no burst outstanding");
  a_fb_bound: assert property (@(posedge clk_i) disable iff (!rst_ni)
      32'(fb_cnt_q) <= FbDepth)
    else $error("nc_cmd_proc: fetch buffer overflow");
  a_cmd_needs_tokens: assert property (@(posedge clk_i) disable iff (!rst_ni)
      |cmd_valid_o |-> running)
    else $error("nc_cmd_proc: a command while not running");
  // `units_srst_o |-> units_idle`, with the consequent worked out only in a soft-reset cycle
  // (hw/rtl/README.md, "Cheap assertions").
  logic srst_busy;
  nc_implies u_srst_busy (.if_i(units_srst_o), .then_i(units_idle), .bad_o(srst_busy));
  a_srst_idle: assert property (@(posedge clk_i) disable iff (!rst_ni) !srst_busy)
    else $error("nc_cmd_proc: unit soft reset while a unit is busy");
  a_srst_halted: assert property (@(posedge clk_i) disable iff (!rst_ni)
      units_srst_o |-> $past(units_halt_o))
    else $error("nc_cmd_proc: unit soft reset without a halt before it");
  // `m_arvalid_o |-> rule`, the rule worked out only when m_arvalid_o holds
  // (hw/rtl/README.md, "Cheap assertions").
  logic ar_bad;
  nc_implies u_ar_bad (
    .if_i  (m_arvalid_o),
    .then_i((32'(m_ar_o.addr[11:0]) + (32'(m_ar_o.len) + 1) * BusBytes) <= 4096),
    .bad_o (ar_bad)
  );
  a_4k: assert property (@(posedge clk_i) disable iff (!rst_ni) !ar_bad)
    else $error("nc_cmd_proc: fetch burst crosses a 4 KiB boundary");
`endif

`ifdef NC_COVER
  // Functional cover points (regress/testplan.md names the feature and tests of each). Built
  // only with +define+NC_COVER (the coverage build, verilator --coverage); the plain model
  // never sees them.
  // LOAD issued to the load unit
  cp_issue_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[0] && trc_op_q[0] == OpLoad);
  // LOAD_CFG issued
  cp_issue_load_cfg: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[0] && trc_op_q[0] == OpLoadCfg);
  // GEMM issued
  cp_issue_gemm: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[1] && trc_op_q[1] == OpGemm);
  // DWCONV issued
  cp_issue_dwconv: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[1] && trc_op_q[1] == OpDwconv);
  // STORE issued
  cp_issue_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[2] && trc_op_q[2] == OpStore);
  // STORE_CFG issued
  cp_issue_store_cfg: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[2] && trc_op_q[2] == OpStoreCfg);
  // LOAD_PARAM issued
  cp_issue_load_param: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[2] && trc_op_q[2] == OpLoadParam);
  // SYNC issued on the load queue
  cp_issue_sync_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[0] && trc_op_q[0] == OpSync);
  // SYNC on the compute queue
  cp_issue_sync_compute: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[1] && trc_op_q[1] == OpSync);
  // SYNC on the store queue
  cp_issue_sync_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_issue_q[2] && trc_op_q[2] == OpSync);
  // the load queue retired an instruction
  cp_retire_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_retire_q[0]);
  // the compute queue retired an instruction
  cp_retire_compute: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_retire_q[1]);
  // the store queue retired an instruction
  cp_retire_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_retire_q[2]);
  // two queues retired in the same cycle
  cp_retire_two: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_retire_q[0] + trc_retire_q[1] + trc_retire_q[2] >= 2'd2);
  // FINISH retired (STATUS.done)
  cp_finish: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_finish_q);
  // START again after a FINISH
  cp_finish_restart: cover property (@(posedge clk_i) disable iff (!rst_ni)
      busy_q && $past(done_q) && !done_q);
  // an error or soft reset dropped issued, unretired work
  cp_flush: cover property (@(posedge clk_i) disable iff (!rst_ni)
      trc_flush_q);
  // GEMM pops a load->compute token
  cp_tok_pop_l2c: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_pop[TokL2C]);
  // LOAD pops a compute->load token
  cp_tok_pop_c2l: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_pop[TokC2L]);
  // STORE pops a compute->store token
  cp_tok_pop_c2s: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_pop[TokC2S]);
  // GEMM pops a store->compute token
  cp_tok_pop_s2c: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_pop[TokS2C]);
  // LOAD retires, pushing load->compute
  cp_tok_push_l2c: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_push[TokL2C]);
  // GEMM retires, pushing compute->load
  cp_tok_push_c2l: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_push[TokC2L]);
  // GEMM retires, pushing compute->store
  cp_tok_push_c2s: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_push[TokC2S]);
  // STORE retires, pushing store->compute
  cp_tok_push_s2c: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_push[TokS2C]);
  // a counter popped and pushed in one cycle
  cp_tok_pop_push: cover property (@(posedge clk_i) disable iff (!rst_ni)
      |(tok_pop & tok_push));
  // the load queue's head waits for a token
  cp_tok_wait_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      running && head_ok[0] && !tok_ok[0]);
  // the compute queue's head waits for a token
  cp_tok_wait_compute: cover property (@(posedge clk_i) disable iff (!rst_ni)
      running && head_ok[1] && !tok_ok[1]);
  // the store queue's head waits for a token
  cp_tok_wait_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      running && head_ok[2] && !tok_ok[2]);
  // several tokens in flight on one counter
  cp_tok_depth: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_q[0] >= 2 || tok_q[1] >= 2 || tok_q[2] >= 2 || tok_q[3] >= 2);
  // a counter at its maximum
  cp_tok_max: cover property (@(posedge clk_i) disable iff (!rst_ni)
      tok_q[0] == TokenBits'(TokMax) || tok_q[1] == TokenBits'(TokMax) ||
      tok_q[2] == TokenBits'(TokMax) || tok_q[3] == TokenBits'(TokMax));
  // tokens left over at FINISH
  cp_tok_left_at_finish: cover property (@(posedge clk_i) disable iff (!rst_ni)
      finish_retire && tok_q != '0);
  // the load instruction queue full
  cp_q_full_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      q_full[0]);
  // the compute instruction queue full
  cp_q_full_compute: cover property (@(posedge clk_i) disable iff (!rst_ni)
      q_full[1]);
  // the store instruction queue full
  cp_q_full_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      q_full[2]);
  // queues empty while a unit works
  cp_q_all_empty_busy: cover property (@(posedge clk_i) disable iff (!rst_ni)
      running && (&q_empty) && !units_idle);
  // dispatch waits for room in a full queue
  cp_fetch_blocked: cover property (@(posedge clk_i) disable iff (!rst_ni)
      running && f_blocked && !f_finish);
  // FINISH waits for the queues to drain
  cp_fetch_finish_wait: cover property (@(posedge clk_i) disable iff (!rst_ni)
      running && f_blocked && f_finish);
  // a fetch burst requested while entries wait
  cp_fetch_refill: cover property (@(posedge clk_i) disable iff (!rst_ni)
      ar_pend_q && fb_cnt_q != '0);
  // a fetch burst cut at a 4 KiB boundary
  cp_fetch_4k: cover property (@(posedge clk_i) disable iff (!rst_ni)
      f_issue && f_to4k < 32'(MaxEntriesPerBurst) && f_to4k < f_avail);
  // fetch reads the ring's end, then wraps to its start
  cp_fetch_ring_wrap: cover property (@(posedge clk_i) disable iff (!rst_ni)
      f_issue && ring_tail_i < fptr_q);
  // fetch stopped while a burst was in flight: its beats dropped
  cp_fetch_drop: cover property (@(posedge clk_i) disable iff (!rst_ni)
      burst_drop_q);
  // RING_HEAD written while idle
  cp_head_write: cover property (@(posedge clk_i) disable iff (!rst_ni)
      head_we_i && !busy_q && !start_pend_q);
  // error: illegal_opcode
  cp_err_illegal_opcode: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrIllegalOpcode);
  // error: illegal_dep
  cp_err_illegal_dep: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrIllegalDep);
  // error: field_range
  cp_err_field_range: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrFieldRange);
  // error: dma_window
  cp_err_dma_window: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDmaWindow);
  // error: dma_bus
  cp_err_dma_bus: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDmaBus);
  // error: ring_config
  cp_err_ring_config: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrRingConfig);
  // error: token_overflow
  cp_err_token_overflow: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrTokenOverflow);
  // error: deadlock
  cp_err_deadlock: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDeadlock);
  // error: watchdog
  cp_err_watchdog: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrWatchdog);
  // error: halted (CTRL.halt)
  cp_err_halted: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrHalted);
  // dma_bus on an instruction fetch
  cp_err_dma_bus_fetch: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDmaBus && err_unit_q == UnitFetch);
  // dma_bus on a LOAD
  cp_err_dma_bus_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDmaBus && err_unit_q == UnitLoad);
  // dma_bus on a STORE or LOAD_PARAM
  cp_err_dma_bus_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDmaBus && err_unit_q == UnitStore);
  // dma_window on a LOAD
  cp_err_dma_window_load: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDmaWindow && err_unit_q == UnitLoad);
  // dma_window on a STORE or LOAD_PARAM
  cp_err_dma_window_store: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrDmaWindow && err_unit_q == UnitStore);
  // watchdog while fetch waits for memory
  cp_err_watchdog_fetch: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrWatchdog && err_unit_q == UnitFetch);
  // watchdog blamed on a unit
  cp_err_watchdog_unit: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && !$past(error_q) && err_code_q == ErrWatchdog && err_unit_q != UnitFetch);
  // (CTRL.halt is the only one there can be: the checks that raise need a running device)
  // another error while in error: the first one is kept (CTRL.halt on a device in error)
  cp_err_second: cover property (@(posedge clk_i) disable iff (!rst_ni)
      error_q && ctrl_halt_i && !ctrl_srst_i);
  // soft reset of an idle device
  cp_soft_reset_idle: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rst_pend_q && !$past(rst_pend_q) && !$past(busy_q) && !$past(error_q));
  // soft reset while running
  cp_soft_reset_busy: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rst_pend_q && !$past(rst_pend_q) && $past(busy_q));
  // soft reset after an error
  cp_soft_reset_error: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rst_pend_q && !$past(rst_pend_q) && $past(error_q));
  // the soft reset waits for (aborting) units
  cp_soft_reset_wait: cover property (@(posedge clk_i) disable iff (!rst_ni)
      rst_pend_q && !units_idle);
  // START written while a soft reset waits
  cp_start_in_reset: cover property (@(posedge clk_i) disable iff (!rst_ni)
      start_pend_q);
`endif

endmodule
