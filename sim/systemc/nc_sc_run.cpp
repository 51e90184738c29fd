// nc_sc_run [--bench] FILE.ncw...: the accelerator inside a SystemC platform.
//
// nc_top is built with verilator --sc. Its AXI4 master is connected to NcAxiTlmBridge, which
// answers the pins with nc::AxiMem (the same memory model the plain harness uses) and reaches
// memory through a TLM-2.0 initiator socket (b_transport) to NcMemTarget; timing comes from
// AxiMem alone, so the cycle counts equal the plain harness's. The registers are a TLM-2.0
// target socket (NcCsrBridge) that drives the register bus one cycle per access, and polls
// STATUS every cycle from a method while the device runs (wait_idle()). A host thread
// (NcHost) runs each workload file with the host sequence of ncw.h and checks: the result
// against golden, the whole final window and STATUS, ERR_CODE and every performance counter
// against what the plain harness saw (nc_sc_gen wrote them into the file), and that the
// device touched no memory outside the window and the ring.
//
// Prints one line per workload and "nc_sc_run: N passed, N failed"; with --bench also the
// simulated cycles per wall-clock second of each run.

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include "Vnc_top.h"
#include "neocog/axi_mem.h"
#include "neocog/ncw.h"

namespace {

using sc_core::sc_in;
using sc_core::sc_out;
using sc_core::sc_signal;
using sc_core::sc_time;
using sc_core::SC_NS;
using sc_core::SC_ZERO_TIME;

constexpr int kBusBits = NC_HW_BUS_BYTES * 8;
using BusVec = sc_dt::sc_bv<kBusBits>;
constexpr double kPeriodNs = 10.0;

// Main memory as a TLM-2.0 target: the host's byte array at a physical base. Untimed: the
// AXI bridge in front of it owns the timing.
struct NcMemTarget : sc_core::sc_module {
  tlm_utils::simple_target_socket<NcMemTarget> socket;
  uint8_t *mem = nullptr;
  uint64_t base = 0, size = 0;

  explicit NcMemTarget(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &NcMemTarget::b_transport);
  }

  void b_transport(tlm::tlm_generic_payload &gp, sc_time &) {
    const uint64_t a = gp.get_address();
    const unsigned len = gp.get_data_length();
    if (mem == nullptr || !nc::range_within(a, len, base, size)) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    uint8_t *p = mem + (a - base);
    const unsigned char *be = gp.get_byte_enable_ptr();
    const unsigned bel = gp.get_byte_enable_length();
    if (gp.is_read()) {
      std::memcpy(gp.get_data_ptr(), p, len);
    } else {
      for (unsigned i = 0; i < len; i++) {
        if (be == nullptr || be[i % bel] == TLM_BYTE_ENABLED) {
          p[i] = gp.get_data_ptr()[i];
        }
      }
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// nc::AxiMem's storage reached through a TLM initiator socket.
class TlmBacking : public nc::AxiMemBacking {
 public:
  explicit TlmBacking(tlm_utils::simple_initiator_socket<struct NcAxiTlmBridge> &s) : s_(s) {}
  bool read(uint64_t addr, uint8_t *dst, size_t len) override {
    return transport(tlm::TLM_READ_COMMAND, addr, dst, nullptr, len);
  }
  bool write(uint64_t addr, const uint8_t *src, const uint8_t *byte_enable,
             size_t len) override {
    be_.assign(len, TLM_BYTE_ENABLED);
    if (byte_enable != nullptr) {
      for (size_t i = 0; i < len; i++) {
        be_[i] = byte_enable[i] ? TLM_BYTE_ENABLED : TLM_BYTE_DISABLED;
      }
    }
    return transport(tlm::TLM_WRITE_COMMAND, addr, const_cast<uint8_t *>(src), be_.data(),
                     len);
  }

 private:
  bool transport(tlm::tlm_command cmd, uint64_t addr, uint8_t *data, uint8_t *be, size_t len) {
    tlm::tlm_generic_payload gp;
    gp.set_command(cmd);
    gp.set_address(addr);
    gp.set_data_ptr(data);
    gp.set_data_length(static_cast<unsigned>(len));
    gp.set_streaming_width(static_cast<unsigned>(len));
    gp.set_byte_enable_ptr(be);
    gp.set_byte_enable_length(be != nullptr ? static_cast<unsigned>(len) : 0);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    s_->b_transport(gp, delay);
    return gp.is_response_ok();
  }
  tlm_utils::simple_initiator_socket<struct NcAxiTlmBridge> &s_;
  std::vector<uint8_t> be_;
};

// AXI4 slave pins to TLM-2.0: at every rising edge the pins as they were before it go to
// nc::AxiMem, which takes the edge, and its new outputs drive the pins for the next cycle;
// exactly what the plain harness does in one tick.
struct NcAxiTlmBridge : sc_core::sc_module {
  sc_in<bool> clk;
  sc_in<bool> arvalid, rready, awvalid, wvalid, wlast, bready;
  sc_in<uint32_t> arid, arlen, arsize, arburst, awid, awlen, awsize, awburst, wstrb;
  sc_in<uint64_t> araddr, awaddr;
  sc_in<BusVec> wdata;
  sc_out<bool> arready, awready, wready, rvalid, rlast, bvalid;
  sc_out<uint32_t> rid, rresp, bid, bresp;
  sc_out<BusVec> rdata;
  tlm_utils::simple_initiator_socket<NcAxiTlmBridge> socket;
  TlmBacking backing;
  std::unique_ptr<nc::AxiMem> mem;
  nc::AxiReq req{};  // the bus as the memory sees it at this edge

  SC_HAS_PROCESS(NcAxiTlmBridge);
  NcAxiTlmBridge(sc_core::sc_module_name n, const nc::AxiMemConfig &cfg)
      : sc_module(n), socket("socket"), backing(socket), mem(new nc::AxiMem(cfg, backing)) {
    // One process drives the response pins: at initialisation (the reset-time outputs) and
    // at every rising edge.
    SC_METHOD(edge);
    sensitive << clk.pos();
  }

  void edge() {
    if (!clk.posedge()) {
      drive();
      return;
    }
    nc::AxiReq &q = req;  // every field is set below (wdata past the bus width stays 0)
    q.arvalid = arvalid.read();
    q.arid = arid.read();
    q.araddr = araddr.read();
    q.arlen = arlen.read();
    q.arsize = arsize.read();
    q.arburst = arburst.read();
    q.rready = rready.read();
    q.awvalid = awvalid.read();
    q.awid = awid.read();
    q.awaddr = awaddr.read();
    q.awlen = awlen.read();
    q.awsize = awsize.read();
    q.awburst = awburst.read();
    q.wvalid = wvalid.read();
    // Whole 32-bit words: per-byte range() proxies cost more than the rest of the edge.
    const BusVec &wd = wdata.read();
    for (int w = 0; w < NC_HW_BUS_BYTES / 4; w++) {
      const uint32_t word = wd.get_word(w);
      for (int k = 0; k < 4; k++) {
        q.wdata[4 * w + k] = static_cast<uint8_t>(word >> (8 * k));
      }
    }
    q.wstrb = wstrb.read();
    q.wlast = wlast.read();
    q.bready = bready.read();
    mem->clock(q);
    drive();
  }

  void drive() {
    const nc::AxiRsp &r = mem->outputs();
    arready.write(r.arready);
    awready.write(r.awready);
    wready.write(r.wready);
    rvalid.write(r.rvalid);
    rid.write(r.rid);
    BusVec rd;
    for (int w = 0; w < NC_HW_BUS_BYTES / 4; w++) {
      uint32_t word = 0;
      for (int k = 0; k < 4; k++) {
        word |= uint32_t{r.rdata[4 * w + k]} << (8 * k);
      }
      rd.set_word(w, word);
    }
    rdata.write(rd);
    rresp.write(r.rresp);
    rlast.write(r.rlast);
    bvalid.write(r.bvalid);
    bid.write(r.bid);
    bresp.write(r.bresp);
  }
};

// The register bus as a TLM-2.0 target: one 32-bit access per transaction, one clock cycle
// each. Called from a thread that stands on a falling edge; returns on the next one.
struct NcCsrBridge : sc_core::sc_module {
  sc_in<bool> clk;
  sc_out<bool> req, we;
  sc_out<uint32_t> addr, wdata;
  sc_in<bool> rvalid;
  sc_in<uint32_t> rdata;
  tlm_utils::simple_target_socket<NcCsrBridge> socket;

  SC_HAS_PROCESS(NcCsrBridge);
  explicit NcCsrBridge(sc_core::sc_module_name n) : sc_module(n), socket("socket") {
    socket.register_b_transport(this, &NcCsrBridge::b_transport);
    SC_METHOD(poll);
    sensitive << clk.neg();
    dont_initialize();
  }

  // As nc_rtl_run(): a STATUS read held every cycle until a read shows busy low, at most
  // `budget` cycles. Called from a thread standing on a falling edge; returns on the falling
  // edge where the answer arrived, as a run of one-cycle b_transport reads would, but the
  // reads are driven by the method poll(): two thread switches per cycle would cost more than
  // the simulated device. Returns 1 if the device was still busy.
  int wait_idle(uint64_t budget) {
    if (budget == 0) {
      return 1;
    }
    req.write(true);
    we.write(false);
    addr.write(NC_HW_CSR_STATUS_OFFSET);
    wdata.write(0);
    poll_left_ = budget;
    poll_from_ = sc_core::sc_time_stamp();
    polling_ = true;
    wait(poll_done_);
    req.write(false);  // here, not in poll(): the signal has one writer, this thread
    return poll_busy_;
  }

  void poll() {
    // The falling edge the poll started on carries the answer to an earlier access.
    if (!polling_ || sc_core::sc_time_stamp() == poll_from_) {
      return;
    }
    const bool idle =
        rvalid.read() && (rdata.read() & (1u << NC_HW_CSR_STATUS_BUSY_SHIFT)) == 0;
    if (!idle && --poll_left_ > 0) {
      return;
    }
    polling_ = false;
    poll_busy_ = idle ? 0 : 1;
    poll_done_.notify(SC_ZERO_TIME);
  }

  void b_transport(tlm::tlm_generic_payload &gp, sc_time &delay) {
    (void)delay;  // the access takes real simulated time instead
    if (gp.get_data_length() != 4 || (gp.get_address() & 3u) != 0 ||
        gp.get_address() >= (1u << NC_HW_CSR_ADDR_BITS)) {
      gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    uint32_t v = 0;
    std::memcpy(&v, gp.get_data_ptr(), 4);
    req.write(true);
    we.write(gp.is_write());
    addr.write(static_cast<uint32_t>(gp.get_address()));
    wdata.write(v);
    wait(clk.posedge_event());
    req.write(false);
    we.write(false);
    wait(clk.negedge_event());
    if (gp.is_read()) {
      if (!rvalid.read()) {
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
      }
      v = rdata.read();
      std::memcpy(gp.get_data_ptr(), &v, 4);
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
  }

 private:
  bool polling_ = false;
  int poll_busy_ = 0;
  uint64_t poll_left_ = 0;
  sc_time poll_from_;
  sc_core::sc_event poll_done_;
};

extern const nc_sim_ops_t sc_ops_;

// The host: runs each workload file through ncw_run() on this SystemC platform, offered as
// one more simulated device of neocog/sim.h (its operations are sc_ops_, below).
struct NcHost : sc_core::sc_module {
  sc_in<bool> clk;
  sc_out<bool> rst_n;
  sc_in<bool> irq;
  tlm_utils::simple_initiator_socket<NcHost> csr;
  NcMemTarget *memt = nullptr;
  NcAxiTlmBridge *axi = nullptr;
  NcCsrBridge *bridge = nullptr;
  std::vector<std::string> files;
  bool bench = false;
  int passed = 0, failed = 0;

  SC_HAS_PROCESS(NcHost);
  explicit NcHost(sc_core::sc_module_name n) : sc_module(n), csr("csr") { SC_THREAD(main); }

  int access(bool write, uint32_t off, uint32_t *v) {
    tlm::tlm_generic_payload gp;
    gp.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    gp.set_address(off);
    gp.set_data_ptr(reinterpret_cast<unsigned char *>(v));
    gp.set_data_length(4);
    gp.set_streaming_width(4);
    gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_time delay = SC_ZERO_TIME;
    csr->b_transport(gp, delay);
    return gp.is_response_ok() ? 0 : -1;
  }
  // The operations of neocog/sim.h, called from this module's thread.
  static nc_status_t rd(void *ctx, uint32_t off, uint32_t *v) {
    return static_cast<NcHost *>(ctx)->access(false, off, v) == 0 ? NC_OK : NC_ERR_DEVICE;
  }
  static nc_status_t wr(void *ctx, uint32_t off, uint32_t v) {
    return static_cast<NcHost *>(ctx)->access(true, off, &v) == 0 ? NC_OK : NC_ERR_DEVICE;
  }
  // As nc_rtl_run(): STATUS read every cycle until busy is seen low (see wait_idle()).
  static nc_status_t run(void *ctx, uint64_t budget, int *busy) {
    const int b = static_cast<NcHost *>(ctx)->bridge->wait_idle(budget);
    if (busy != nullptr) {
      *busy = b;
    }
    return NC_OK;
  }
  static uint64_t cycle(const void *) {
    return static_cast<uint64_t>(sc_core::sc_time_stamp().to_seconds() / (kPeriodNs * 1e-9));
  }
  static int irq_level(const void *ctx) { return static_cast<const NcHost *>(ctx)->irq.read(); }
  static nc_status_t attach(void *ctx, uint8_t *mem, uint64_t base, uint64_t size) {
    NcHost *h = static_cast<NcHost *>(ctx);
    h->memt->mem = mem;
    h->memt->base = base;
    h->memt->size = size;
    return NC_OK;
  }
  static nc_status_t fault(void *ctx, nc_fault_t f) {
    static const nc::AxiFault map[] = {nc::AxiFault::None, nc::AxiFault::Hang,
                                       nc::AxiFault::SlvErr};
    static_cast<NcHost *>(ctx)->axi->mem->set_fault(map[f]);
    return NC_OK;
  }

  void check(const std::string &path) {
    ncw_t w;
    if (ncw_load(&w, path.c_str()) != 0) {
      std::printf("%s: cannot read it as a workload file\n", path.c_str());
      failed++;
      return;
    }
    std::vector<uint8_t> mem(w.mem, w.mem + NCW_WIN_OFF + w.win_size);
    nc_sim_t *dev = nullptr;
    if (nc_sim_wrap(&sc_ops_, this, &dev) != NC_OK ||
        nc_sim_attach_memory(dev, mem.data(), NCW_MEM_BASE, mem.size()) != NC_OK) {
      std::printf("%s: %s\n", path.c_str(), nc_error_detail());
      nc_sim_close(dev);
      ncw_free(&w);
      failed++;
      return;
    }
    axi->mem->set_allowed(0, NCW_MEM_BASE + NCW_WIN_OFF, w.win_size);
    axi->mem->set_allowed(1, NCW_MEM_BASE, uint64_t{NCW_RING_ENTRIES} * NC_HW_INSN_BYTES);
    const uint64_t v0 = axi->mem->violations();
    uint32_t status = 0, err = 0, ctr[NCW_NCTR] = {0};
    const double t0 = sc_core::sc_time_stamp().to_seconds();
    const auto w0 = std::chrono::steady_clock::now();
    const int rc = ncw_run(dev, &w, UINT64_C(50000000), &status, &err, ctr);
    nc_sim_close(dev);
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const double sim_cycles = (sc_core::sc_time_stamp().to_seconds() - t0) / (kPeriodNs * 1e-9);
    std::string why;
    if (rc != 0) {
      why = "the device did not answer or did not stop";
    } else if (std::memcmp(mem.data() + NCW_WIN_OFF + w.out_off, w.want, w.out_len) != 0) {
      why = "result differs from golden";
    } else if (std::memcmp(mem.data() + NCW_WIN_OFF, w.final_win, w.win_size) != 0) {
      size_t i = 0;
      while (mem[NCW_WIN_OFF + i] == w.final_win[i]) {
        i++;
      }
      why = "window offset " + std::to_string(i) + " differs from the plain harness";
    } else if (status != w.status || err != w.err_code) {
      why = "STATUS/ERR_CODE differ from the plain harness";
    } else if (axi->mem->violations() != v0) {
      why = "access outside the window and the ring: " + axi->mem->first_violation();
    }
    for (size_t i = 0; why.empty() && i < NCW_NCTR; i++) {
      if (ctr[i] != w.ctr[i]) {
        why = std::string(nc_hw_csr_name(ncw_ctr_off[i])) + " = " + std::to_string(ctr[i]) +
              ", plain harness " + std::to_string(w.ctr[i]);
      }
    }
    const uint64_t cycles = ctr[0] | uint64_t{ctr[1]} << 32;
    std::printf("%-20s systemc: STATUS 0x%02x, %" PRIu64 " cycles, compute busy %u: %s\n",
                w.name, status, cycles, ctr[4],
                why.empty() ? "golden, same window and counters as the harness" : why.c_str());
    if (bench) {
      std::printf("%-20s systemc: %.0f simulated cycles in %.3f s = %.0f cycles/s\n", w.name,
                  sim_cycles, wall, sim_cycles / wall);
    }
    (why.empty() ? passed : failed)++;
    memt->mem = nullptr;
    ncw_free(&w);
  }

  void main() {
    // Reset as the harness does: four edges low, then one high.
    rst_n.write(false);
    for (int i = 0; i < 4; i++) {
      wait(clk.posedge_event());
    }
    rst_n.write(true);
    wait(clk.negedge_event());
    for (const std::string &f : files) {
      check(f);
    }
    sc_core::sc_stop();
  }
};

// NcHost as a device of neocog/sim.h. Memory checks and tracing are not offered: the host
// compares the memory model's violation count itself.
const nc_sim_ops_t sc_ops_ = {
    "systemc",         // name
    0,                 // run_quantum
    nullptr,           // create: sc_main elaborates the platform
    nullptr,           // destroy: sc_main owns it
    NcHost::attach,    // attach_memory
    NcHost::rd,        // csr_read
    NcHost::wr,        // csr_write
    NcHost::run,       // run
    NcHost::cycle,     // cycle
    NcHost::irq_level, // irq
    NcHost::fault,     // inject_fault
    nullptr,           // set_trace
    nullptr,           // check_memory
    nullptr,           // mem_write
};

}  // namespace

int sc_main(int argc, char **argv) {
  std::vector<std::string> files;
  bool bench = false;
  for (int i = 1; i < argc; i++) {
    if (std::strcmp(argv[i], "--bench") == 0) {
      bench = true;
    } else {
      files.emplace_back(argv[i]);
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s [--bench] FILE.ncw...\n", argv[0]);
    return 2;
  }
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  sc_core::sc_clock clk("clk", kPeriodNs, SC_NS);
  sc_signal<bool> rst_n{"rst_n"}, csr_req{"csr_req"}, csr_we{"csr_we"}, csr_rvalid{"csr_rvalid"},
      irq{"irq"};
  sc_signal<uint32_t> csr_addr{"csr_addr"}, csr_wdata{"csr_wdata"}, csr_rdata{"csr_rdata"};
  sc_signal<bool> arvalid, arready, rvalid, rready, rlast, awvalid, awready, wvalid, wready, wlast,
      bvalid, bready;
  sc_signal<uint32_t> arid, arlen, arsize, arburst, rid, rresp, awid, awlen, awsize, awburst,
      wstrb, bid, bresp;
  sc_signal<uint64_t> araddr, awaddr;
  sc_signal<BusVec> rdata, wdata;
  // The retirement trace (the plain harness records it; here it is left unread).
  sc_signal<bool> tr_finish, tr_flush;
  sc_signal<uint32_t> tr_issue, tr_op, tr_retire, tr_fidx;
  sc_signal<sc_dt::sc_bv<96>> tr_idx;

  Vnc_top top("nc_top");
  top.clk_i(clk);
  top.rst_ni(rst_n);
  top.csr_req_i(csr_req);
  top.csr_we_i(csr_we);
  top.csr_addr_i(csr_addr);
  top.csr_wdata_i(csr_wdata);
  top.csr_rvalid_o(csr_rvalid);
  top.csr_rdata_o(csr_rdata);
  top.irq_o(irq);
  top.m_axi_arid(arid);
  top.m_axi_araddr(araddr);
  top.m_axi_arlen(arlen);
  top.m_axi_arsize(arsize);
  top.m_axi_arburst(arburst);
  top.m_axi_arvalid(arvalid);
  top.m_axi_arready(arready);
  top.m_axi_rid(rid);
  top.m_axi_rdata(rdata);
  top.m_axi_rresp(rresp);
  top.m_axi_rlast(rlast);
  top.m_axi_rvalid(rvalid);
  top.m_axi_rready(rready);
  top.m_axi_awid(awid);
  top.m_axi_awaddr(awaddr);
  top.m_axi_awlen(awlen);
  top.m_axi_awsize(awsize);
  top.m_axi_awburst(awburst);
  top.m_axi_awvalid(awvalid);
  top.m_axi_awready(awready);
  top.m_axi_wdata(wdata);
  top.m_axi_wstrb(wstrb);
  top.m_axi_wlast(wlast);
  top.m_axi_wvalid(wvalid);
  top.m_axi_wready(wready);
  top.m_axi_bid(bid);
  top.m_axi_bresp(bresp);
  top.m_axi_bvalid(bvalid);
  top.m_axi_bready(bready);
  top.trace_issue_o(tr_issue);
  top.trace_issue_idx_o(tr_idx);
  top.trace_issue_op_o(tr_op);
  top.trace_retire_o(tr_retire);
  top.trace_finish_o(tr_finish);
  top.trace_finish_idx_o(tr_fidx);
  top.trace_flush_o(tr_flush);

  nc::AxiMemConfig mc;
  mc.latency = 100;
  mc.bytes_per_cycle = NC_HW_BUS_BYTES;
  mc.bus_bytes = NC_HW_BUS_BYTES;
  NcAxiTlmBridge axi("axi", mc);
  axi.clk(clk);
  axi.arvalid(arvalid);
  axi.rready(rready);
  axi.awvalid(awvalid);
  axi.wvalid(wvalid);
  axi.wlast(wlast);
  axi.bready(bready);
  axi.arid(arid);
  axi.arlen(arlen);
  axi.arsize(arsize);
  axi.arburst(arburst);
  axi.awid(awid);
  axi.awlen(awlen);
  axi.awsize(awsize);
  axi.awburst(awburst);
  axi.wstrb(wstrb);
  axi.araddr(araddr);
  axi.awaddr(awaddr);
  axi.wdata(wdata);
  axi.arready(arready);
  axi.awready(awready);
  axi.wready(wready);
  axi.rvalid(rvalid);
  axi.rlast(rlast);
  axi.bvalid(bvalid);
  axi.rid(rid);
  axi.rresp(rresp);
  axi.bid(bid);
  axi.bresp(bresp);
  axi.rdata(rdata);
  NcMemTarget memt("mem");
  axi.socket.bind(memt.socket);

  NcCsrBridge csr("csr");
  csr.clk(clk);
  csr.req(csr_req);
  csr.we(csr_we);
  csr.addr(csr_addr);
  csr.wdata(csr_wdata);
  csr.rvalid(csr_rvalid);
  csr.rdata(csr_rdata);

  NcHost host("host");
  host.clk(clk);
  host.rst_n(rst_n);
  host.irq(irq);
  host.csr.bind(csr.socket);
  host.memt = &memt;
  host.bridge = &csr;
  host.axi = &axi;
  host.files = files;
  host.bench = bench;

  sc_core::sc_start();
  top.final();
  std::printf("nc_sc_run: %d passed, %d failed\n", host.passed, host.failed);
  return host.failed == 0 ? 0 : 1;
}
