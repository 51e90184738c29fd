// Control and status registers of docs/isa.md on the register bus of hw/rtl/README.md.
//
// One request per cycle, always accepted; read data is registered and valid with csr_rvalid_o in
// the cycle after the read. Every offset, field and reset value comes from nc_pkg (generated).
// Access types: ro reads state; rw stores (RING_BASE, RING_SIZE ignore writes while busy;
// RING_HEAD goes to the command processor, which ignores it while busy; a performance counter's
// write presets it); wo acts on a write of 1
// and reads 0 (CTRL, INTR_TEST, PERF_CTRL.clear); rw1c clears on a write of 1 (INTR_STATE).
// Reading a 64-bit counter's _LO snapshots its _HI, so _LO then _HI is one consistent value.
// CTRL.soft_reset clears INTR_STATE here (the command processor resets the rest); configuration
// registers and the performance counters keep their values.
module nc_csr
  import nc_pkg::*;
#(
  parameter int unsigned MacsPerVector = Rows * Cols  // PERF_MACS per vector of the array
) (
  input  logic                   clk_i,           // clock
  // Assertions sample the reset in `disable iff`; the logic uses it only asynchronously.
  /* verilator lint_off SYNCASYNCNET */
  input  logic                   rst_ni,          // asynchronous reset, active low
  /* verilator lint_on SYNCASYNCNET */
  // Register bus
  input  logic                   csr_req_i,       // request this cycle
  input  logic                   csr_we_i,        // 1 write, 0 read
  input  logic [CsrAddrBits-1:0] csr_addr_i,      // byte offset (low 2 bits ignored)
  input  logic [31:0]            csr_wdata_i,     // write data
  output logic                   csr_rvalid_o,    // read data valid (cycle after the read)
  output logic [31:0]            csr_rdata_o,     // read data
  output logic                   irq_o,           // (INTR_STATE & INTR_ENABLE) != 0
  // To the command processor and the DMA units
  output logic                   ctrl_start_o,    // CTRL.start written 1
  output logic                   ctrl_halt_o,     // CTRL.halt written 1
  output logic                   ctrl_srst_o,     // CTRL.soft_reset written 1
  output logic [AxiAddrBits-1:0] ring_base_o,     // RING_BASE
  output logic [31:0]            ring_size_o,     // RING_SIZE
  output logic [31:0]            ring_tail_o,     // RING_TAIL
  output logic                   head_we_o,       // RING_HEAD written
  output logic [31:0]            head_wdata_o,    // the value
  output logic [31:0]            watchdog_o,      // WATCHDOG
  output logic [AxiAddrBits-1:0] win_base_o,      // WIN_BASE
  output logic [31:0]            win_size_o,      // WIN_SIZE
  // From the command processor
  input  logic [31:0]            ring_head_i,     // RING_HEAD
  input  logic                   busy_i,          // STATUS.busy
  input  logic                   done_i,          // STATUS.done
  input  logic                   error_i,         // STATUS.error
  input  logic                   fetch_busy_i,    // STATUS.fetch_busy
  input  logic [2:0]             unit_busy_i,     // STATUS.{store,compute,load}_busy
  input  logic [7:0]             err_code_i,      // ERR_CODE.code
  input  logic [3:0]             err_unit_i,      // ERR_CODE.unit
  input  logic [31:0]            err_insn_i,      // ERR_INSN
  input  logic [31:0]            err_info_i,      // ERR_INFO
  input  logic                   evt_done_i,      // pulse: set INTR_STATE.done
  input  logic                   evt_error_i,     // pulse: set INTR_STATE.error
  input  logic [2:0]             evt_retired_i,   // instructions retired this cycle
  input  logic [2:0]             perf_busy_i,     // per unit (load, compute, store)
  input  logic [2:0]             perf_stall_i,    // per unit
  // Performance events from the data path
  input  logic                   perf_vector_i,   // a vector entered the array
  input  logic [15:0]            perf_rd_bytes_i, // bytes read from memory this cycle
  input  logic [15:0]            perf_wr_bytes_i  // bytes written this cycle
);

  localparam int unsigned AW = CsrAddrBits;

  // ---------------------------------------------------------------------------------------------
  // Decode

  logic [AW-1:0] addr;
  logic          wr, rd;
  assign addr = {csr_addr_i[AW-1:2], 2'b00};
  assign wr = csr_req_i && csr_we_i;
  assign rd = csr_req_i && !csr_we_i;
  // Registers are word-aligned: the byte offset's low bits select nothing.
  logic unused_addr_lsbs;
  assign unused_addr_lsbs = ^csr_addr_i[1:0];

  // Register selects compare addr with AW'(offset) in place: with --coverage, Verilator 5.006
  // counts the branch of an `if` on a function call's result before it computes the call, so
  // the taken arm of every `if (hit(...))` read 0 however often it ran.

  // ---------------------------------------------------------------------------------------------
  // Registers

  logic [63:0] ring_base_q, win_base_q;
  logic [31:0] ring_size_q, ring_tail_q, win_size_q, watchdog_q;
  logic [1:0]  intr_state_q, intr_enable_q;
  logic        perf_en_q;
  logic [63:0] cyc_q, macs_q, rdb_q, wrb_q;
  logic [31:0] cyc_hi_q, macs_hi_q, rdb_hi_q, wrb_hi_q;
  logic [2:0][31:0] ubusy_q, ustall_q;
  logic [31:0] insns_q;

  logic        ctrl_wr, perf_clear;
  assign ctrl_wr = wr && (addr == AW'(NC_CSR_CTRL_OFFSET));
  assign ctrl_start_o = ctrl_wr && csr_wdata_i[NC_CSR_CTRL_START_LSB];
  assign ctrl_halt_o = ctrl_wr && csr_wdata_i[NC_CSR_CTRL_HALT_LSB];
  assign ctrl_srst_o = ctrl_wr && csr_wdata_i[NC_CSR_CTRL_SOFT_RESET_LSB];
  assign head_we_o = wr && (addr == AW'(NC_CSR_RING_HEAD_OFFSET));
  assign head_wdata_o = csr_wdata_i;
  assign perf_clear = wr && (addr == AW'(NC_CSR_PERF_CTRL_OFFSET)) &&
                      csr_wdata_i[NC_CSR_PERF_CTRL_CLEAR_LSB];

  localparam logic [1:0] IntrDone = 2'(1 << NC_CSR_INTR_STATE_DONE_LSB);
  localparam logic [1:0] IntrError = 2'(1 << NC_CSR_INTR_STATE_ERROR_LSB);

  logic [1:0] intr_d;
  always_comb begin
    intr_d = intr_state_q;
    if (wr && (addr == AW'(NC_CSR_INTR_STATE_OFFSET))) begin
      intr_d = intr_d & ~csr_wdata_i[1:0];
    end
    if (ctrl_srst_o) begin
      intr_d = '0;
    end
    if (wr && (addr == AW'(NC_CSR_INTR_TEST_OFFSET))) begin
      intr_d = intr_d | csr_wdata_i[1:0];
    end
    if (evt_done_i) begin
      intr_d = intr_d | IntrDone;
    end
    if (evt_error_i) begin
      intr_d = intr_d | IntrError;
    end
  end

  // Read multiplexer; _LO reads also snapshot _HI.
  logic [31:0] rdata;
  nc_csr_status_t status;
  always_comb begin
    status = '0;
    status.busy = busy_i;
    status.done = done_i;
    status.error = error_i;
    status.fetch_busy = fetch_busy_i;
    status.load_busy = unit_busy_i[0];
    status.compute_busy = unit_busy_i[1];
    status.store_busy = unit_busy_i[2];
    rdata = '0;
    // A case on the address value (not a one-hot case on 40 comparisons): one switch in the
    // Verilated model, which evaluates this block twice a cycle.
    case (addr)
      AW'(NC_CSR_ID_OFFSET): rdata = NC_CSR_ID_RESVAL;
      AW'(NC_CSR_VERSION_OFFSET): rdata = NC_CSR_VERSION_RESVAL;
      AW'(NC_CSR_HWCFG0_OFFSET): rdata = NC_CSR_HWCFG0_RESVAL;
      AW'(NC_CSR_HWCFG1_OFFSET): rdata = NC_CSR_HWCFG1_RESVAL;
      AW'(NC_CSR_HWCFG2_OFFSET): rdata = NC_CSR_HWCFG2_RESVAL;
      AW'(NC_CSR_STATUS_OFFSET): rdata = 32'(status);
      AW'(NC_CSR_ERR_CODE_OFFSET): begin
        rdata[NC_CSR_ERR_CODE_CODE_LSB +: NC_CSR_ERR_CODE_CODE_WIDTH] = err_code_i;
        rdata[NC_CSR_ERR_CODE_UNIT_LSB +: NC_CSR_ERR_CODE_UNIT_WIDTH] = err_unit_i;
      end
      AW'(NC_CSR_ERR_INSN_OFFSET): rdata = err_insn_i;
      AW'(NC_CSR_ERR_INFO_OFFSET): rdata = err_info_i;
      AW'(NC_CSR_INTR_STATE_OFFSET): rdata = 32'(intr_state_q);
      AW'(NC_CSR_INTR_ENABLE_OFFSET): rdata = 32'(intr_enable_q);
      AW'(NC_CSR_RING_BASE_LO_OFFSET): rdata = ring_base_q[31:0];
      AW'(NC_CSR_RING_BASE_HI_OFFSET): rdata = ring_base_q[63:32];
      AW'(NC_CSR_RING_SIZE_OFFSET): rdata = ring_size_q;
      AW'(NC_CSR_RING_HEAD_OFFSET): rdata = ring_head_i;
      AW'(NC_CSR_RING_TAIL_OFFSET): rdata = ring_tail_q;
      AW'(NC_CSR_WIN_BASE_LO_OFFSET): rdata = win_base_q[31:0];
      AW'(NC_CSR_WIN_BASE_HI_OFFSET): rdata = win_base_q[63:32];
      AW'(NC_CSR_WIN_SIZE_OFFSET): rdata = win_size_q;
      AW'(NC_CSR_WATCHDOG_OFFSET): rdata = watchdog_q;
      AW'(NC_CSR_PERF_CTRL_OFFSET): rdata = 32'(perf_en_q) << NC_CSR_PERF_CTRL_ENABLE_LSB;
      AW'(NC_CSR_PERF_CYCLES_LO_OFFSET): rdata = cyc_q[31:0];
      AW'(NC_CSR_PERF_CYCLES_HI_OFFSET): rdata = cyc_hi_q;
      AW'(NC_CSR_PERF_LOAD_BUSY_OFFSET): rdata = ubusy_q[0];
      AW'(NC_CSR_PERF_LOAD_STALL_OFFSET): rdata = ustall_q[0];
      AW'(NC_CSR_PERF_COMPUTE_BUSY_OFFSET): rdata = ubusy_q[1];
      AW'(NC_CSR_PERF_COMPUTE_STALL_OFFSET): rdata = ustall_q[1];
      AW'(NC_CSR_PERF_STORE_BUSY_OFFSET): rdata = ubusy_q[2];
      AW'(NC_CSR_PERF_STORE_STALL_OFFSET): rdata = ustall_q[2];
      AW'(NC_CSR_PERF_MACS_LO_OFFSET): rdata = macs_q[31:0];
      AW'(NC_CSR_PERF_MACS_HI_OFFSET): rdata = macs_hi_q;
      AW'(NC_CSR_PERF_RD_BYTES_LO_OFFSET): rdata = rdb_q[31:0];
      AW'(NC_CSR_PERF_RD_BYTES_HI_OFFSET): rdata = rdb_hi_q;
      AW'(NC_CSR_PERF_WR_BYTES_LO_OFFSET): rdata = wrb_q[31:0];
      AW'(NC_CSR_PERF_WR_BYTES_HI_OFFSET): rdata = wrb_hi_q;
      AW'(NC_CSR_PERF_INSNS_OFFSET): rdata = insns_q;
      default: rdata = '0;  // CTRL and INTR_TEST are write-only; the rest is unmapped
    endcase
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ring_base_q <= '0;
      ring_size_q <= NC_CSR_RING_SIZE_RESVAL;
      ring_tail_q <= NC_CSR_RING_TAIL_RESVAL;
      win_base_q <= '0;
      win_size_q <= NC_CSR_WIN_SIZE_RESVAL;
      watchdog_q <= NC_CSR_WATCHDOG_RESVAL;
      intr_state_q <= '0;
      intr_enable_q <= '0;
      perf_en_q <= NC_CSR_PERF_CTRL_RESVAL[NC_CSR_PERF_CTRL_ENABLE_LSB];
      cyc_q <= '0;
      macs_q <= '0;
      rdb_q <= '0;
      wrb_q <= '0;
      cyc_hi_q <= '0;
      macs_hi_q <= '0;
      rdb_hi_q <= '0;
      wrb_hi_q <= '0;
      ubusy_q <= '0;
      ustall_q <= '0;
      insns_q <= '0;
      csr_rvalid_o <= 1'b0;
      csr_rdata_o <= '0;
    end else begin
      csr_rvalid_o <= rd;
      if (rd) begin
        csr_rdata_o <= rdata;
        if ((addr == AW'(NC_CSR_PERF_CYCLES_LO_OFFSET))) cyc_hi_q <= cyc_q[63:32];
        if ((addr == AW'(NC_CSR_PERF_MACS_LO_OFFSET))) macs_hi_q <= macs_q[63:32];
        if ((addr == AW'(NC_CSR_PERF_RD_BYTES_LO_OFFSET))) rdb_hi_q <= rdb_q[63:32];
        if ((addr == AW'(NC_CSR_PERF_WR_BYTES_LO_OFFSET))) wrb_hi_q <= wrb_q[63:32];
      end
      intr_state_q <= intr_d;
      if (wr) begin
        // The ring's place and size change only while the device is not running.
        if ((addr == AW'(NC_CSR_RING_BASE_LO_OFFSET)) && !busy_i) ring_base_q[31:0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_RING_BASE_HI_OFFSET)) && !busy_i) ring_base_q[63:32] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_RING_SIZE_OFFSET)) && !busy_i) ring_size_q <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_RING_TAIL_OFFSET))) ring_tail_q <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_WIN_BASE_LO_OFFSET))) win_base_q[31:0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_WIN_BASE_HI_OFFSET))) win_base_q[63:32] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_WIN_SIZE_OFFSET))) win_size_q <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_WATCHDOG_OFFSET))) watchdog_q <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_INTR_ENABLE_OFFSET))) intr_enable_q <= csr_wdata_i[1:0];
        if ((addr == AW'(NC_CSR_PERF_CTRL_OFFSET))) begin
          perf_en_q <= csr_wdata_i[NC_CSR_PERF_CTRL_ENABLE_LSB];
        end
      end
      // Counters: clear wins over counting in the same cycle.
      if (perf_clear) begin
        cyc_q <= '0;
        macs_q <= '0;
        rdb_q <= '0;
        wrb_q <= '0;
        ubusy_q <= '0;
        ustall_q <= '0;
        insns_q <= '0;
      end else if (perf_en_q) begin
        if (busy_i) begin
          cyc_q <= cyc_q + 64'd1;
          for (int unsigned u = 0; u < 3; u++) begin
            ubusy_q[u] <= ubusy_q[u] + 32'(perf_busy_i[u]);
            ustall_q[u] <= ustall_q[u] + 32'(perf_stall_i[u]);
          end
        end
        if (perf_vector_i) begin
          macs_q <= macs_q + 64'(MacsPerVector);
        end
        rdb_q <= rdb_q + 64'(perf_rd_bytes_i);
        wrb_q <= wrb_q + 64'(perf_wr_bytes_i);
        insns_q <= insns_q + 32'(evt_retired_i);
      end
      // A write presets the 32 bits it names (after the count: the write wins); a _HI write
      // also sets what _HI reads.
      if (wr) begin
        if ((addr == AW'(NC_CSR_PERF_CYCLES_LO_OFFSET))) cyc_q[31:0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_CYCLES_HI_OFFSET))) begin
          cyc_q[63:32] <= csr_wdata_i;
          cyc_hi_q <= csr_wdata_i;
        end
        if ((addr == AW'(NC_CSR_PERF_MACS_LO_OFFSET))) macs_q[31:0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_MACS_HI_OFFSET))) begin
          macs_q[63:32] <= csr_wdata_i;
          macs_hi_q <= csr_wdata_i;
        end
        if ((addr == AW'(NC_CSR_PERF_RD_BYTES_LO_OFFSET))) rdb_q[31:0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_RD_BYTES_HI_OFFSET))) begin
          rdb_q[63:32] <= csr_wdata_i;
          rdb_hi_q <= csr_wdata_i;
        end
        if ((addr == AW'(NC_CSR_PERF_WR_BYTES_LO_OFFSET))) wrb_q[31:0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_WR_BYTES_HI_OFFSET))) begin
          wrb_q[63:32] <= csr_wdata_i;
          wrb_hi_q <= csr_wdata_i;
        end
        if ((addr == AW'(NC_CSR_PERF_LOAD_BUSY_OFFSET))) ubusy_q[0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_LOAD_STALL_OFFSET))) ustall_q[0] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_COMPUTE_BUSY_OFFSET))) ubusy_q[1] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_COMPUTE_STALL_OFFSET))) ustall_q[1] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_STORE_BUSY_OFFSET))) ubusy_q[2] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_STORE_STALL_OFFSET))) ustall_q[2] <= csr_wdata_i;
        if ((addr == AW'(NC_CSR_PERF_INSNS_OFFSET))) insns_q <= csr_wdata_i;
      end
    end
  end

  assign irq_o = (intr_state_q & intr_enable_q) != '0;
  assign ring_base_o = ring_base_q[AxiAddrBits-1:0];
  assign ring_size_o = ring_size_q;
  assign ring_tail_o = ring_tail_q;
  assign watchdog_o = watchdog_q;
  assign win_base_o = win_base_q[AxiAddrBits-1:0];
  assign win_size_o = win_size_q;

`ifndef NC_NO_ASSERT
  // These name the bus inputs rather than rd: an assertion must not sample a signal computed
  // from the top's inputs, because the plain harness sets the inputs and the clock edge in one
  // evaluation, where Verilator copies the sampled signals before it recomputes such a signal
  // (sim/rtl/harness.cpp; sim/rtl/check_sampled.py holds every module of nc_top to it).
  a_rvalid_after_read: assert property (@(posedge clk_i) disable iff (!rst_ni)
      csr_req_i && !csr_we_i |=> csr_rvalid_o)
    else $error("nc_csr: read without read data the next cycle");
  a_rvalid_only_reads: assert property (@(posedge clk_i) disable iff (!rst_ni)
      !(csr_req_i && !csr_we_i) |=> !csr_rvalid_o)
    else $error("nc_csr: read data without a read");
  a_intr_known_bits: assert property (@(posedge clk_i) disable iff (!rst_ni)
      intr_state_q == (intr_state_q & (IntrDone | IntrError)))
    else $error("nc_csr: INTR_STATE has bits no interrupt owns");
`endif

endmodule
