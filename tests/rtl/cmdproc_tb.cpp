// Verilator bench for the command processor and the registers (tests/rtl/nc_cmdproc_tb.sv:
// nc_csr + nc_cmd_proc with stand-in units), checked against the functional model (sim/model).
//
// Every program runs twice from the same memory image: on the RTL, whose instruction ring is
// served by a small AXI memory model here, and on the model through nc_model_*. The outcome the
// ISA fixes must agree: STATUS.done/error, ERR_CODE (code and unit), ERR_INSN, ERR_INFO, and for
// programs that finish RING_HEAD and PERF_INSNS. The programs are random LOAD/GEMM/STORE
// pipelines synchronised by tokens, with SYNCs, each with at most one injected fault: an
// illegal opcode, a field out of range, an illegal dependency flag, a SYNC naming no queue, a
// bad FINISH, a STORE failing the store unit's check, a token overflow, a deadlock, a watchdog,
// a SLVERR or a hang on the fetch port. Directed tests cover the register access types,
// interrupts, ring_config, ring wrap-around, halt, soft reset and START's rules.
//
// The seed is printed with the command that reproduces the run (NEOCOG_SEED=<seed> overrides
// it). Ends with "cmdproc: N passed, N failed".

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vnc_cmdproc_tb.h"
#include "neocog/nc_hw.h"
#include "neocog/model.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

namespace {

using nctb::get_field;
using nctb::put_field;
using nctb::Rng;

constexpr uint64_t kMemBase = 0x80000000ull;
constexpr uint64_t kMemSize = 1u << 20;
constexpr uint64_t kRingBase = kMemBase;        // ring at the start of memory
constexpr uint64_t kWinBase = kMemBase + 0x40000;
constexpr uint32_t kWinSize = 0x40000;

enum class Fault { None, Slverr, Hang };

// The device interface both the RTL and the model offer.
class Dev {
 public:
  virtual ~Dev() = default;
  virtual void write(uint32_t off, uint32_t v) = 0;
  virtual uint32_t read(uint32_t off) = 0;
  virtual void run(uint64_t cycles) = 0;  // or until the device stops being busy
  virtual bool irq() = 0;
  virtual void fault(Fault f) = 0;
  virtual uint8_t *mem() = 0;
};

// ---- RTL ----

class RtlDev : public Dev {
 public:
  explicit RtlDev(uint64_t seed) : rng_(seed), mem_(kMemSize, 0) {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<Vnc_cmdproc_tb>(ctx_.get(), "top");
    top_->rst_ni = 0;
    top_->clk_i = 0;
    top_->unit_lat_i = 3;
    top_->eval();
    edge();
    edge();
    top_->rst_ni = 1;
    top_->eval();
  }
  ~RtlDev() override { top_->final(); }

  void set_unit_latency(int c) { top_->unit_lat_i = static_cast<uint16_t>(c); }
  void set_hang(int mask) { top_->hang_i = static_cast<uint8_t>(mask); }
  uint64_t cycle() const { return cycle_; }

  void write(uint32_t off, uint32_t v) override {
    top_->csr_req_i = 1;
    top_->csr_we_i = 1;
    top_->csr_addr_i = static_cast<uint16_t>(off);
    top_->csr_wdata_i = v;
    step();
    top_->csr_req_i = 0;
    top_->csr_we_i = 0;
  }

  uint32_t read(uint32_t off) override {
    top_->csr_req_i = 1;
    top_->csr_we_i = 0;
    top_->csr_addr_i = static_cast<uint16_t>(off);
    step();
    top_->csr_req_i = 0;
    top_->eval();
    if (!top_->csr_rvalid_o) {
      rvalid_missing_ = true;
    }
    return top_->csr_rdata_o;
  }

  void run(uint64_t cycles) override {
    for (uint64_t i = 0; i < cycles; i++) {
      step();
    }
  }

  bool irq() override {
    top_->eval();
    return top_->irq_o;
  }
  void fault(Fault f) override { fault_ = f; }
  uint8_t *mem() override { return mem_.data(); }
  bool rvalid_missing() const { return rvalid_missing_; }
  bool axi_error() const { return axi_error_; }

 private:
  struct Burst {
    uint64_t addr;
    int beats;
    uint64_t ready_at;
  };

  // One clock cycle with the memory model answering on the fetch port.
  void step() {
    top_->arready_i = fault_ != Fault::Hang;
    // Present the next beat of the oldest burst whose latency has passed.
    top_->rvalid_i = 0;
    top_->rlast_i = 0;
    top_->rresp_i = 0;
    if (!bursts_.empty() && bursts_.front().ready_at <= cycle_) {
      Burst &b = bursts_.front();
      top_->rvalid_i = 1;
      top_->rlast_i = b.beats == 1;
      top_->rresp_i = fault_ == Fault::Slverr ? 2 : 0;
      const uint64_t off = b.addr - kMemBase;
      for (int w = 0; w < NC_HW_BUS_BYTES / 4; w++) {
        uint32_t v = 0;
        if (off + 4 * w + 4 <= kMemSize) {
          std::memcpy(&v, &mem_[off + 4 * w], 4);
        } else {
          top_->rresp_i = 3;  // DECERR outside the memory
        }
        top_->rdata_i[w] = v;
      }
    }
    top_->eval();
    if (top_->arvalid_o && top_->arready_i) {
      if (top_->arburst_o != 1 || top_->arsize_o != 4 || (top_->araddr_o & 15) != 0 ||
          ((top_->araddr_o & 4095) + (top_->arlen_o + 1u) * 16u) > 4096) {
        axi_error_ = true;
      }
      bursts_.push_back({top_->araddr_o, top_->arlen_o + 1, cycle_ + 1 + latency_});
    }
    if (top_->rvalid_i && top_->rready_o) {
      Burst &b = bursts_.front();
      b.addr += NC_HW_BUS_BYTES;
      if (--b.beats == 0) {
        bursts_.pop_front();
      }
    }
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    top_->clk_i = 0;
    top_->eval();
    ctx_->timeInc(1);
    cycle_++;
  }

  void edge() {
    nctb::clock_edge(*top_);
    cycle_++;
  }

  Rng rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vnc_cmdproc_tb> top_;
  std::vector<uint8_t> mem_;
  std::deque<Burst> bursts_;
  uint64_t cycle_ = 0;
  uint64_t latency_ = 6;
  Fault fault_ = Fault::None;
  bool rvalid_missing_ = false;
  bool axi_error_ = false;
};

// ---- Model ----

class ModelDev : public Dev {
 public:
  ModelDev() : mem_(kMemSize, 0) {
    nc_model_config_t cfg;
    nc_model_config_default(&cfg);
    cfg.mem_latency = 6;
    if (nc_model_create(&cfg, &m_) != 0 ||
        nc_model_attach_memory(m_, mem_.data(), kMemBase, kMemSize) != 0) {
      std::fprintf(stderr, "cmdproc_tb: cannot create the functional model\n");
      std::exit(2);
    }
  }
  ~ModelDev() override { nc_model_destroy(m_); }
  void write(uint32_t off, uint32_t v) override {
    if (nc_model_csr_write(m_, off, v) != 0) {
      std::fprintf(stderr, "cmdproc_tb: model rejected a write of 0x%x\n", off);
    }
  }
  uint32_t read(uint32_t off) override {
    uint32_t v = 0;
    if (nc_model_csr_read(m_, off, &v) != 0) {
      std::fprintf(stderr, "cmdproc_tb: model rejected a read of 0x%x\n", off);
    }
    return v;
  }
  void run(uint64_t cycles) override {
    int busy = 0;
    if (nc_model_run(m_, cycles, &busy) != 0) {
      std::fprintf(stderr, "cmdproc_tb: model run failed\n");
    }
  }
  bool irq() override { return nc_model_irq(m_) != 0; }
  void fault(Fault f) override {
    const nc_fault_t mf = f == Fault::None   ? NC_FAULT_NONE
                                : f == Fault::Hang ? NC_FAULT_HANG
                                                   : NC_FAULT_SLVERR;
    if (nc_model_inject_fault(m_, mf) != 0) {
      std::fprintf(stderr, "cmdproc_tb: model rejected a fault\n");
    }
  }
  uint8_t *mem() override { return mem_.data(); }

 private:
  nc_model_t *m_ = nullptr;
  std::vector<uint8_t> mem_;
};

// ---- Programs ----

using Prog = std::vector<nc_hw_insn_t>;

nc_hw_insn_t flags(nc_hw_insn_t in, int pop_prev, int pop_next, int push_prev, int push_next) {
  nc_hw_insn_set_pop_prev(&in, static_cast<uint32_t>(pop_prev));
  nc_hw_insn_set_pop_next(&in, static_cast<uint32_t>(pop_next));
  nc_hw_insn_set_push_prev(&in, static_cast<uint32_t>(push_prev));
  nc_hw_insn_set_push_next(&in, static_cast<uint32_t>(push_next));
  return in;
}

nc_hw_insn_t load_cfg() {
  nc_hw_insn_t in;
  nc_hw_load_cfg_init(&in);
  nc_hw_load_cfg_set_x_stride(&in, NC_HW_ROWS);
  nc_hw_load_cfg_set_y_stride(&in, 64);
  return in;
}

nc_hw_insn_t load(Rng &rng) {
  nc_hw_insn_t in;
  nc_hw_load_init(&in);
  nc_hw_load_set_sram_addr(&in, static_cast<uint32_t>(rng.range(0, 1000)));
  nc_hw_load_set_dram_offset(&in, static_cast<uint32_t>(rng.range(0, 64)) * 16);
  nc_hw_load_set_elems(&in, NC_HW_ROWS);
  nc_hw_load_set_x_size(&in, static_cast<uint32_t>(rng.range(1, 4)));
  nc_hw_load_set_y_size(&in, static_cast<uint32_t>(rng.range(1, 3)));
  nc_hw_load_set_z_size(&in, 1);
  return in;
}

nc_hw_insn_t gemm(Rng &rng) {
  nc_hw_insn_t in;
  nc_hw_gemm_init(&in);
  nc_hw_gemm_set_inp_addr(&in, static_cast<uint32_t>(rng.range(0, 1000)));
  nc_hw_gemm_set_wgt_addr(&in, static_cast<uint32_t>(rng.range(0, 1000)));
  nc_hw_gemm_set_acc_addr(&in, static_cast<uint32_t>(rng.range(0, 1000)));
  nc_hw_gemm_set_loop_out(&in, static_cast<uint32_t>(rng.range(1, 3)));
  nc_hw_gemm_set_loop_in(&in, static_cast<uint32_t>(rng.range(1, 8)));
  nc_hw_gemm_set_inp_stride_out(&in, 8);
  nc_hw_gemm_set_inp_stride_in(&in, 1);
  nc_hw_gemm_set_acc_stride_out(&in, 8);
  nc_hw_gemm_set_acc_stride_in(&in, 1);
  nc_hw_gemm_set_accumulate(&in, static_cast<uint32_t>(rng.range(0, 1)));
  return in;
}

nc_hw_insn_t store(Rng &rng) {
  nc_hw_insn_t in;
  nc_hw_store_init(&in);
  nc_hw_store_set_acc_addr(&in, static_cast<uint32_t>(rng.range(0, 1000)));
  nc_hw_store_set_dram_offset(&in, static_cast<uint32_t>(rng.range(0, 64)) * 64);
  nc_hw_store_set_n_cols(&in, NC_HW_COLS);
  nc_hw_store_set_x_size(&in, static_cast<uint32_t>(rng.range(1, 4)));
  nc_hw_store_set_y_size(&in, 1);
  return in;
}

nc_hw_insn_t sync(uint32_t target, int pop_prev, int pop_next, int push_prev, int push_next) {
  nc_hw_insn_t in;
  nc_hw_sync_init(&in);
  nc_hw_sync_set_target(&in, target);
  return flags(in, pop_prev, pop_next, push_prev, push_next);
}

nc_hw_insn_t finish() {
  nc_hw_insn_t in;
  nc_hw_finish_init(&in);
  return in;
}

// A token-balanced pipeline: tiles of LOAD -> GEMM -> STORE with back-pressure tokens, plus
// SYNC barriers; ends with FINISH.
Prog pipeline(Rng &rng, int tiles) {
  Prog p;
  p.push_back(load_cfg());
  for (int t = 0; t < tiles; t++) {
    const int back = t > 0 && rng.percent(50);  // compute frees the load buffer
    p.push_back(flags(load(rng), 0, back ? 1 : 0, 0, 1));
    // The GEMM pushes back only when the next tile's LOAD pops it.
    p.push_back(flags(gemm(rng), 1, 0, 0, 1));
    p.push_back(flags(store(rng), 1, 0, 0, 0));
    if (rng.percent(25)) {
      p.push_back(sync(NC_HW_QUEUE_LOAD, 0, 0, 0, 1));
      p.push_back(sync(NC_HW_QUEUE_COMPUTE, 1, 0, 0, 0));
    }
    if (rng.percent(20)) {
      p.push_back(sync(NC_HW_QUEUE_COMPUTE, 0, 0, 0, 1));
      p.push_back(sync(NC_HW_QUEUE_STORE, 1, 0, 0, 0));
    }
    if (t + 1 < tiles && rng.percent(50)) {
      // Compute gives load a token the next LOAD may or may not take; SYNC on load takes it.
      p.push_back(sync(NC_HW_QUEUE_COMPUTE, 0, 0, 1, 0));
      p.push_back(sync(NC_HW_QUEUE_LOAD, 0, 1, 0, 0));
    }
  }
  // Fix the back-pressure pops: each LOAD that pops compute->load gets a SYNC push before it.
  Prog q;
  for (const nc_hw_insn_t &in : p) {
    if (nc_hw_insn_get_opcode(&in) == NC_HW_OP_LOAD && nc_hw_insn_get_pop_next(&in)) {
      q.push_back(sync(NC_HW_QUEUE_COMPUTE, 0, 0, 1, 0));
    }
    q.push_back(in);
  }
  q.push_back(finish());
  return q;
}

enum class Inject {
  None, IllegalOpcode, FieldRange, IllegalDep, BadSync, BadFinish, StoreCheck, Overflow,
  Deadlock, Watchdog, Slverr, FetchHang, kCount
};

const char *inject_name(Inject i) {
  static const char *const n[] = {"none",       "illegal_opcode", "field_range", "illegal_dep",
                                  "bad_sync",   "bad_finish",     "store_check", "overflow",
                                  "deadlock",   "watchdog",       "slverr",      "fetch_hang"};
  return n[static_cast<int>(i)];
}

// Applies one fault to a program; returns the fault to put on the memory port.
Fault inject(Rng &rng, Prog &p, Inject kind) {
  const size_t at = static_cast<size_t>(rng.range(1, static_cast<int64_t>(p.size()) - 1));
  nc_hw_insn_t in;
  switch (kind) {
    case Inject::None:
      break;
    case Inject::IllegalOpcode:
      std::memset(&in, 0, sizeof in);
      nc_hw_insn_set_opcode(&in, rng.percent(30) ? 0u : static_cast<uint32_t>(rng.range(NC_HW_OP_DWCONV + 1, 15)));
      p.insert(p.begin() + static_cast<long>(at), in);
      break;
    case Inject::FieldRange: {
      const int which = static_cast<int>(rng.range(0, 3));
      in = which == 0 ? gemm(rng) : which == 1 ? load(rng) : store(rng);
      if (which == 0) {
        nc_hw_gemm_set_loop_in(&in, 0);
      } else if (which == 1) {
        nc_hw_load_set_elems(&in, 17);
      } else if (which == 2) {
        nc_hw_store_set_n_cols(&in, 0);
      } else {
        in.w[3] |= 1u << 31;  // a reserved bit of the GEMM
      }
      p.insert(p.begin() + static_cast<long>(at), in);
      break;
    }
    case Inject::IllegalDep:
      in = rng.percent(50) ? flags(load(rng), 1, 0, 0, 0) : flags(store(rng), 0, 0, 0, 1);
      p.insert(p.begin() + static_cast<long>(at), in);
      break;
    case Inject::BadSync:
      in = sync(3, 0, 0, 0, 0);
      p.insert(p.begin() + static_cast<long>(at), in);
      break;
    case Inject::BadFinish:
      in = flags(finish(), 0, 0, 1, 0);
      p.insert(p.begin() + static_cast<long>(at), in);
      break;
    case Inject::StoreCheck:
      in = store(rng);
      nc_hw_store_set_pool_pad_left(&in, 1);
      p.insert(p.begin() + static_cast<long>(at), in);
      break;
    case Inject::Overflow:
      for (int i = 0; i < (1 << NC_HW_TOKEN_BITS); i++) {
        p.insert(p.begin() + static_cast<long>(at), sync(NC_HW_QUEUE_STORE, 0, 0, 1, 0));
      }
      break;
    case Inject::Deadlock:
      // A GEMM waiting for a store->compute token nobody gives, FINISH behind it.
      p.insert(p.begin() + static_cast<long>(at), flags(gemm(rng), 0, 1, 0, 0));
      break;
    case Inject::Watchdog:
      // The same, but the ring ends there: no FINISH waits, so only the watchdog can tell.
      p.resize(at);
      p.push_back(flags(gemm(rng), 0, 1, 0, 0));
      break;
    case Inject::Slverr:
      return Fault::Slverr;
    case Inject::FetchHang:
      return Fault::Hang;
    case Inject::kCount:
      break;
  }
  return Fault::None;
}

struct Outcome {
  uint32_t status = 0, code = 0, insn = 0, info = 0, head = 0, insns = 0;
  bool busy = false;
};

// Writes the ring and the registers, starts, runs to the end (or the cycle budget).
Outcome run_prog(Dev &d, const Prog &p, uint32_t ring_size, uint32_t head, Fault f,
                 uint32_t watchdog) {
  for (size_t i = 0; i < p.size(); i++) {
    const uint32_t slot = static_cast<uint32_t>((head + i) % ring_size);
    nc_hw_words_to_bytes(p[i].w, NC_HW_INSN_WORDS, d.mem() + (kRingBase - kMemBase) + 16 * slot);
  }
  d.write(NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_SOFT_RESET_SHIFT);
  d.write(NC_HW_CSR_PERF_CTRL_OFFSET, 3u);
  d.write(NC_HW_CSR_RING_BASE_LO_OFFSET, static_cast<uint32_t>(kRingBase));
  d.write(NC_HW_CSR_RING_BASE_HI_OFFSET, static_cast<uint32_t>(kRingBase >> 32));
  d.write(NC_HW_CSR_RING_SIZE_OFFSET, ring_size);
  d.write(NC_HW_CSR_RING_HEAD_OFFSET, head);
  d.write(NC_HW_CSR_RING_TAIL_OFFSET, static_cast<uint32_t>((head + p.size()) % ring_size));
  d.write(NC_HW_CSR_WIN_BASE_LO_OFFSET, static_cast<uint32_t>(kWinBase));
  d.write(NC_HW_CSR_WIN_BASE_HI_OFFSET, static_cast<uint32_t>(kWinBase >> 32));
  d.write(NC_HW_CSR_WIN_SIZE_OFFSET, kWinSize);
  d.write(NC_HW_CSR_WATCHDOG_OFFSET, watchdog);
  d.fault(f);
  d.write(NC_HW_CSR_CTRL_OFFSET, 1u << NC_HW_CSR_CTRL_START_SHIFT);
  for (int i = 0; i < 400; i++) {
    d.run(1000);
    if (!(d.read(NC_HW_CSR_STATUS_OFFSET) & 1u)) {
      break;
    }
  }
  d.fault(Fault::None);
  Outcome o;
  o.status = d.read(NC_HW_CSR_STATUS_OFFSET);
  o.busy = o.status & 1u;
  o.code = d.read(NC_HW_CSR_ERR_CODE_OFFSET);
  o.insn = d.read(NC_HW_CSR_ERR_INSN_OFFSET);
  o.info = d.read(NC_HW_CSR_ERR_INFO_OFFSET);
  o.head = d.read(NC_HW_CSR_RING_HEAD_OFFSET);
  o.insns = d.read(NC_HW_CSR_PERF_INSNS_OFFSET);
  return o;
}

std::string describe(const Outcome &o) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "status 0x%x %s/%s insn %u info %u head %u insns %u",
                o.status & 7u,
                nc_hw_err_name((o.code >> NC_HW_CSR_ERR_CODE_CODE_SHIFT) & NC_HW_CSR_ERR_CODE_CODE_MASK),
                nc_hw_unit_name((o.code >> NC_HW_CSR_ERR_CODE_UNIT_SHIFT) & NC_HW_CSR_ERR_CODE_UNIT_MASK),
                o.insn, o.info, o.head, o.insns);
  return buf;
}

struct Result {
  bool ok;
  std::string detail;
};

// One program on both devices; the ISA-fixed outcome must agree.
Result compare(uint64_t seed, const Prog &p, uint32_t ring_size, uint32_t head, Fault f,
               uint32_t watchdog, int unit_latency) {
  RtlDev rtl(seed);
  rtl.set_unit_latency(unit_latency);
  ModelDev model;
  const Outcome a = run_prog(rtl, p, ring_size, head, f, watchdog);
  const Outcome b = run_prog(model, p, ring_size, head, f, watchdog);
  bool ok = (a.status & 7u) == (b.status & 7u) && a.code == b.code && a.insn == b.insn &&
            a.info == b.info && !a.busy;
  if (ok && !(a.status & 4u)) {
    ok = a.head == b.head && a.insns == b.insns;
  }
  if (rtl.rvalid_missing() || rtl.axi_error()) {
    ok = false;
  }
  std::string d = "rtl " + describe(a);
  if (!ok) {
    d += " | model " + describe(b);
    if (rtl.axi_error()) d += " | bad AXI request";
    if (rtl.rvalid_missing()) d += " | read without rvalid";
  }
  return {ok, d};
}

// ---- Directed tests ----

// Register access types: the same writes on both, every register read back from both.
Result test_csr_access(uint64_t seed) {
  RtlDev rtl(seed);
  ModelDev model;
  Rng rng(seed);
  std::string err;
  const uint32_t offs[] = {
      NC_HW_CSR_ID_OFFSET,          NC_HW_CSR_VERSION_OFFSET,     NC_HW_CSR_HWCFG0_OFFSET,
      NC_HW_CSR_HWCFG1_OFFSET,      NC_HW_CSR_HWCFG2_OFFSET,      NC_HW_CSR_CTRL_OFFSET,
      NC_HW_CSR_STATUS_OFFSET,      NC_HW_CSR_ERR_CODE_OFFSET,    NC_HW_CSR_ERR_INSN_OFFSET,
      NC_HW_CSR_ERR_INFO_OFFSET,    NC_HW_CSR_INTR_STATE_OFFSET,  NC_HW_CSR_INTR_ENABLE_OFFSET,
      NC_HW_CSR_INTR_TEST_OFFSET,   NC_HW_CSR_RING_BASE_LO_OFFSET, NC_HW_CSR_RING_BASE_HI_OFFSET,
      NC_HW_CSR_RING_SIZE_OFFSET,   NC_HW_CSR_RING_HEAD_OFFSET,   NC_HW_CSR_RING_TAIL_OFFSET,
      NC_HW_CSR_WIN_BASE_LO_OFFSET, NC_HW_CSR_WIN_BASE_HI_OFFSET, NC_HW_CSR_WIN_SIZE_OFFSET,
      NC_HW_CSR_WATCHDOG_OFFSET,    NC_HW_CSR_PERF_CTRL_OFFSET,   NC_HW_CSR_PERF_INSNS_OFFSET,
      0x014,                        0x0fc,                        0x3fc};
  auto check_all = [&](const char *when) {
    for (uint32_t off : offs) {
      const uint32_t a = rtl.read(off), b = model.read(off);
      if (a != b && err.empty()) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s: offset 0x%03x reads 0x%08x, model 0x%08x", when, off,
                      a, b);
        err = buf;
      }
    }
  };
  check_all("after reset");
  // Random writes everywhere except CTRL (its commands are tested on their own).
  for (int i = 0; i < 200; i++) {
    uint32_t off = offs[rng.range(0, sizeof offs / sizeof offs[0] - 1)];
    if (off == NC_HW_CSR_CTRL_OFFSET) {
      continue;
    }
    const uint32_t v = static_cast<uint32_t>(rng.next());
    rtl.write(off, v);
    model.write(off, v);
    // Unaligned offsets address the same register.
    if (rng.percent(10)) {
      rtl.write(off | 2u, v ^ 0x5a5a5a5au);
      model.write(off, v ^ 0x5a5a5a5au);
    }
  }
  check_all("after random writes");
  // rw1c and wo: INTR_TEST sets, INTR_STATE clears by 1s, irq follows the enables.
  rtl.write(NC_HW_CSR_INTR_ENABLE_OFFSET, 2);
  model.write(NC_HW_CSR_INTR_ENABLE_OFFSET, 2);
  rtl.write(NC_HW_CSR_INTR_STATE_OFFSET, 3);
  model.write(NC_HW_CSR_INTR_STATE_OFFSET, 3);
  rtl.write(NC_HW_CSR_INTR_TEST_OFFSET, 1);
  model.write(NC_HW_CSR_INTR_TEST_OFFSET, 1);
  if (rtl.irq() || rtl.irq() != model.irq()) {
    err = err.empty() ? "irq raised by a disabled interrupt" : err;
  }
  rtl.write(NC_HW_CSR_INTR_TEST_OFFSET, 2);
  model.write(NC_HW_CSR_INTR_TEST_OFFSET, 2);
  if (!rtl.irq() || rtl.irq() != model.irq()) {
    err = err.empty() ? "irq not raised by INTR_TEST.error" : err;
  }
  rtl.write(NC_HW_CSR_INTR_STATE_OFFSET, 2);
  model.write(NC_HW_CSR_INTR_STATE_OFFSET, 2);
  if (rtl.irq()) {
    err = err.empty() ? "irq still high after clearing INTR_STATE.error" : err;
  }
  check_all("after interrupt tests");
  // Soft reset keeps configuration, clears INTR_STATE.
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 4);
  model.write(NC_HW_CSR_CTRL_OFFSET, 4);
  rtl.run(20);
  check_all("after soft reset");
  // Halt while idle: halted, unit host, ERR_INSN = RING_HEAD; START then ignored.
  rtl.write(NC_HW_CSR_RING_HEAD_OFFSET, 5);
  model.write(NC_HW_CSR_RING_HEAD_OFFSET, 5);
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 2);
  model.write(NC_HW_CSR_CTRL_OFFSET, 2);
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 1);
  model.write(NC_HW_CSR_CTRL_OFFSET, 1);
  rtl.run(20);
  check_all("after halt while idle");
  if (rtl.read(NC_HW_CSR_ERR_CODE_OFFSET) != NC_HW_ERR_HALTED) {
    err = err.empty() ? "halt while idle did not report halted" : err;
  }
  // soft_reset + halt in one write: reset first, then the halt is recorded.
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 6);
  model.write(NC_HW_CSR_CTRL_OFFSET, 6);
  rtl.run(20);
  check_all("after soft_reset|halt");
  // _LO snapshots _HI (both zero-high here; the read order must still work).
  (void)rtl.read(NC_HW_CSR_PERF_CYCLES_LO_OFFSET);
  if (rtl.read(NC_HW_CSR_PERF_CYCLES_HI_OFFSET) != 0) {
    err = err.empty() ? "PERF_CYCLES_HI not zero" : err;
  }
  if (rtl.rvalid_missing()) {
    err = err.empty() ? "csr_rvalid_o missing after a read" : err;
  }
  return {err.empty(), err.empty() ? "every register against the model" : err};
}

// START with each bad ring configuration.
Result test_ring_config(uint64_t seed) {
  struct Case {
    uint32_t base_lo, size, head, tail;
  } cases[] = {{0x80000000u, 0, 0, 0},
               {0x80000008u, 16, 0, 1},
               {0x80000000u, 16, 16, 1},
               {0x80000000u, 16, 0, 16}};
  std::string err;
  for (const Case &c : cases) {
    RtlDev rtl(seed);
    ModelDev model;
    for (Dev *d : {static_cast<Dev *>(&rtl), static_cast<Dev *>(&model)}) {
      d->write(NC_HW_CSR_RING_BASE_LO_OFFSET, c.base_lo);
      d->write(NC_HW_CSR_RING_BASE_HI_OFFSET, 0);
      d->write(NC_HW_CSR_RING_SIZE_OFFSET, c.size);
      d->write(NC_HW_CSR_RING_HEAD_OFFSET, c.head);
      d->write(NC_HW_CSR_RING_TAIL_OFFSET, c.tail);
      d->write(NC_HW_CSR_CTRL_OFFSET, 1);
      d->run(50);
    }
    for (uint32_t off : {NC_HW_CSR_STATUS_OFFSET, NC_HW_CSR_ERR_CODE_OFFSET,
                         NC_HW_CSR_ERR_INSN_OFFSET, NC_HW_CSR_INTR_STATE_OFFSET}) {
      const uint32_t a = rtl.read(off), b = model.read(off);
      if (a != b && err.empty()) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "size %u head %u tail %u: 0x%03x reads 0x%x, model 0x%x",
                      c.size, c.head, c.tail, off, a, b);
        err = buf;
      }
    }
  }
  return {err.empty(), err.empty() ? "4 bad configurations" : err};
}

// Halt while running, soft reset, and a clean rerun on the same device.
Result test_halt_reset(uint64_t seed) {
  Rng rng(seed);
  RtlDev rtl(seed);
  rtl.set_unit_latency(40);
  const Prog p = pipeline(rng, 6);
  for (size_t i = 0; i < p.size(); i++) {
    nc_hw_words_to_bytes(p[i].w, NC_HW_INSN_WORDS, rtl.mem() + 16 * i);
  }
  rtl.write(NC_HW_CSR_RING_BASE_LO_OFFSET, static_cast<uint32_t>(kRingBase));
  rtl.write(NC_HW_CSR_RING_BASE_HI_OFFSET, static_cast<uint32_t>(kRingBase >> 32));
  rtl.write(NC_HW_CSR_RING_SIZE_OFFSET, 256);
  rtl.write(NC_HW_CSR_RING_HEAD_OFFSET, 0);
  rtl.write(NC_HW_CSR_RING_TAIL_OFFSET, static_cast<uint32_t>(p.size()));
  rtl.write(NC_HW_CSR_INTR_ENABLE_OFFSET, 3);
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 1);
  rtl.run(60);
  // RING_SIZE ignores writes while busy; a second START is ignored.
  rtl.write(NC_HW_CSR_RING_SIZE_OFFSET, 7);
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 1);
  std::string err;
  if (rtl.read(NC_HW_CSR_RING_SIZE_OFFSET) != 256) {
    err = "RING_SIZE changed while busy";
  }
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 2);
  rtl.run(100);
  const uint32_t code = rtl.read(NC_HW_CSR_ERR_CODE_OFFSET);
  const uint32_t status = rtl.read(NC_HW_CSR_STATUS_OFFSET);
  if (err.empty() && (code != NC_HW_ERR_HALTED || (status & 7u) != 4u || !rtl.irq())) {
    err = "after halt: ERR_CODE 0x" + std::to_string(code) + ", STATUS " +
          std::to_string(status) + ", irq " + std::to_string(rtl.irq());
  }
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 4);
  rtl.run(100);
  if (err.empty() && (rtl.read(NC_HW_CSR_ERR_CODE_OFFSET) != 0 ||
                      rtl.read(NC_HW_CSR_STATUS_OFFSET) != 0 ||
                      rtl.read(NC_HW_CSR_INTR_STATE_OFFSET) != 0 || rtl.irq())) {
    err = "soft reset left error state behind";
  }
  // Rerun from the start: it must finish.
  rtl.write(NC_HW_CSR_RING_HEAD_OFFSET, 0);
  rtl.write(NC_HW_CSR_CTRL_OFFSET, 1);
  rtl.run(200000);
  const uint32_t st = rtl.read(NC_HW_CSR_STATUS_OFFSET);
  if (err.empty() && (st & 7u) != 2u) {
    err = "rerun after soft reset: STATUS " + std::to_string(st) + " ERR " +
          describe({st, rtl.read(NC_HW_CSR_ERR_CODE_OFFSET), rtl.read(NC_HW_CSR_ERR_INSN_OFFSET),
                    0, 0, 0, false});
  }
  if (err.empty() && (!rtl.irq() || rtl.read(NC_HW_CSR_INTR_STATE_OFFSET) != 1u)) {
    err = "no done interrupt after FINISH";
  }
  if (err.empty() && rtl.read(NC_HW_CSR_RING_HEAD_OFFSET) != p.size()) {
    err = "RING_HEAD not past the FINISH";
  }
  return {err.empty(), err.empty() ? "halt, soft reset, rerun to FINISH" : err};
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const uint64_t seed = nctb::seed_from_env(argv[0]);
  nctb::Tally tally("cmdproc");
  Rng rng(seed);
  auto report = [&](const std::string &name, const Result &r) {
    tally.report(name, r.ok, r.detail);
  };
  report("csr_access", test_csr_access(seed));
  report("ring_config", test_ring_config(seed + 1));
  report("halt_soft_reset", test_halt_reset(seed + 2));
  // Every fault kind a few times, and clean programs with ring wrap-around.
  for (int round = 0; round < 3; round++) {
    for (int k = 0; k < static_cast<int>(Inject::kCount); k++) {
      const Inject kind = static_cast<Inject>(k);
      Prog p = pipeline(rng, static_cast<int>(rng.range(1, 8)));
      const Fault f = inject(rng, p, kind);
      const uint32_t ring = kind == Inject::Overflow ? 1024u
                                                     : static_cast<uint32_t>(p.size() + rng.range(1, 40));
      const uint32_t head = static_cast<uint32_t>(rng.range(0, ring - 1));
      const uint32_t wd = (kind == Inject::Watchdog || kind == Inject::FetchHang) ? 3000u : 0u;
      const int lat = static_cast<int>(rng.range(0, 30));
      report(std::string("prog_") + inject_name(kind) + "_" + std::to_string(round),
             compare(rng.next(), p, ring, head, f, wd, lat));
    }
  }
  return tally.finish();
}
