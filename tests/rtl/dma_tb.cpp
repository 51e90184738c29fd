// Bench of the DMA units (nc_load_unit, nc_store_unit, nc_axi_rd_mux, nc_dma_rd/wr) through
// tests/rtl/nc_dma_tb.sv, against nc::AxiMem and C++ references written from docs/isa.md:
//
//  - LOAD: random 3-D strided regions, padding, pad lanes, contiguous and scattered rows,
//    several instructions back to back; the whole scratchpad is compared row by row.
//  - STORE: random LOAD_PARAM records, STORE_CFG (int32 / int8, no pooling / max / avg) and
//    tiles; the expected bytes come from nc_requant_apply() (base/quant.c, linked in) and the
//    ISA's pooling rules; the whole memory is compared. The chk_* precheck is compared with the
//    pooling rules of sim/model/README.md on every STORE, legal or not.
//  - Errors: dma_window (ERR_INFO = first offending offset in execution order, nothing moved),
//    dma_bus through AxiMem's SlvErr fault, a bad LOAD_PARAM record (field_range, its field's
//    LSB, the parameter memory unchanged), halt draining every open burst without writing.
//  - Master 0 of the multiplexer reads random bursts of the source region meanwhile.
// Latency, bandwidth and window placement are random per scenario; the seed is printed.
#include <algorithm>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "Vnc_dma_tb.h"
#include "neocog/nc_hw.h"
#include "neocog/quant.h"
#include "neocog/axi_mem.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

#ifndef NC_ROWS
#define NC_ROWS NC_HW_ROWS
#endif
#ifndef NC_COLS
#define NC_COLS NC_HW_COLS
#endif

namespace {

constexpr int kRows = NC_ROWS;
constexpr int kCols = NC_COLS;
constexpr int kBus = NC_HW_BUS_BYTES;
constexpr uint64_t kMemBase = 0x80000000ull;
constexpr uint64_t kMemSize = 1u << 20;
constexpr int kSpadRows = NC_HW_SPAD_ROWS;
constexpr int kAccRows = NC_HW_ACC_ROWS;
constexpr int kParams = NC_HW_PARAM_ENTRIES;
constexpr uint64_t kTimeout = 400000;

template <typename T>
void to_bytes(const T &sig, uint8_t *dst, int n) {
  for (int i = 0; i < n; i++) {
    dst[i] = static_cast<uint8_t>(static_cast<uint64_t>(sig) >> (8 * i));
  }
}
template <std::size_t N>
void to_bytes(const VlWide<N> &sig, uint8_t *dst, int n) {
  for (int i = 0; i < n; i++) {
    dst[i] = static_cast<uint8_t>(sig[i / 4] >> (8 * (i % 4)));
  }
}
template <std::size_t N>
void from_bytes(VlWide<N> &sig, const uint8_t *src, int n) {
  for (std::size_t w = 0; w < N; w++) {
    sig[w] = 0;
  }
  for (int i = 0; i < n; i++) {
    sig[i / 4] |= static_cast<uint32_t>(src[i]) << (8 * (i % 4));
  }
}
template <std::size_t N>
void from_words(VlWide<N> &sig, const uint32_t *w) {
  for (std::size_t i = 0; i < N; i++) {
    sig[i] = w[i];
  }
}

struct Report {
  bool done = false, err = false;
  uint32_t code = 0, info = 0;
  int dones = 0;
};

// The DUT, the memory model, the scratchpad and accumulator as the C++ side sees them.
struct Rig {
  std::unique_ptr<VerilatedContext> ctx;
  std::unique_ptr<Vnc_dma_tb> t;
  std::vector<uint8_t> mem;
  std::unique_ptr<nc::ArrayBacking> backing;
  std::unique_ptr<nc::AxiMem> axi;
  std::vector<uint8_t> spad;  // kSpadRows x kRows
  std::vector<int32_t> acc;   // kAccRows x kCols
  uint64_t win_base = 0;
  uint32_t win_size = 0;
  uint64_t cycle = 0;
  int ld_dones = 0, st_dones = 0;
  Report ld_err, st_err;
  // Halt bookkeeping: writes that start after the halt are bugs.
  bool halted = false;
  int writes_after_halt = 0;
  bool w_shown = false;
  bool halted_before = false;
  // Master 0: a background reader of [rd_lo, rd_hi) of the window.
  bool bg_on = false;
  uint64_t bg_lo = 0, bg_hi = 0;
  bool bg_ar = false, bg_wait = false;
  uint64_t bg_addr = 0;
  int bg_beats = 0, bg_got = 0, bg_bad = 0, bg_done = 0;
  nctb::Rng *rng;

  Rig(const nc::AxiMemConfig &mc, nctb::Rng *r) : rng(r) {
    ctx.reset(new VerilatedContext);
    ctx->fatalOnError(false);
    t.reset(new Vnc_dma_tb(ctx.get(), "tb"));
    mem.resize(kMemSize);
    for (auto &b : mem) {
      b = static_cast<uint8_t>(rng->next());
    }
    backing.reset(new nc::ArrayBacking(mem.data(), kMemBase, kMemSize));
    axi.reset(new nc::AxiMem(mc, backing.get()));
    spad.resize(size_t{kSpadRows} * kRows);
    for (auto &b : spad) {
      b = static_cast<uint8_t>(rng->next());
    }
    acc.resize(size_t{kAccRows} * kCols);
    t->clk_i = 0;
    t->rst_ni = 0;
    t->eval();
    for (int i = 0; i < 3; i++) {
      tick();
    }
    t->rst_ni = 1;
    tick();
  }

  void set_window(uint64_t base, uint32_t size) {
    win_base = base;
    win_size = size;
    t->win_base_i = base;
    t->win_size_i = size;
    axi->set_allowed(0, base, size);
    axi->set_allowed(1, 0, 0);
  }

  void bg_step() {
    // The reader's AR is shown until taken; its beats are checked against memory, which the
    // units never write in [bg_lo, bg_hi).
    if (!bg_ar && !bg_wait && bg_on && bg_hi > bg_lo + 4096 && rng->percent(20)) {
      const uint64_t span = (bg_hi - bg_lo) / kBus - 300;
      bg_addr = (bg_lo + kBus - 1) / kBus * kBus + static_cast<uint64_t>(rng->range(0, span)) *
                                                       kBus;
      const int to4k = static_cast<int>((4096 - (bg_addr & 4095)) / kBus);
      bg_beats = std::min<int>(static_cast<int>(rng->range(1, NC_HW_AXI_MAX_BEATS)), to4k);
      bg_got = 0;
      bg_ar = true;
    }
    t->f_arvalid_i = bg_ar;
    t->f_araddr_i = bg_addr;
    t->f_arlen_i = bg_beats - 1;
    t->f_rready_i = rng->percent(80);
  }

  void tick() {
    const nc::AxiRsp &r = axi->outputs();
    t->m_axi_arready = r.arready;
    t->m_axi_awready = r.awready;
    t->m_axi_wready = r.wready;
    t->m_axi_rvalid = r.rvalid;
    t->m_axi_rid = r.rid;
    from_bytes(t->m_axi_rdata, r.rdata, kBus);
    t->m_axi_rresp = r.rresp;
    t->m_axi_rlast = r.rlast;
    t->m_axi_bvalid = r.bvalid;
    t->m_axi_bid = r.bid;
    t->m_axi_bresp = r.bresp;
    bg_step();
    t->clk_i = 0;
    t->eval();
    nc::AxiReq q{};
    q.arvalid = t->m_axi_arvalid;
    q.arid = t->m_axi_arid;
    q.araddr = t->m_axi_araddr;
    q.arlen = t->m_axi_arlen;
    q.arsize = t->m_axi_arsize;
    q.arburst = t->m_axi_arburst;
    q.rready = t->m_axi_rready;
    q.awvalid = t->m_axi_awvalid;
    q.awid = t->m_axi_awid;
    q.awaddr = t->m_axi_awaddr;
    q.awlen = t->m_axi_awlen;
    q.awsize = t->m_axi_awsize;
    q.awburst = t->m_axi_awburst;
    q.wvalid = t->m_axi_wvalid;
    to_bytes(t->m_axi_wdata, q.wdata, kBus);
    q.wstrb = t->m_axi_wstrb;
    q.wlast = t->m_axi_wlast;
    q.bready = t->m_axi_bready;
    // Sampled before the edge: the units' reports, writes and reads of this cycle.
    // A beat first shown now was loaded at the last edge: a bug if the halt was up before it.
    if (halted_before && q.wvalid && !w_shown && q.wstrb != 0) {
      writes_after_halt++;
    }
    w_shown = q.wvalid && !r.wready;
    halted_before = halted;
    if (halted && t->spad_we_o) {
      writes_after_halt++;
    }
    if (t->spad_we_o) {
      uint8_t row[kRows];
      to_bytes(t->spad_wdata_o, row, kRows);
      std::memcpy(&spad[size_t{t->spad_waddr_o} * kRows], row, kRows);
    }
    if (t->ld_done_o) {
      ld_dones++;
    }
    if (t->ld_err_o) {
      ld_err = Report{false, true, t->ld_code_o, t->ld_info_o, 0};
    }
    if (t->st_done_o) {
      st_dones++;
    }
    if (t->st_err_o) {
      st_err = Report{false, true, t->st_code_o, t->st_info_o, 0};
    }
    const bool acc_re = t->acc_re_o;
    const uint32_t acc_row = t->acc_raddr_o;
    if (t->f_arvalid_i && t->f_arready_o) {
      bg_ar = false;
      bg_wait = true;
    }
    if (t->f_rvalid_o && t->f_rready_i) {
      uint8_t beat[kBus];
      to_bytes(t->f_rdata_o, beat, kBus);
      if (t->f_rresp_o != 0 ||
          std::memcmp(beat, &mem[bg_addr + uint64_t(bg_got) * kBus - kMemBase], kBus) != 0 ||
          (bg_got + 1 == bg_beats) != static_cast<bool>(t->f_rlast_o)) {
        bg_bad++;
      }
      if (++bg_got == bg_beats) {
        bg_wait = false;
        bg_done++;
      }
    }
    axi->clock(q);
    t->clk_i = 1;
    t->eval();
    if (acc_re && acc_row < static_cast<uint32_t>(kAccRows)) {
      uint32_t w[kCols];
      for (int n = 0; n < kCols; n++) {
        w[n] = static_cast<uint32_t>(acc[size_t{acc_row} * kCols + n]);
      }
      from_words(t->acc_rdata_i, w);
    }
    cycle++;
  }

  bool broken() const { return ctx->gotError(); }

  // Hands one instruction to a unit (0 load, 2 store); false on a timeout.
  bool submit(int unit, const nc_hw_insn_t &in) {
    for (uint64_t i = 0; i < kTimeout; i++) {
      if (unit == 0) {
        from_words(t->ld_insn_i, in.w);
        t->ld_valid_i = 1;
        t->eval();
        const bool go = t->ld_ready_o;
        tick();
        if (go) {
          t->ld_valid_i = 0;
          return true;
        }
      } else {
        from_words(t->st_insn_i, in.w);
        t->st_valid_i = 1;
        t->eval();
        const bool go = t->st_ready_o;
        tick();
        if (go) {
          t->st_valid_i = 0;
          return true;
        }
      }
    }
    return false;
  }

  template <typename F>
  bool run_until(F cond, uint64_t limit = kTimeout) {
    for (uint64_t i = 0; i < limit; i++) {
      if (cond()) {
        return true;
      }
      tick();
      if (broken()) {
        return false;
      }
    }
    return cond();
  }

  // What nc_cmd_proc does after an error: halt, wait for idle, soft reset, release.
  bool recover() {
    t->halt_i = 1;
    halted = true;
    const bool ok = run_until([&] { return t->ld_idle_o && t->st_idle_o && !bg_ar && !bg_wait; });
    t->srst_i = 1;
    tick();
    t->srst_i = 0;
    t->halt_i = 0;
    halted = false;
    tick();
    ld_err = Report{};
    st_err = Report{};
    return ok && axi->idle();
  }
};

// ---- LOAD reference (docs/isa.md, LOAD) ----

struct LoadCfg {
  uint32_t xs = 0, ys = 0, zs = 0;
  int8_t pad = 0;
};

struct Load {
  uint32_t sram, dram, elems, xn, yn, zn, pt, pb, pl, pr;
};

nc_hw_insn_t enc_load_cfg(const LoadCfg &c) {
  nc_hw_insn_t in;
  nc_hw_load_cfg_init(&in);
  nc_hw_load_cfg_set_x_stride(&in, c.xs);
  nc_hw_load_cfg_set_y_stride(&in, c.ys);
  nc_hw_load_cfg_set_z_stride(&in, c.zs);
  nc_hw_load_cfg_set_pad_value(&in, c.pad);
  return in;
}

nc_hw_insn_t enc_load(const Load &l) {
  nc_hw_insn_t in;
  nc_hw_load_init(&in);
  nc_hw_load_set_sram_addr(&in, l.sram);
  nc_hw_load_set_dram_offset(&in, l.dram);
  nc_hw_load_set_elems(&in, l.elems);
  nc_hw_load_set_x_size(&in, l.xn);
  nc_hw_load_set_y_size(&in, l.yn);
  nc_hw_load_set_z_size(&in, l.zn);
  nc_hw_load_set_pad_top(&in, l.pt);
  nc_hw_load_set_pad_bottom(&in, l.pb);
  nc_hw_load_set_pad_left(&in, l.pl);
  nc_hw_load_set_pad_right(&in, l.pr);
  return in;
}

uint64_t load_rows(const Load &l) {
  return uint64_t{l.zn} * (l.pt + l.yn + l.pb) * (l.pl + l.xn + l.pr);
}

// First row outside the window in execution order, or -1.
int64_t load_first_out(const Load &l, const LoadCfg &c, uint32_t win) {
  for (uint64_t z = 0; z < l.zn; z++) {
    for (uint64_t y = 0; y < l.yn; y++) {
      for (uint64_t x = 0; x < l.xn; x++) {
        const uint64_t off = l.dram + z * c.zs + y * c.ys + x * c.xs;
        if (off + l.elems > win) {
          return static_cast<int64_t>(off);
        }
      }
    }
  }
  return -1;
}

void load_ref(const Load &l, const LoadCfg &c, const Rig &r, std::vector<uint8_t> *spad) {
  uint64_t row = l.sram;
  for (uint64_t z = 0; z < l.zn; z++) {
    for (uint64_t ly = 0; ly < l.pt + l.yn + l.pb; ly++) {
      for (uint64_t lx = 0; lx < l.pl + l.xn + l.pr; lx++) {
        uint8_t *dst = &(*spad)[row * kRows];
        const bool pad = ly < l.pt || ly >= l.pt + l.yn || lx < l.pl || lx >= l.pl + l.xn;
        for (uint32_t i = 0; i < static_cast<uint32_t>(kRows); i++) {
          if (pad || i >= l.elems) {
            dst[i] = static_cast<uint8_t>(c.pad);
          } else {
            const uint64_t off = l.dram + z * c.zs + (ly - l.pt) * c.ys + (lx - l.pl) * c.xs + i;
            dst[i] = r.mem[r.win_base + off - kMemBase];
          }
        }
        row++;
      }
    }
  }
}

// A random LOAD that fits the scratchpad, with strides that keep it inside `room` bytes.
void random_load(nctb::Rng &g, uint32_t room, bool big, LoadCfg *c, Load *l) {
  l->elems = static_cast<uint32_t>(g.percent(40) ? kRows : g.range(1, kRows));
  l->xn = static_cast<uint32_t>(big ? g.range(64, 300) : g.range(1, 12));
  l->yn = static_cast<uint32_t>(big ? g.range(1, 4) : g.range(1, 6));
  l->zn = static_cast<uint32_t>(g.range(1, 3));
  const bool pads = g.percent(50);
  l->pt = pads ? static_cast<uint32_t>(g.range(0, 3)) : 0;
  l->pb = pads ? static_cast<uint32_t>(g.range(0, 3)) : 0;
  l->pl = pads ? static_cast<uint32_t>(g.range(0, 3)) : 0;
  l->pr = pads ? static_cast<uint32_t>(g.range(0, 3)) : 0;
  if (big) {
    l->zn = 1;
  }
  c->xs = g.percent(50) ? l->elems : l->elems + static_cast<uint32_t>(g.range(0, big ? 8 : 40));
  if (g.percent(10)) {
    c->xs = static_cast<uint32_t>(g.range(0, l->elems));  // overlapping rows are legal
  }
  c->ys = c->xs * l->xn + static_cast<uint32_t>(g.range(0, 64));
  c->zs = c->ys * l->yn + static_cast<uint32_t>(g.range(0, 64));
  c->pad = g.i8();
  const uint64_t span =
      uint64_t{l->zn - 1} * c->zs + uint64_t{l->yn - 1} * c->ys + uint64_t{l->xn - 1} * c->xs +
      l->elems;
  l->dram = static_cast<uint32_t>(g.range(0, static_cast<int64_t>(room - span)));
  const uint64_t rows = load_rows(*l);
  l->sram = static_cast<uint32_t>(g.range(0, static_cast<int64_t>(kSpadRows - rows)));
}

// ---- STORE reference (docs/isa.md, STORE; sim/model/README.md, pooling rules) ----

struct StoreCfg {
  uint32_t fmt = NC_HW_OUT_INT32, pool = NC_HW_POOL_NONE, kh = 1, kw = 1, sh = 1, sw = 1;
  uint32_t xs = 0, ys = 0;
};

struct Store {
  uint32_t acc, dram, param, ncols, yn, xn, pt, pb, pl, pr;
};

struct QParam {
  nc_hw_qparam_vals_t v;  // the fields
  nc_hw_qparam_t raw;     // the record as memory holds it (a test may break it)
};

nc_hw_insn_t enc_store_cfg(const StoreCfg &c) {
  nc_hw_insn_t in;
  nc_hw_store_cfg_init(&in);
  nc_hw_store_cfg_set_out_fmt(&in, c.fmt);
  nc_hw_store_cfg_set_pool_op(&in, c.pool);
  nc_hw_store_cfg_set_pool_kh(&in, c.kh);
  nc_hw_store_cfg_set_pool_kw(&in, c.kw);
  nc_hw_store_cfg_set_pool_sh(&in, c.sh);
  nc_hw_store_cfg_set_pool_sw(&in, c.sw);
  nc_hw_store_cfg_set_x_stride(&in, c.xs);
  nc_hw_store_cfg_set_y_stride(&in, c.ys);
  return in;
}

nc_hw_insn_t enc_store(const Store &s) {
  nc_hw_insn_t in;
  nc_hw_store_init(&in);
  nc_hw_store_set_acc_addr(&in, s.acc);
  nc_hw_store_set_dram_offset(&in, s.dram);
  nc_hw_store_set_param_addr(&in, s.param);
  nc_hw_store_set_n_cols(&in, s.ncols);
  nc_hw_store_set_y_size(&in, s.yn);
  nc_hw_store_set_x_size(&in, s.xn);
  nc_hw_store_set_pool_pad_top(&in, s.pt);
  nc_hw_store_set_pool_pad_bottom(&in, s.pb);
  nc_hw_store_set_pool_pad_left(&in, s.pl);
  nc_hw_store_set_pool_pad_right(&in, s.pr);
  return in;
}

nc_hw_insn_t enc_load_param(uint32_t dram, uint32_t count, uint32_t param) {
  nc_hw_insn_t in;
  nc_hw_load_param_init(&in);
  nc_hw_load_param_set_dram_offset(&in, dram);
  nc_hw_load_param_set_count(&in, count);
  nc_hw_load_param_set_param_addr(&in, param);
  return in;
}

QParam random_qparam(nctb::Rng &g) {
  QParam q;
  nc_hw_qparam_vals_t &v = q.v;
  v.bias = g.percent(20) ? static_cast<int32_t>(g.next()) : static_cast<int32_t>(g.range(-5000, 5000));
  v.mult = g.percent(80) ? static_cast<int32_t>(g.range(1 << 30, INT32_MAX))
                         : static_cast<int32_t>(g.range(0, INT32_MAX));
  v.shift = g.percent(70) ? static_cast<int32_t>(g.range(-12, 2)) : static_cast<int32_t>(g.range(-31, 30));
  v.out_zp = static_cast<int32_t>(g.range(-128, 255));
  v.act_min = static_cast<int32_t>(g.range(-128, 255));
  v.act_max = static_cast<int32_t>(g.range(v.act_min, 255));
  if (g.percent(30)) {
    v.act_min = -128;
    v.act_max = 127;
  }
  nc_hw_qparam_encode(&v, &q.raw);
  return q;
}

// Pooling precheck as sim/model/README.md states it.
uint32_t pool_check(const Store &s, const StoreCfg &c, uint32_t *info) {
  const uint32_t pad[4] = {s.pt, s.pb, s.pl, s.pr};
  const uint32_t lim[4] = {c.kh, c.kh, c.kw, c.kw};
  const uint32_t lsb[4] = {NC_HW_STORE_POOL_PAD_TOP_LSB, NC_HW_STORE_POOL_PAD_BOTTOM_LSB,
                           NC_HW_STORE_POOL_PAD_LEFT_LSB, NC_HW_STORE_POOL_PAD_RIGHT_LSB};
  for (int i = 0; i < 4; i++) {
    if (c.pool == NC_HW_POOL_NONE ? pad[i] != 0 : pad[i] >= lim[i]) {
      *info = lsb[i];
      return NC_HW_ERR_FIELD_RANGE;
    }
  }
  if (c.pool != NC_HW_POOL_NONE) {
    if (s.yn + s.pt + s.pb < c.kh) {
      *info = NC_HW_STORE_Y_SIZE_LSB;
      return NC_HW_ERR_FIELD_RANGE;
    }
    if (s.xn + s.pl + s.pr < c.kw) {
      *info = NC_HW_STORE_X_SIZE_LSB;
      return NC_HW_ERR_FIELD_RANGE;
    }
  }
  *info = 0;
  return NC_HW_ERR_NONE;
}

struct StoreGeom {
  uint64_t oh, ow, len;
};

StoreGeom store_geom(const Store &s, const StoreCfg &c) {
  const bool pool = c.pool != NC_HW_POOL_NONE;
  const uint64_t kh = pool ? c.kh : 1, kw = pool ? c.kw : 1, sh = pool ? c.sh : 1,
                 sw = pool ? c.sw : 1;
  return StoreGeom{(s.yn + s.pt + s.pb - kh) / sh + 1, (s.xn + s.pl + s.pr - kw) / sw + 1,
                   uint64_t{s.ncols} * (c.fmt == NC_HW_OUT_INT8 ? 1u : 4u)};
}

int64_t store_first_out(const Store &s, const StoreCfg &c, uint32_t win) {
  const StoreGeom g = store_geom(s, c);
  for (uint64_t oy = 0; oy < g.oh; oy++) {
    for (uint64_t ox = 0; ox < g.ow; ox++) {
      const uint64_t off = s.dram + oy * c.ys + ox * c.xs;
      if (off + g.len > win) {
        return static_cast<int64_t>(off);
      }
    }
  }
  return -1;
}

// The bytes a STORE writes, from the accumulator and the parameters, into `mem`.
void store_ref(const Store &s, const StoreCfg &c, const std::vector<int32_t> &acc,
               const std::vector<QParam> &par, const Rig &r, std::vector<uint8_t> *mem) {
  const StoreGeom g = store_geom(s, c);
  const bool pool = c.pool != NC_HW_POOL_NONE;
  std::vector<int64_t> tile(size_t{s.yn} * s.xn * s.ncols);
  static nc_requant_t rq;
  rq.enabled = 1;
  rq.channels = 1;
  for (uint32_t t = 0; t < s.yn * s.xn; t++) {
    for (uint32_t n = 0; n < s.ncols; n++) {
      const nc_hw_qparam_vals_t &q = par[s.param + n].v;
      const int32_t v = static_cast<int32_t>(
          static_cast<uint32_t>(acc[size_t{s.acc + t} * kCols + n]) + static_cast<uint32_t>(q.bias));
      int32_t out = v;
      if (c.fmt == NC_HW_OUT_INT8) {
        rq.mult[0] = q.mult;
        rq.shift[0] = q.shift;
        rq.out_zp = q.out_zp;
        rq.act_min = q.act_min;
        rq.act_max = q.act_max;
        out = nc_requant_apply(&rq, 0, v);
      }
      tile[size_t{t} * s.ncols + n] = out;
    }
  }
  for (uint64_t oy = 0; oy < g.oh; oy++) {
    for (uint64_t ox = 0; ox < g.ow; ox++) {
      int32_t out[kCols];
      if (!pool) {
        for (uint32_t n = 0; n < s.ncols; n++) {
          out[n] = static_cast<int32_t>(tile[(oy * s.xn + ox) * s.ncols + n]);
        }
      } else {
        const int64_t y0 = static_cast<int64_t>(oy * c.sh) - s.pt;
        const int64_t x0 = static_cast<int64_t>(ox * c.sw) - s.pl;
        const int64_t ya = std::max<int64_t>(y0, 0), xa = std::max<int64_t>(x0, 0);
        const int64_t yb = std::min<int64_t>(y0 + c.kh, s.yn), xb = std::min<int64_t>(x0 + c.kw, s.xn);
        const int64_t cnt = (yb - ya) * (xb - xa);
        for (uint32_t n = 0; n < s.ncols; n++) {
          int64_t mx = INT64_MIN, sum = 0;
          for (int64_t y = ya; y < yb; y++) {
            for (int64_t x = xa; x < xb; x++) {
              const int64_t v = tile[static_cast<size_t>(y * s.xn + x) * s.ncols + n];
              mx = std::max(mx, v);
              sum += v;
            }
          }
          out[n] = static_cast<int32_t>(
              c.pool == NC_HW_POOL_MAX ? mx
                                       : (sum > 0 ? (sum + cnt / 2) / cnt : (sum - cnt / 2) / cnt));
        }
      }
      uint8_t *dst = &(*mem)[r.win_base + s.dram + oy * c.ys + ox * c.xs - kMemBase];
      for (uint32_t n = 0; n < s.ncols; n++) {
        const uint32_t u = static_cast<uint32_t>(out[n]);
        if (c.fmt == NC_HW_OUT_INT8) {
          dst[n] = static_cast<uint8_t>(u);
        } else {
          for (int b = 0; b < 4; b++) {
            dst[4 * n + b] = static_cast<uint8_t>(u >> (8 * b));
          }
        }
      }
    }
  }
}

void random_store(nctb::Rng &g, uint32_t room, bool big, StoreCfg *c, Store *s) {
  c->fmt = g.percent(60) ? NC_HW_OUT_INT8 : NC_HW_OUT_INT32;
  c->pool = big ? NC_HW_POOL_NONE : static_cast<uint32_t>(g.range(0, 2));
  c->kh = static_cast<uint32_t>(g.percent(70) ? g.range(1, 3) : g.range(1, 15));
  c->kw = static_cast<uint32_t>(g.percent(70) ? g.range(1, 3) : g.range(1, 15));
  c->sh = static_cast<uint32_t>(g.range(1, 3));
  c->sw = static_cast<uint32_t>(g.range(1, 3));
  s->ncols = static_cast<uint32_t>(g.percent(40) ? kCols : g.range(1, kCols));
  s->yn = static_cast<uint32_t>(big ? g.range(8, 32) : g.range(1, 12));
  s->xn = static_cast<uint32_t>(big ? 32 : g.range(1, 12));
  if (c->pool != NC_HW_POOL_NONE) {
    s->yn = std::max(s->yn, c->kh > 4 ? c->kh - 4 : 1u);
    s->xn = std::max(s->xn, c->kw > 4 ? c->kw - 4 : 1u);
    s->pt = static_cast<uint32_t>(g.range(0, std::min(4u, c->kh - 1)));
    s->pb = static_cast<uint32_t>(g.range(0, std::min(4u, c->kh - 1)));
    s->pl = static_cast<uint32_t>(g.range(0, std::min(4u, c->kw - 1)));
    s->pr = static_cast<uint32_t>(g.range(0, std::min(4u, c->kw - 1)));
  } else {
    s->pt = s->pb = s->pl = s->pr = 0;
  }
  if (g.percent(8)) {  // a precheck failure now and then
    s->pt = static_cast<uint32_t>(g.range(0, 15));
  }
  s->acc = static_cast<uint32_t>(g.range(0, kAccRows - s->yn * s->xn));
  s->param = static_cast<uint32_t>(g.range(0, kParams - s->ncols));
  const uint64_t len = uint64_t{s->ncols} * (c->fmt == NC_HW_OUT_INT8 ? 1 : 4);
  uint32_t dummy;
  const bool ok = pool_check(*s, *c, &dummy) == NC_HW_ERR_NONE;
  const StoreGeom geo = ok ? store_geom(*s, *c) : StoreGeom{1, 1, len};
  c->xs = static_cast<uint32_t>(g.percent(50) ? len : len + g.range(0, 24));
  c->ys = static_cast<uint32_t>(c->xs * geo.ow + g.range(0, 40));
  const uint64_t span = (geo.oh - 1) * c->ys + (geo.ow - 1) * c->xs + len;
  s->dram = static_cast<uint32_t>(g.range(0, static_cast<int64_t>(room - span)));
}

void legal_store(nctb::Rng &g, uint32_t room, bool big, StoreCfg *c, Store *s) {
  for (;;) {
    random_store(g, room, big, c, s);
    uint32_t info = 0;
    if (pool_check(*s, *c, &info) == NC_HW_ERR_NONE) {
      return;
    }
  }
}

// ---- Scenarios ----

struct Bench {
  nctb::Tally tally{"dma_tb(" + std::to_string(kRows) + "x" + std::to_string(kCols) + ")"};
  nctb::Rng g;
  explicit Bench(uint64_t seed) : g(seed) {}

  nc::AxiMemConfig random_mem() {
    nc::AxiMemConfig mc;
    static const uint32_t lat[] = {0, 1, 3, 17, 60, 100, 150};
    mc.latency = lat[g.range(0, 6)];
    mc.bytes_per_cycle = g.percent(70) ? kBus : static_cast<uint32_t>(g.range(1, kBus));
    return mc;
  }

  // Window: physical base not aligned, source region (never written) in the low half,
  // destination region in the high half.
  void place_window(Rig &r) {
    const uint64_t base = kMemBase + 0x1000 + static_cast<uint64_t>(g.range(0, 200));
    r.set_window(base, 0xC0000);
    r.bg_lo = base;
    r.bg_hi = base + 0x50000;  // the bench writes LOAD_PARAM records above
  }

  // Writes `par` records at window offset `off` and loads them.
  bool load_params(Rig &r, const std::vector<QParam> &par, uint32_t off, uint32_t first,
                   uint32_t count) {
    for (uint32_t k = 0; k < count; k++) {
      nc_hw_words_to_bytes(par[first + k].raw.w, NC_HW_QPARAM_WORDS,
                           &r.mem[r.win_base + off + NC_HW_QPARAM_BYTES * k - kMemBase]);
    }
    const int before = r.st_dones;
    return r.submit(2, enc_load_param(off, count, first)) &&
           r.run_until([&] { return r.st_dones > before || r.st_err.err; });
  }

  void scenario(int idx) {
    const nc::AxiMemConfig mc = random_mem();
    Rig r(mc, &g);
    place_window(r);
    r.bg_on = g.percent(50);
    const std::string name = "scenario " + std::to_string(idx) + " (latency " +
                             std::to_string(mc.latency) + ", " +
                             std::to_string(mc.bytes_per_cycle) + " B/cycle)";
    // Parameters: every entry, in a few LOAD_PARAMs of random size and alignment.
    std::vector<QParam> par(kParams);
    for (auto &q : par) {
      q = random_qparam(g);
    }
    for (uint32_t done = 0; done < static_cast<uint32_t>(kParams);) {
      const uint32_t n = std::min<uint32_t>(static_cast<uint32_t>(g.range(1, 600)), kParams - done);
      const uint32_t off = 0x50000 + static_cast<uint32_t>(g.range(0, 63));
      if (!load_params(r, par, off, done, n) || r.st_err.err) {
        tally.report(name, false, "LOAD_PARAM did not complete");
        return;
      }
      done += n;
    }
    for (auto &a : r.acc) {
      const uint64_t v = g.next();
      a = g.percent(10) ? static_cast<int32_t>(v) : static_cast<int32_t>(v % 20001) - 10000;
      if (g.percent(1)) {
        a = INT32_MIN;
      }
    }
    // Loads and stores at once: each unit gets a short program.
    std::vector<uint8_t> spad_ref = r.spad;
    std::vector<uint8_t> mem_ref;
    LoadCfg lc;
    std::vector<std::pair<LoadCfg, Load>> loads;
    const int nload = static_cast<int>(g.range(1, 4));
    for (int i = 0; i < nload; i++) {
      Load l;
      random_load(g, 0x50000, g.percent(20), &lc, &l);
      loads.push_back({lc, l});
    }
    struct St {
      StoreCfg c;
      Store s;
      bool ok;
      uint32_t info;
    };
    std::vector<St> stores;
    const int nstore = static_cast<int>(g.range(1, 3));
    for (int i = 0; i < nstore; i++) {
      St s;
      random_store(g, 0x60000, g.percent(15), &s.c, &s.s);
      s.s.dram += 0x60000;
      s.ok = pool_check(s.s, s.c, &s.info) == NC_HW_ERR_NONE;
      stores.push_back(s);
    }
    for (auto &ld : loads) {
      load_ref(ld.second, ld.first, r, &spad_ref);
    }
    mem_ref = r.mem;
    // Submit alternately so both units run together.
    size_t li = 0, si = 0;
    int ld_expect = 0, st_expect = r.st_dones;
    bool ok = true;
    int prechecks = 0;
    while (ok && (li < loads.size() || si < stores.size())) {
      if (li < loads.size()) {
        ok = ok && r.submit(0, enc_load_cfg(loads[li].first)) && r.submit(0, enc_load(loads[li].second));
        ld_expect += 2;
        li++;
      }
      if (si < stores.size()) {
        St &s = stores[si];
        // The precheck is combinational; judge it like the command processor would.
        const nc_hw_insn_t sin = enc_store(s.s);
        ok = ok && r.submit(2, enc_store_cfg(s.c));
        st_expect++;
        ok = ok && r.run_until([&] { return r.st_dones >= st_expect; });
        from_words(r.t->chk_insn_i, sin.w);
        r.t->eval();
        const uint32_t ce = r.t->chk_err_o, cinfo = r.t->chk_info_o;
        if (ce != (s.ok ? 0u : 3u) || (!s.ok && cinfo != s.info)) {
          tally.report(name, false,
                       "precheck: got err " + std::to_string(ce) + " info " + std::to_string(cinfo) +
                           ", expected " + (s.ok ? "none" : "field_range info " + std::to_string(s.info)));
          return;
        }
        prechecks++;
        if (s.ok) {
          store_ref(s.s, s.c, r.acc, par, r, &mem_ref);
          ok = ok && r.submit(2, sin);
          st_expect++;
        }
        si++;
      }
    }
    ok = ok && r.run_until([&] { return r.ld_dones >= ld_expect && r.st_dones >= st_expect; });
    ok = ok && r.run_until([&] { return !r.bg_ar && !r.bg_wait; });
    if (!ok || r.ld_err.err || r.st_err.err || r.broken()) {
      tally.report(name, false,
                   "did not complete (load err " + std::to_string(r.ld_err.code) + ", store err " +
                       std::to_string(r.st_err.code) + ", assertion " +
                       std::to_string(r.broken()) + ")");
      return;
    }
    int bad_rows = 0, first_bad = -1;
    for (int row = 0; row < kSpadRows; row++) {
      if (std::memcmp(&r.spad[size_t(row) * kRows], &spad_ref[size_t(row) * kRows], kRows) != 0) {
        bad_rows++;
        if (first_bad < 0) {
          first_bad = row;
        }
      }
    }
    size_t bad_bytes = 0, first_byte = 0;
    for (size_t i = 0; i < kMemSize; i++) {
      if (r.mem[i] != mem_ref[i]) {
        if (bad_bytes++ == 0) {
          first_byte = i;
        }
      }
    }
    char detail[256];
    std::snprintf(detail, sizeof detail,
                  "%d LOADs, %d STOREs (%d prechecks), scratchpad rows wrong %d (first %d), "
                  "memory bytes wrong %zu (first 0x%zx), reader bursts %d bad %d, "
                  "violations %" PRIu64,
                  nload, nstore, prechecks, bad_rows, first_bad, bad_bytes, first_byte,
                  r.bg_done, r.bg_bad, r.axi->violations());
    tally.report(name, bad_rows == 0 && bad_bytes == 0 && r.bg_bad == 0 &&
                           r.axi->violations() == 0,
                 detail + (r.axi->violations() ? " " + r.axi->first_violation() : ""));
  }

  // ---- error cases ----

  void window_errors() {
    Rig r(random_mem(), &g);
    place_window(r);
    r.set_window(r.win_base, 0x8000 + static_cast<uint32_t>(g.range(0, 100)));
    for (int i = 0; i < 6; i++) {
      // LOAD running past the end of the window.
      LoadCfg c;
      Load l;
      random_load(g, 0x40000, false, &c, &l);
      const uint64_t span = uint64_t{l.zn - 1} * c.zs + uint64_t{l.yn - 1} * c.ys +
                            uint64_t{l.xn - 1} * c.xs + l.elems;
      l.dram = static_cast<uint32_t>(r.win_size - span + 1 + static_cast<uint64_t>(g.range(0, 300)));
      const int64_t first = load_first_out(l, c, r.win_size);
      const std::vector<uint8_t> spad0 = r.spad;
      const uint64_t rd0 = r.axi->bytes_read();
      bool ok = first >= 0 && r.submit(0, enc_load_cfg(c)) && r.submit(0, enc_load(l)) &&
                r.run_until([&] { return r.ld_err.err; }, 100000);
      const bool good = ok && r.ld_err.err && r.ld_err.code == NC_HW_ERR_DMA_WINDOW &&
                        r.ld_err.info == static_cast<uint32_t>(first) && r.spad == spad0 &&
                        r.axi->bytes_read() == rd0;
      tally.report("LOAD dma_window", good,
                   "info " + std::to_string(r.ld_err.info) + " expected " + std::to_string(first));
      tally.report("recover after LOAD error", r.recover(), "");
    }
    for (int i = 0; i < 6; i++) {
      StoreCfg c;
      Store s;
      legal_store(g, 0x40000, false, &c, &s);
      const StoreGeom geo = store_geom(s, c);
      const uint64_t span = (geo.oh - 1) * c.ys + (geo.ow - 1) * c.xs + geo.len;
      s.dram = static_cast<uint32_t>(r.win_size - span + 1 + static_cast<uint64_t>(g.range(0, 300)));
      const int64_t first = store_first_out(s, c, r.win_size);
      const std::vector<uint8_t> mem0 = r.mem;
      const int d0 = r.st_dones;
      bool ok = first >= 0 && r.submit(2, enc_store_cfg(c)) && r.submit(2, enc_store(s)) &&
                r.run_until([&] { return r.st_err.err || r.st_dones >= d0 + 2; }, 100000);
      const bool good = ok && r.st_err.err && r.st_err.code == NC_HW_ERR_DMA_WINDOW &&
                        r.st_err.info == static_cast<uint32_t>(first) && r.mem == mem0;
      tally.report("STORE dma_window", good,
                   "info " + std::to_string(r.st_err.info) + " expected " + std::to_string(first));
      tally.report("recover after STORE error", r.recover(), "");
    }
    for (int i = 0; i < 4; i++) {
      const uint32_t count = static_cast<uint32_t>(g.range(1, 100));
      const uint32_t off = r.win_size - static_cast<uint32_t>(g.range(0, 16 * count - 1));
      const uint32_t k = off <= r.win_size ? (r.win_size - off) / 16 : 0;
      const uint32_t first = off + 16 * k;
      const int d0 = r.st_dones;
      const bool ok = r.submit(2, enc_load_param(off, count, 0)) &&
                      r.run_until([&] { return r.st_err.err || r.st_dones > d0; });
      tally.report("LOAD_PARAM dma_window",
                   ok && r.st_err.err && r.st_err.code == NC_HW_ERR_DMA_WINDOW &&
                       r.st_err.info == first,
                   "info " + std::to_string(r.st_err.info) + " expected " + std::to_string(first));
      tally.report("recover after LOAD_PARAM error", r.recover(), "");
    }
  }

  void bad_record_and_bus_errors() {
    Rig r(random_mem(), &g);
    place_window(r);
    std::vector<QParam> par(kParams);
    for (auto &q : par) {
      q = random_qparam(g);
    }
    if (!load_params(r, par, 0x1000, 0, kParams)) {
      tally.report("LOAD_PARAM all entries", false, "");
      return;
    }
    // A bad record somewhere in a LOAD_PARAM over entries [p0, p0 + n).
    const uint32_t n = static_cast<uint32_t>(g.range(2, 64));
    const uint32_t p0 = static_cast<uint32_t>(g.range(0, kParams - n));
    std::vector<QParam> bad = par;
    for (uint32_t k = 0; k < n; k++) {
      bad[p0 + k] = random_qparam(g);
    }
    const uint32_t kb = static_cast<uint32_t>(g.range(0, n - 1));
    nc_hw_qparam_t rec = bad[p0 + kb].raw;
    switch (g.range(0, 3)) {
      case 0:
        nc_hw_qparam_set_act_min(&rec, 100);
        nc_hw_qparam_set_act_max(&rec, 50);
        break;
      case 1:
        rec.w[2] |= 1u << 12;  // reserved bits 79:72
        break;
      case 2:
        nc_hw_qparam_set_shift(&rec, 31);
        break;
      default:
        nc_hw_qparam_set_out_zp(&rec, 300);
        break;
    }
    bad[p0 + kb].raw = rec;
    uint32_t info = 0;
    const uint32_t e = nc_hw_qparam_check(&rec, &info);
    load_params(r, bad, 0x9000 + static_cast<uint32_t>(g.range(0, 15)), p0, n);
    tally.report("LOAD_PARAM bad record", r.st_err.err && r.st_err.code == e && r.st_err.info == info,
                 "err " + std::to_string(r.st_err.code) + " info " + std::to_string(r.st_err.info) +
                     ", expected " + std::to_string(e) + " info " + std::to_string(info));
    tally.report("recover after the bad record", r.recover(), "");
    // The parameter memory still holds the old records: a STORE over them agrees with `par`.
    StoreCfg c;
    c.fmt = NC_HW_OUT_INT8;
    Store s{0, 0x70000, p0, std::min<uint32_t>(n, kCols), 2, 3, 0, 0, 0, 0};
    c.xs = s.ncols;
    c.ys = 3 * s.ncols;
    for (auto &a : r.acc) {
      a = static_cast<int32_t>(g.range(-100000, 100000));
    }
    std::vector<uint8_t> ref = r.mem;
    store_ref(s, c, r.acc, par, r, &ref);
    const int d0 = r.st_dones;
    const bool ok = r.submit(2, enc_store_cfg(c)) && r.submit(2, enc_store(s)) &&
                    r.run_until([&] { return r.st_dones >= d0 + 2 || r.st_err.err; });
    tally.report("parameters unchanged after the bad record", ok && !r.st_err.err && r.mem == ref, "");
    // dma_bus from each kind of instruction under an injected SLVERR.
    for (int kind = 0; kind < 3; kind++) {
      r.axi->set_fault(nc::AxiFault::SlvErr);
      const std::vector<uint8_t> mem0 = r.mem;
      bool got = false;
      if (kind == 0) {
        LoadCfg lc;
        Load l;
        random_load(g, 0x50000, false, &lc, &l);
        got = r.submit(0, enc_load_cfg(lc)) && r.submit(0, enc_load(l)) &&
              r.run_until([&] { return r.ld_err.err; }, 20000);
        got = got && r.ld_err.code == NC_HW_ERR_DMA_BUS && r.ld_err.info == 0;
      } else if (kind == 1) {
        StoreCfg sc;
        Store st;
        legal_store(g, 0x60000, false, &sc, &st);
        st.dram += 0x60000;
        got = r.submit(2, enc_store_cfg(sc)) && r.submit(2, enc_store(st)) &&
              r.run_until([&] { return r.st_err.err; }, 20000);
        got = got && r.st_err.code == NC_HW_ERR_DMA_BUS && r.st_err.info == 0 && r.mem == mem0;
      } else {
        got = r.submit(2, enc_load_param(0x1000, 20, 5)) &&
              r.run_until([&] { return r.st_err.err; }, 20000);
        got = got && r.st_err.code == NC_HW_ERR_DMA_BUS && r.st_err.info == 0;
      }
      static const char *names[3] = {"LOAD dma_bus", "STORE dma_bus", "LOAD_PARAM dma_bus"};
      tally.report(names[kind], got,
                   "load err " + std::to_string(r.ld_err.code) + ", store err " +
                       std::to_string(r.st_err.code));
      r.axi->set_fault(nc::AxiFault::None);
      tally.report(std::string("recover after ") + names[kind], r.recover(), "");
    }
  }

  void halt_drain() {
    for (int i = 0; i < 4; i++) {
      nc::AxiMemConfig mc = random_mem();
      mc.latency = 100;
      Rig r(mc, &g);
      place_window(r);
      r.bg_on = true;
      LoadCfg lc;
      Load l;
      random_load(g, 0x50000, true, &lc, &l);
      StoreCfg sc;
      Store s;
      legal_store(g, 0x60000, true, &sc, &s);
      s.dram += 0x60000;
      bool ok = r.submit(0, enc_load_cfg(lc)) && r.submit(0, enc_load(l)) &&
                r.submit(2, enc_store_cfg(sc)) && r.submit(2, enc_store(s));
      const uint64_t delay = static_cast<uint64_t>(g.range(0, 400));
      for (uint64_t k = 0; k < delay; k++) {
        r.tick();
      }
      r.bg_on = false;
      r.t->halt_i = 1;
      r.halted = true;
      ok = ok && r.run_until([&] {
        return r.t->ld_idle_o && r.t->st_idle_o && !r.bg_ar && !r.bg_wait && r.axi->idle();
      }, 20000);
      tally.report("halt drains every burst", ok && r.writes_after_halt == 0 && !r.broken(),
                   "after " + std::to_string(delay) + " cycles; writes after halt " +
                       std::to_string(r.writes_after_halt));
      tally.report("recover after halt", r.recover(), "");
      // And it works again.
      random_load(g, 0x50000, false, &lc, &l);
      std::vector<uint8_t> ref = r.spad;
      load_ref(l, lc, r, &ref);
      const int d0 = r.ld_dones;
      ok = r.submit(0, enc_load_cfg(lc)) && r.submit(0, enc_load(l)) &&
           r.run_until([&] { return r.ld_dones >= d0 + 2 || r.ld_err.err; });
      tally.report("LOAD after soft reset", ok && r.spad == ref, "");
    }
  }

  // Throughput figures (printed, not asserted): long contiguous LOAD and int8 STORE.
  void throughput() {
    nc::AxiMemConfig mc;
    mc.latency = 100;
    Rig r(mc, &g);
    r.set_window(kMemBase + 0x1000, 0xC0000);
    LoadCfg lc;
    lc.xs = kRows;
    lc.ys = kRows * 256;
    Load l{0, 0, static_cast<uint32_t>(kRows), 256, 4, 1, 0, 0, 0, 0};
    bool ok = r.submit(0, enc_load_cfg(lc));
    const uint64_t t0 = r.cycle;
    ok = ok && r.submit(0, enc_load(l)) && r.run_until([&] { return r.ld_dones >= 2; });
    const uint64_t load_cycles = r.cycle - t0;
    StoreCfg sc;
    sc.fmt = NC_HW_OUT_INT8;
    sc.xs = kCols;
    sc.ys = kCols * 32;
    Store s{0, 0x60000, 0, static_cast<uint32_t>(kCols), 32, 32, 0, 0, 0, 0};
    ok = ok && r.submit(2, enc_store_cfg(sc));
    const uint64_t t1 = r.cycle;
    ok = ok && r.submit(2, enc_store(s)) && r.run_until([&] { return r.st_dones >= 2; });
    const uint64_t store_cycles = r.cycle - t1;
    // Scattered rows (one burst each) and an unaligned destination.
    lc.xs = 2 * kRows;
    lc.ys = 2 * kRows * 256;
    ok = ok && r.submit(0, enc_load_cfg(lc));
    const uint64_t t2 = r.cycle;
    ok = ok && r.submit(0, enc_load(l)) && r.run_until([&] { return r.ld_dones >= 4; });
    const uint64_t scat_cycles = r.cycle - t2;
    lc.xs = kRows;
    lc.ys = kRows * 256;
    l.dram = 0x20000 + 7;
    ok = ok && r.submit(0, enc_load_cfg(lc));
    const uint64_t t4 = r.cycle;
    ok = ok && r.submit(0, enc_load(l)) && r.run_until([&] { return r.ld_dones >= 6; });
    const uint64_t lunal_cycles = r.cycle - t4;
    s.dram += 5;
    const uint64_t t3 = r.cycle;
    ok = ok && r.submit(2, enc_store(s)) && r.run_until([&] { return r.st_dones >= 3; });
    const uint64_t unal_cycles = r.cycle - t3;
    char d[400];
    std::snprintf(d, sizeof d,
                  "latency 100, rows/cycle over 1024 rows: LOAD contiguous %.2f, unaligned %.2f, "
                  "scattered %.2f, int8 STORE aligned %.2f, unaligned %.2f",
                  1024.0 / load_cycles, 1024.0 / lunal_cycles, 1024.0 / scat_cycles,
                  1024.0 / store_cycles,
                  1024.0 / unal_cycles);
    tally.report("throughput run completes", ok, d);
  }
};

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const uint64_t seed = nctb::seed_from_env(argv[0]);
  Bench b(seed);
  const char *n = std::getenv("NEOCOG_DMA_SCENARIOS");
  const int scenarios = n != nullptr ? std::atoi(n) : 12;
  for (int i = 0; i < scenarios; i++) {
    b.scenario(i);
  }
  b.window_errors();
  b.bad_record_and_bus_errors();
  b.halt_drain();
  b.throughput();
  return b.tally.finish();
}
