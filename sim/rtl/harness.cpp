// The C API of neocog/rtl.h around the Verilated nc_top and nc::AxiMem.
//
// One clock edge is one call of tick(): the memory model's outputs of the previous edge drive
// the design's AXI inputs, the design settles, its AXI outputs are sampled, and then the memory
// model and the design both take the rising edge. The memory sees exactly what a flop on the
// bus would have seen, so the SystemC bridge (sim/systemc), which samples the same pins at the
// same edge, gives the same cycle counts.
//
// One eval() per cycle. Every output of nc_top is a register, so the outputs the memory samples
// are those the previous edge left, and the design need not settle at a falling edge before the
// memory takes them: tick() sets the inputs and the rising clock together and evaluates once
// (Verilator settles the input logic first, then runs the edge). That halves what the model
// does per cycle outside the design itself: Verilator copies every signal the assertions sample
// at the start of each eval(). Two conditions make it exact, and both are checked:
// - Verilator 5 sees a rising edge only against the clock of the previous eval(), so the
//   harness clears its record of that clock (EdgeRecord below; a Verilator without it gets the
//   falling-edge eval back, found at compile time);
// - no assertion samples a signal computed from nc_top's inputs (it would be copied before it
//   is recomputed): sim/rtl/check_sampled.py fails the build otherwise.
// With a trace open, or fall_eval set, the falling edge is evaluated too, as a waveform needs.
//
// STATUS is polled over the register bus while the device runs: a read request held every
// cycle returns, one cycle later, the STATUS of that cycle. Reads of STATUS have no side
// effect, so polling changes nothing the device does, and nc_rtl_run() overshoots the end by
// one cycle at most.

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "Vnc_top.h"
#include "Vnc_top___024root.h"
#include "neocog/nc_hw.h"
#include "neocog/rtl.h"
#include "neocog/axi_mem.h"
#include "verilated.h"
#if VM_TRACE
#include "verilated_fst_c.h"
#endif
#if VM_COVERAGE
#include <mutex>

#include <unistd.h>

#include "Vnc_top__Syms.h"
#include "verilated_cov.h"
#endif

extern "C" int nc__fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

namespace {

constexpr uint32_t kBusy = 1u << NC_HW_CSR_STATUS_BUSY_SHIFT;
// A read is answered the cycle after its request; a design that has not answered after this
// many cycles is broken.
constexpr int kCsrTimeout = 4;

// Verilator's record of clk_i at the previous eval() (a member of the model's root in
// Verilator 5), cleared so that an eval() with clk_i high sees a rising edge. kKnown is false,
// and tick() evaluates the falling edge as well, when the model has no such member.
template <typename R, typename = void>
struct EdgeRecord {
  static constexpr bool kKnown = false;
  static void clear(R &) {}
};
template <typename R>
struct EdgeRecord<R, std::void_t<decltype(std::declval<R &>().__Vtrigrprev__TOP__clk_i)>> {
  static constexpr bool kKnown = true;
  static void clear(R &root) { root.__Vtrigrprev__TOP__clk_i = 0; }
};
using TopEdge = EdgeRecord<Vnc_top___024root>;
// The Verilator the Makefile installs (Debian's 5.006) has it: a silent fallback there would be
// a bug. Other versions may fall back.
#if VERILATOR_VERSION_INTEGER == 5006000
static_assert(TopEdge::kKnown, "Verilator 5.006's model root lacks __Vtrigrprev__TOP__clk_i");
#endif

template <typename... A>
nc_status_t fail(nc_status_t st, const char *fmt, A... args) {
  return static_cast<nc_status_t>(nc__fail(st, fmt, args...));
}

// Ports up to 64 bits are integers, wider ones VlWide arrays of 32-bit words; both as bytes.
template <typename T>
void to_bytes(const T &sig, uint8_t *dst, int n) {
  for (int i = 0; i < n; i++) {
    dst[i] = static_cast<uint8_t>(static_cast<uint64_t>(sig) >> (8 * i));
  }
}
// A VlWide's words hold bytes 4w..4w+3, least significant first: on a little-endian host its
// storage is the bytes in order, and one copy moves a whole bus beat.
constexpr bool kLittleEndian = __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__;
template <std::size_t N>
void to_bytes(const VlWide<N> &sig, uint8_t *dst, int n) {
  if (kLittleEndian && static_cast<std::size_t>(n) == 4 * N) {
    std::memcpy(dst, sig.data(), 4 * N);
    return;
  }
  for (int i = 0; i < n; i++) {
    dst[i] = static_cast<uint8_t>(sig[i / 4] >> (8 * (i % 4)));
  }
}
template <typename T>
void from_bytes(T &sig, const uint8_t *src, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; i++) {
    v |= static_cast<uint64_t>(src[i]) << (8 * i);
  }
  sig = static_cast<T>(v);
}
template <std::size_t N>
void from_bytes(VlWide<N> &sig, const uint8_t *src, int n) {
  if (kLittleEndian && static_cast<std::size_t>(n) == 4 * N) {
    std::memcpy(sig.data(), src, 4 * N);
    return;
  }
  for (std::size_t w = 0; w < N; w++) {
    sig[w] = 0;
  }
  for (int i = 0; i < n; i++) {
    sig[i / 4] |= static_cast<uint32_t>(src[i]) << (8 * (i % 4));
  }
}

// The waveform's clock: 1 GHz, so that its time in ns is the cycle count.
constexpr uint64_t kPsPerCycle = 1000;

// "FROM:TO" (TO may be empty: no end) into a window of cycles; false when malformed or empty.
bool parse_window(const char *s, uint64_t *from, uint64_t *to) {
  char *end = nullptr;
  errno = 0;
  const unsigned long long f = std::strtoull(s, &end, 10);
  if (end == s || *end != ':' || errno != 0 || *s == '-') {
    return false;
  }
  const char *t = end + 1;
  unsigned long long e = ULLONG_MAX;
  if (*t != '\0') {
    e = std::strtoull(t, &end, 10);
    if (*end != '\0' || errno != 0 || *t == '-') {
      return false;
    }
  }
  if (e <= f) {
    return false;
  }
  *from = f;
  *to = e;
  return true;
}

// The retirement trace: nc_top's trace_* outputs after each edge, turned into the events of
// neocog/sim.h. A queue retires in issue order, so each queue keeps the instructions it issued
// (ring index, opcode, issue cycle) until they retire.
struct Issued {
  uint32_t idx, opcode;
  uint64_t start;
};

class RetireTrace {
 public:
  void set(nc_sim_trace_fn fn, void *ctx) {
    fn_ = fn;
    ctx_ = ctx;
    seq_ = 0;
    for (auto &q : issued_) {
      q.clear();
    }
  }
  bool on() const { return fn_ != nullptr; }

  // The outputs after the rising edge of `cycle`.
  void sample(const Vnc_top &t, uint64_t cycle) {
    if (!(t.trace_issue_o | t.trace_retire_o | t.trace_finish_o | t.trace_flush_o)) {
      return;
    }
    for (unsigned q = 0; q < kQueues; q++) {
      if ((t.trace_retire_o >> q & 1u) && !issued_[q].empty()) {
        const Issued i = issued_[q].front();
        issued_[q].pop_front();
        emit(i.idx, i.opcode, kUnit[q], i.start, cycle);
      }
    }
    for (unsigned q = 0; q < kQueues; q++) {
      if (t.trace_issue_o >> q & 1u) {
        issued_[q].push_back({t.trace_issue_idx_o[q], (t.trace_issue_op_o >> (4 * q)) & 0xfu,
                              cycle});
      }
    }
    if (t.trace_finish_o) {
      emit(t.trace_finish_idx_o, NC_HW_OP_FINISH, NC_HW_UNIT_FETCH, cycle, cycle);
    }
    if (t.trace_flush_o) {
      for (auto &q : issued_) {
        q.clear();
      }
    }
  }

 private:
  static constexpr unsigned kQueues = 3;
  static constexpr uint32_t kUnit[kQueues] = {NC_HW_UNIT_LOAD, NC_HW_UNIT_COMPUTE,
                                              NC_HW_UNIT_STORE};
  void emit(uint32_t idx, uint32_t op, uint32_t unit, uint64_t start, uint64_t end) {
    const nc_sim_retire_t r = {idx, op, unit, start, end, seq_++};
    fn_(ctx_, &r);
  }
  nc_sim_trace_fn fn_ = nullptr;
  void *ctx_ = nullptr;
  uint64_t seq_ = 0;
  std::deque<Issued> issued_[kQueues];
};

}  // namespace

struct nc_rtl {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vnc_top> top;
#if VM_TRACE
  std::unique_ptr<VerilatedFstC> fst;
#endif
  nc::ArrayBacking backing;  // the caller's window; anything else is a decode error
  std::unique_ptr<nc::AxiMem> mem;
  nc::AxiReq req{};  // the bus as the memory sees it at the next edge
  uint64_t cycle = 0;
  uint64_t trace_from = 0, trace_to = UINT64_MAX;  // the waveform's window of cycles
  bool fall_eval = true;  // evaluate the falling edge too (see the top of the file)
  std::string violation;
  RetireTrace retired;  // the retirement hook, when one is installed

  // One rising edge of clk_i, with the memory model taking the same edge.
  void tick() {
    const nc::AxiRsp &r = mem->outputs();
    Vnc_top &t = *top;
    t.m_axi_arready = r.arready;
    t.m_axi_awready = r.awready;
    t.m_axi_wready = r.wready;
    t.m_axi_rvalid = r.rvalid;
    t.m_axi_rid = r.rid;
    from_bytes(t.m_axi_rdata, r.rdata, NC_HW_BUS_BYTES);
    t.m_axi_rresp = r.rresp;
    t.m_axi_rlast = r.rlast;
    t.m_axi_bvalid = r.bvalid;
    t.m_axi_bid = r.bid;
    t.m_axi_bresp = r.bresp;
    if (fall_eval) {
      t.clk_i = 0;
      t.eval();
#if VM_TRACE
      if (fst && cycle >= trace_from && cycle < trace_to) {
        fst->dump(kPsPerCycle * cycle);
      }
#endif
    }
    nc::AxiReq &q = req;  // every field is set below (wdata past the bus width stays 0)
    q.arvalid = t.m_axi_arvalid;
    q.arid = t.m_axi_arid;
    q.araddr = t.m_axi_araddr;
    q.arlen = t.m_axi_arlen;
    q.arsize = t.m_axi_arsize;
    q.arburst = t.m_axi_arburst;
    q.rready = t.m_axi_rready;
    q.awvalid = t.m_axi_awvalid;
    q.awid = t.m_axi_awid;
    q.awaddr = t.m_axi_awaddr;
    q.awlen = t.m_axi_awlen;
    q.awsize = t.m_axi_awsize;
    q.awburst = t.m_axi_awburst;
    q.wvalid = t.m_axi_wvalid;
    to_bytes(t.m_axi_wdata, q.wdata, NC_HW_BUS_BYTES);
    q.wstrb = t.m_axi_wstrb;
    q.wlast = t.m_axi_wlast;
    q.bready = t.m_axi_bready;
    mem->clock(q);
    t.clk_i = 1;
    if (!fall_eval) {
      TopEdge::clear(*t.rootp);
    }
    t.eval();
#if VM_TRACE
    if (fst && cycle >= trace_from && cycle < trace_to) {
      fst->dump(kPsPerCycle * cycle + kPsPerCycle / 2);
    }
#endif
    if (retired.on()) {
      retired.sample(t, cycle);
    }
    cycle++;
  }

  bool broken() const { return ctx->gotError() || ctx->gotFinish(); }

  // One register-bus request; a read's data arrives with csr_rvalid_o after the edge.
  nc_status_t csr(bool we, uint32_t offset, uint32_t wdata, uint32_t *rdata) {
    top->csr_req_i = 1;
    top->csr_we_i = we;
    top->csr_addr_i = offset;
    top->csr_wdata_i = wdata;
    tick();
    top->csr_req_i = 0;
    top->csr_we_i = 0;
    if (rdata != nullptr) {
      int waited = 0;
      while (!top->csr_rvalid_o && waited < kCsrTimeout && !broken()) {
        tick();
        waited++;
      }
      if (!top->csr_rvalid_o) {
        return fail(NC_ERR_INTERNAL, "rtl: no csr_rvalid_o for the read of 0x%03x", offset);
      }
      *rdata = top->csr_rdata_o;
    }
    if (broken()) {
      return fail(NC_ERR_INTERNAL, "rtl: an assertion of the design failed (cycle %llu)",
                  static_cast<unsigned long long>(cycle));
    }
    return NC_OK;
  }

  // The window and the ring as the registers hold them now, for the memory model's checks.
  nc_status_t update_allowed() {
    uint32_t v[6];
    static const uint32_t offs[6] = {NC_HW_CSR_WIN_BASE_LO_OFFSET,  NC_HW_CSR_WIN_BASE_HI_OFFSET,
                                     NC_HW_CSR_WIN_SIZE_OFFSET,     NC_HW_CSR_RING_BASE_LO_OFFSET,
                                     NC_HW_CSR_RING_BASE_HI_OFFSET, NC_HW_CSR_RING_SIZE_OFFSET};
    for (int i = 0; i < 6; i++) {
      nc_status_t st = csr(false, offs[i], 0, &v[i]);
      if (st != NC_OK) {
        return st;
      }
    }
    const uint64_t amask = NC_HW_AXI_ADDR_BITS >= 64 ? ~UINT64_C(0)
                                                     : (UINT64_C(1) << NC_HW_AXI_ADDR_BITS) - 1u;
    mem->set_allowed(0, (v[0] | static_cast<uint64_t>(v[1]) << 32) & amask, v[2]);
    mem->set_allowed(1, (v[3] | static_cast<uint64_t>(v[4]) << 32) & amask,
                     static_cast<uint64_t>(v[5]) * NC_HW_INSN_BYTES);
    return NC_OK;
  }
};

static nc_status_t check_offset(const nc_rtl_t *m, uint32_t offset) {
  if (m == nullptr) {
    return fail(NC_ERR_INVALID_ARG, "rtl: NULL device");
  }
  if ((offset & 3u) != 0 || offset >= (1u << NC_HW_CSR_ADDR_BITS)) {
    return fail(NC_ERR_INVALID_ARG,
                "rtl: register offset 0x%x is not 4-byte aligned inside the %u-byte window",
                offset, 1u << NC_HW_CSR_ADDR_BITS);
  }
  return NC_OK;
}

extern "C" {

void nc_rtl_config_default(nc_rtl_config_t *cfg) {
  if (cfg == nullptr) {
    return;
  }
  cfg->mem_latency = 100;
  cfg->mem_bytes_per_cycle = NC_HW_BUS_BYTES;
  cfg->trace_path = nullptr;
  cfg->trace_from = 0;
  cfg->trace_to = 0;
  cfg->trace_scope = nullptr;
  cfg->fall_eval = 0;
}

nc_status_t nc_rtl_create(const nc_rtl_config_t *cfg, nc_rtl_t **out) {
  if (out == nullptr) {
    return fail(NC_ERR_INVALID_ARG, "rtl_create: NULL output");
  }
  nc_rtl_config_t c;
  nc_rtl_config_default(&c);
  if (cfg != nullptr) {
    c = *cfg;
  }
  if (c.mem_bytes_per_cycle < 1 || c.mem_bytes_per_cycle > NC_HW_BUS_BYTES ||
      c.mem_latency > (1u << 24)) {
    return fail(NC_ERR_INVALID_ARG,
                "rtl_create: mem_bytes_per_cycle %u outside 1..%u or mem_latency %u above %u",
                c.mem_bytes_per_cycle, NC_HW_BUS_BYTES, c.mem_latency, 1u << 24);
  }
  const char *trace = c.trace_path;
  if (trace == nullptr) {
    trace = std::getenv("NEOCOG_RTL_FST");
    if (trace != nullptr && *trace == '\0') {
      trace = nullptr;
    }
  }
  uint64_t tr_from = c.trace_from, tr_to = c.trace_to != 0 ? c.trace_to : UINT64_MAX;
  const char *win = std::getenv("NEOCOG_RTL_FST_WINDOW");
  if (c.trace_from == 0 && c.trace_to == 0 && win != nullptr && *win != '\0' &&
      !parse_window(win, &tr_from, &tr_to)) {
    return fail(NC_ERR_INVALID_ARG,
                "rtl_create: NEOCOG_RTL_FST_WINDOW '%s' is not FROM:TO (cycles, FROM < TO; TO "
                "may be empty for no end)",
                win);
  }
  if (tr_to <= tr_from) {
    return fail(NC_ERR_INVALID_ARG, "rtl_create: trace window [%llu, %llu) is empty",
                static_cast<unsigned long long>(tr_from), static_cast<unsigned long long>(tr_to));
  }
  const char *scope = c.trace_scope;
  if (scope == nullptr) {
    scope = std::getenv("NEOCOG_RTL_FST_SCOPE");
  }
  if (scope != nullptr && *scope == '\0') {
    scope = nullptr;
  }
  // The waveform names the design's hierarchy nc_top.nc_top.<instance>...: a path as the RTL
  // writes it ("nc_top.u_compute") or relative to the top ("u_compute") is put under it.
  std::string scope_path;
  if (scope != nullptr) {
    const std::string sp = scope;
    scope_path = sp.rfind("nc_top.nc_top", 0) == 0 ? sp
                 : sp.rfind("nc_top.", 0) == 0   ? "nc_top." + sp
                 : sp == "nc_top"                ? "nc_top.nc_top"
                                                 : "nc_top.nc_top." + sp;
  }
  // The mutant of a mutant-schemata build (hw/gen/mutate.py) to run, as the plusarg its
  // modules read (none: the original design); the normal build has no reader.
  std::string mutant;
  if (const char *mv = std::getenv("NEOCOG_RTL_MUTANT"); mv != nullptr && *mv != '\0') {
    char *end = nullptr;
    const unsigned long k = std::strtoul(mv, &end, 10);
    if (*end != '\0' || *mv == '-' || k > 0xffffffffUL) {
      return fail(NC_ERR_INVALID_ARG, "rtl_create: NEOCOG_RTL_MUTANT '%s' is not a mutant number",
                  mv);
    }
    mutant = "+mutant=" + std::to_string(k);
  }
  nc_rtl_t *m = new (std::nothrow) nc_rtl_t;
  if (m == nullptr) {
    return fail(NC_ERR_NOMEM, "rtl_create: out of memory");
  }
  try {
    m->ctx.reset(new VerilatedContext);
    // Always: a mutant build's $value$plusargs stops the program when no arguments were given.
    const char *args[] = {"neocog", mutant.c_str()};
    m->ctx->commandArgs(mutant.empty() ? 1 : 2, args);
    // Assertions of the design mark the context instead of aborting the host program; every
    // call checks for it.
    m->ctx->fatalOnError(false);
    m->ctx->traceEverOn(trace != nullptr);
    m->top.reset(new Vnc_top(m->ctx.get(), "nc_top"));
#if VM_TRACE
    if (trace != nullptr) {
      m->fst.reset(new VerilatedFstC);
      m->fst->set_time_unit("1ps");
      m->fst->set_time_resolution("1ps");
      if (scope != nullptr) {
        // The design's ports always, and everything under the scope. The ports also keep a
        // scope that names nothing from leaving the writer with no signal at all, which
        // Verilator 5.006's FST writer does not survive.
        m->fst->dumpvars(1, "nc_top");
        m->fst->dumpvars(99, scope_path);
      }
      m->top->trace(m->fst.get(), 99);
      m->fst->open(trace);
      if (!m->fst->isOpen()) {
        delete m;
        return fail(NC_ERR_IO, "rtl_create: cannot open the FST file '%s'", trace);
      }
    }
#else
    if (trace != nullptr) {
      delete m;
      return fail(NC_ERR_UNSUPPORTED, "rtl_create: this build has no FST tracing");
    }
#endif
    nc::AxiMemConfig mc;
    mc.latency = c.mem_latency;
    mc.bytes_per_cycle = c.mem_bytes_per_cycle;
    mc.bus_bytes = NC_HW_BUS_BYTES;
    m->mem.reset(new nc::AxiMem(mc, m->backing));
  } catch (const std::bad_alloc &) {
    delete m;
    return fail(NC_ERR_NOMEM, "rtl_create: out of memory");
  }
  m->fall_eval = c.fall_eval != 0 || trace != nullptr || !TopEdge::kKnown;
  m->trace_from = tr_from;
  m->trace_to = tr_to;
  // Asynchronous reset, held over a few edges so every synchronous stage sees it too.
  Vnc_top &t = *m->top;
  t.clk_i = 0;
  t.rst_ni = 0;
  t.csr_req_i = 0;
  t.eval();
  for (int i = 0; i < 4; i++) {
    m->tick();
  }
  t.rst_ni = 1;
  m->tick();
  nc_status_t st = m->update_allowed();
  if (st != NC_OK) {
    delete m;
    return st;
  }
  *out = m;
  return NC_OK;
}

#if VM_COVERAGE
// Coverage (NEOCOG_RTL_COV_DIR): one file per process, DIR/rtl_<pid>.dat, with the counts of
// every device the process has destroyed. A job of the regression creates a device per item;
// a file per device would be hundreds per job. Each device's counters are the Verilated
// model's own array (one per point, in the same order in every instance), so the process adds
// them into a running total, copies the total back into the device being destroyed and writes
// it over the file: the file always holds everything so far, also when the process is later
// killed. Counts saturate at 2^32 - 1 (a point is hit or not; the count is a hint).
namespace {

std::mutex cov_mu;
std::vector<uint64_t> cov_total;

void cov_collect(nc_rtl_t *m) {
  const char *dir = std::getenv("NEOCOG_RTL_COV_DIR");
  if (dir == nullptr || *dir == '\0') {
    return;
  }
  std::lock_guard<std::mutex> lock(cov_mu);
  auto &points = m->top->rootp->vlSymsp->__Vcoverage;
  const size_t n = sizeof points / sizeof points[0];
  cov_total.resize(n, 0);
  for (size_t i = 0; i < n; i++) {
    cov_total[i] += points[i].load(std::memory_order_relaxed);
    points[i].store(static_cast<uint32_t>(std::min<uint64_t>(cov_total[i], UINT32_MAX)),
                    std::memory_order_relaxed);
  }
  const std::string path = std::string(dir) + "/rtl_" + std::to_string(getpid()) + ".dat";
  m->ctx->coveragep()->write(path.c_str());
}

}  // namespace
#endif

void nc_rtl_destroy(nc_rtl_t *m) {
  if (m == nullptr) {
    return;
  }
#if VM_TRACE
  if (m->fst) {
    m->fst->close();
  }
#endif
  m->top->final();
#if VM_COVERAGE
  cov_collect(m);
#endif
  delete m;
}

nc_status_t nc_rtl_attach_memory(nc_rtl_t *m, uint8_t *mem, uint64_t base, uint64_t size) {
  if (m == nullptr || (mem == nullptr && size > 0) || (mem != nullptr && size == 0) ||
      base + size < base) {
    return fail(NC_ERR_INVALID_ARG,
                "rtl_attach_memory: bad arguments (memory %p, base 0x%llx, %llu bytes)",
                static_cast<void *>(mem), static_cast<unsigned long long>(base),
                static_cast<unsigned long long>(size));
  }
  if (!m->mem->idle()) {
    return fail(NC_ERR_INVALID_ARG, "rtl_attach_memory: a memory transaction is open");
  }
  m->backing.set(mem, base, size);
  return NC_OK;
}

nc_status_t nc_rtl_csr_read(nc_rtl_t *m, uint32_t offset, uint32_t *value) {
  nc_status_t st = check_offset(m, offset);
  if (st != NC_OK) {
    return st;
  }
  if (value == nullptr) {
    return fail(NC_ERR_INVALID_ARG, "rtl_csr_read: NULL value");
  }
  return m->csr(false, offset, 0, value);
}

nc_status_t nc_rtl_csr_write(nc_rtl_t *m, uint32_t offset, uint32_t value) {
  nc_status_t st = check_offset(m, offset);
  if (st != NC_OK) {
    return st;
  }
  st = m->csr(true, offset, value, nullptr);
  if (st != NC_OK) {
    return st;
  }
  switch (offset) {
    case NC_HW_CSR_WIN_BASE_LO_OFFSET:
    case NC_HW_CSR_WIN_BASE_HI_OFFSET:
    case NC_HW_CSR_WIN_SIZE_OFFSET:
    case NC_HW_CSR_RING_BASE_LO_OFFSET:
    case NC_HW_CSR_RING_BASE_HI_OFFSET:
    case NC_HW_CSR_RING_SIZE_OFFSET:
      return m->update_allowed();
    default:
      return NC_OK;
  }
}

nc_status_t nc_rtl_run(nc_rtl_t *m, uint64_t max_cycles, int *busy) {
  if (m == nullptr) {
    return fail(NC_ERR_INVALID_ARG, "rtl_run: NULL device");
  }
  Vnc_top &t = *m->top;
  int b = 1;
  t.csr_req_i = 1;
  t.csr_we_i = 0;
  t.csr_addr_i = NC_HW_CSR_STATUS_OFFSET;
  t.csr_wdata_i = 0;
  for (uint64_t i = 0; i < max_cycles; i++) {
    m->tick();
    if (m->broken()) {
      break;
    }
    if (!t.csr_rvalid_o) {
      continue;
    }
    if (!(t.csr_rdata_o & kBusy)) {
      b = 0;
      break;
    }
  }
  t.csr_req_i = 0;
  if (busy != nullptr) {
    *busy = b;
  }
  if (m->broken()) {
    return fail(NC_ERR_INTERNAL, "rtl: an assertion of the design failed (cycle %llu)",
                static_cast<unsigned long long>(m->cycle));
  }
  return NC_OK;
}

uint64_t nc_rtl_cycle(const nc_rtl_t *m) {
  return m != nullptr ? m->cycle : 0;
}

int nc_rtl_irq(const nc_rtl_t *m) {
  return m != nullptr && m->top->irq_o;
}

nc_status_t nc_rtl_set_trace(nc_rtl_t *m, nc_sim_trace_fn fn, void *ctx) {
  if (m == nullptr) {
    return fail(NC_ERR_INVALID_ARG, "rtl_set_trace: NULL device");
  }
  m->retired.set(fn, ctx);
  return NC_OK;
}

nc_status_t nc_rtl_inject_fault(nc_rtl_t *m, nc_fault_t fault) {
  if (m == nullptr) {
    return fail(NC_ERR_INVALID_ARG, "rtl_inject_fault: NULL device");
  }
  switch (fault) {
    case NC_FAULT_NONE:
      m->mem->set_fault(nc::AxiFault::None);
      return NC_OK;
    case NC_FAULT_HANG:
      m->mem->set_fault(nc::AxiFault::Hang);
      return NC_OK;
    case NC_FAULT_SLVERR:
      m->mem->set_fault(nc::AxiFault::SlvErr);
      return NC_OK;
    case NC_FAULT_COUNT:
      break;
  }
  return fail(NC_ERR_INVALID_ARG, "rtl_inject_fault: unknown fault %d", static_cast<int>(fault));
}

uint64_t nc_rtl_window_violations(const nc_rtl_t *m) {
  return m != nullptr ? m->mem->violations() : 0;
}

const char *nc_rtl_first_violation(const nc_rtl_t *m) {
  if (m == nullptr) {
    return "";
  }
  nc_rtl_t *mm = const_cast<nc_rtl_t *>(m);
  mm->violation = m->mem->first_violation();
  return mm->violation.c_str();
}

void nc_rtl_mem_bytes(const nc_rtl_t *m, uint64_t *read, uint64_t *written) {
  if (read != nullptr) {
    *read = m != nullptr ? m->mem->bytes_read() : 0;
  }
  if (written != nullptr) {
    *written = m != nullptr ? m->mem->bytes_written() : 0;
  }
}

}  // extern "C"
