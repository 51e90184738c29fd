// Verilator bench for the compute path: nc_spad + nc_compute_unit + nc_acc (tests/rtl/
// nc_compute_tb.sv), built once per array shape.
//
// The bench fills the scratchpad with random rows through the load unit's write port, reads the
// whole accumulator back through the store unit's read port as the starting state, then feeds
// streams of GEMM instructions (built and checked with the generated C helpers of nc_hw.h) and
// compares the accumulator afterwards with a plain C++ GEMM that executes the same instructions
// one after the other from the same scratchpad contents, as docs/isa.md defines GEMM. Streams
// mix new and kept weights, overwrite and accumulate, all strides including 0 (back-to-back
// results on one row) and runs of GEMMs accumulating into the same rows (the kernel taps of a
// convolution). done_o must pulse once per GEMM. DWCONVs (depthwise, docs/isa.md) run alone, mixed
// with GEMMs (the array changes mode) and back to back in one geometry, against a plain C++
// depthwise convolution. The performance test prints the cycles of a
// long GEMM fold stream next to SCALE-Sim's count for the same folds.
//
// Random data comes from a seeded PRNG; the seed is printed with the command that reproduces
// the run (NEOCOG_SEED=<seed> overrides it). Ends with "compute_<R>x<C>: N passed, N failed".

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vnc_compute_tb.h"
#include "neocog/nc_hw.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

#ifndef NC_ROWS
#error "build with -DNC_ROWS=<rows> matching -GNumRows"
#endif
#ifndef NC_COLS
#error "build with -DNC_COLS=<cols> matching -GNumCols"
#endif

namespace {

using nctb::get_field;
using nctb::put_field;
using nctb::Rng;

constexpr int kRows = NC_ROWS;
constexpr int kCols = NC_COLS;
constexpr int kLatency = kRows + kCols - 1;
constexpr uint32_t kSpadRows = NC_HW_SPAD_ROWS;
constexpr uint32_t kAccRows = NC_HW_ACC_ROWS;
constexpr uint32_t kBankRows = NC_HW_SPAD_BANK_ROWS;

struct Gemm {
  uint32_t inp = 0, acc = 0, wgt = 0;
  uint32_t lo = 1, li = 1, iso = 0, isi = 0, aso = 0, asi = 0;
  bool keep = false, accumulate = false;

  nc_hw_insn_t encode() const {
    nc_hw_insn_t in;
    nc_hw_gemm_init(&in);
    nc_hw_gemm_set_inp_addr(&in, inp);
    nc_hw_gemm_set_acc_addr(&in, acc);
    nc_hw_gemm_set_wgt_addr(&in, wgt);
    nc_hw_gemm_set_loop_out(&in, lo);
    nc_hw_gemm_set_loop_in(&in, li);
    nc_hw_gemm_set_inp_stride_out(&in, iso);
    nc_hw_gemm_set_inp_stride_in(&in, isi);
    nc_hw_gemm_set_acc_stride_out(&in, aso);
    nc_hw_gemm_set_acc_stride_in(&in, asi);
    nc_hw_gemm_set_wgt_keep(&in, keep ? 1 : 0);
    nc_hw_gemm_set_accumulate(&in, accumulate ? 1 : 0);
    return in;
  }

  // The rows it touches lie in the memories. The generated checker knows the limits of the
  // configuration nc_hw.h was generated for; the wgt_addr limit is restated for this bench's
  // kCols.
  bool legal() const {
    nc_hw_insn_t in = encode();
    uint32_t info = 0;
    return nc_hw_insn_check(&in, &info) == NC_HW_ERR_NONE && wgt + kCols <= kSpadRows;
  }
};

// A DWCONV: lane c of each output pixel is the kh x kw window of lane c, times column c's taps.
struct Dw {
  uint32_t inp = 0, acc = 0, wgt = 0;
  uint32_t oh = 1, ow = 1, line = 1, kh = 1, kw = 1, sy = 1, sx = 1, aso = 0, asi = 1, ps = 1;
  bool keep = false, accumulate = false;

  nc_hw_insn_t encode() const {
    nc_hw_insn_t in;
    nc_hw_dwconv_init(&in);
    nc_hw_dwconv_set_inp_addr(&in, inp);
    nc_hw_dwconv_set_acc_addr(&in, acc);
    nc_hw_dwconv_set_wgt_addr(&in, wgt);
    nc_hw_dwconv_set_out_h(&in, oh);
    nc_hw_dwconv_set_out_w(&in, ow);
    nc_hw_dwconv_set_line(&in, line);
    nc_hw_dwconv_set_kh(&in, kh);
    nc_hw_dwconv_set_kw(&in, kw);
    nc_hw_dwconv_set_stride_y(&in, sy);
    nc_hw_dwconv_set_stride_x(&in, sx);
    nc_hw_dwconv_set_acc_stride_out(&in, aso);
    nc_hw_dwconv_set_acc_stride_in(&in, asi);
    nc_hw_dwconv_set_wgt_keep(&in, keep ? 1 : 0);
    nc_hw_dwconv_set_accumulate(&in, accumulate ? 1 : 0);
    nc_hw_dwconv_set_pix_stride(&in, ps);
    return in;
  }

  // As Gemm::legal, and the taps fit this bench's column (the checker knows the data file's).
  bool legal() const {
    nc_hw_insn_t in = encode();
    uint32_t info = 0;
    return nc_hw_insn_check(&in, &info) == NC_HW_ERR_NONE && wgt + kCols <= kSpadRows &&
           kh * kw <= static_cast<uint32_t>(kRows);
  }
};

// One instruction of a stream.
struct Cmd {
  bool is_dw = false;
  Gemm g;
  Dw d;
  Cmd(const Gemm &x) : g(x) {}  // NOLINT: a GEMM is a command
  Cmd(const Dw &x) : is_dw(true), d(x) {}  // NOLINT: so is a DWCONV
  nc_hw_insn_t encode() const { return is_dw ? d.encode() : g.encode(); }
};

class Bench {
 public:
  explicit Bench(uint64_t seed) : rng_(seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<Vnc_compute_tb>(ctx_.get(), "top");
    spad_.assign(static_cast<size_t>(kSpadRows) * kRows, 0);
    acc_.assign(static_cast<size_t>(kAccRows) * kCols, 0);
    wgt_.assign(static_cast<size_t>(kCols) * kRows, 0);  // PEs reset to zero weights
    top_->rst_ni = 0;
    top_->clk_i = 0;
    top_->eval();
    edge();
    edge();
    top_->rst_ni = 1;
    top_->eval();
    fill_spad();
    read_acc();
  }
  ~Bench() { top_->final(); }

  Rng &rng() { return rng_; }
  uint64_t cycle() const { return cycle_; }
  const std::string &first_error() const { return first_error_; }
  uint64_t macs() const { return macs_; }
  uint64_t stalls() const { return stalls_; }

  // A failure of the test now running; the first one of each test is its message.
  void fail(const std::string &msg) {
    if (errors_++ == reported_) {
      first_error_ = msg;
    }
  }

  // Ends a test: passed unless it failed since the last one ended (the tests share the
  // bench's state, not their failures).
  bool end_test() {
    const bool ok = errors_ == reported_;
    reported_ = errors_;
    return ok;
  }

  // Executes a GEMM on the reference: acc rows (+)= spad rows x W, W from the scratchpad
  // unless kept.
  void reference(const Gemm &g) {
    if (!g.keep) {
      for (int n = 0; n < kCols; n++) {
        for (int k = 0; k < kRows; k++) {
          wgt_[static_cast<size_t>(n) * kRows + k] = spad_[(g.wgt + n) * kRows + k];
        }
      }
    }
    for (uint32_t o = 0; o < g.lo; o++) {
      for (uint32_t i = 0; i < g.li; i++) {
        const int8_t *a = &spad_[static_cast<size_t>(g.inp + o * g.iso + i * g.isi) * kRows];
        int32_t *dst = &acc_[static_cast<size_t>(g.acc + o * g.aso + i * g.asi) * kCols];
        for (int n = 0; n < kCols; n++) {
          uint32_t s = 0;
          for (int k = 0; k < kRows; k++) {
            s += static_cast<uint32_t>(a[k] * wgt_[static_cast<size_t>(n) * kRows + k]);
          }
          dst[n] = static_cast<int32_t>(g.accumulate ? static_cast<uint32_t>(dst[n]) + s : s);
        }
      }
    }
  }

  // Executes a DWCONV on the reference, from docs/isa.md: column c (lane c) takes tap
  // ky*kw+kx from lane ky*kw+kx of weight row c; lanes the scratchpad lacks are zero.
  void reference(const Dw &d) {
    if (!d.keep) {
      for (int n = 0; n < kCols; n++) {
        for (int k = 0; k < kRows; k++) {
          wgt_[static_cast<size_t>(n) * kRows + k] = spad_[(d.wgt + n) * kRows + k];
        }
      }
    }
    for (uint32_t oy = 0; oy < d.oh; oy++) {
      for (uint32_t ox = 0; ox < d.ow; ox++) {
        int32_t *dst = &acc_[static_cast<size_t>(d.acc + oy * d.aso + ox * d.asi) * kCols];
        for (int c = 0; c < kCols; c++) {
          uint32_t s = 0;
          for (uint32_t ky = 0; ky < d.kh && c < kRows; ky++) {
            for (uint32_t kx = 0; kx < d.kw; kx++) {
              const uint32_t row =
                  d.inp + ((oy * d.sy + ky) * d.line + ox * d.sx + kx) * d.ps;
              s += static_cast<uint32_t>(
                  spad_[static_cast<size_t>(row) * kRows + c] *
                  wgt_[static_cast<size_t>(c) * kRows + ky * d.kw + kx]);
            }
          }
          dst[c] = static_cast<int32_t>(d.accumulate ? static_cast<uint32_t>(dst[c]) + s : s);
        }
      }
    }
  }

  uint64_t run(const std::vector<Gemm> &gemms, int idle_pct = 0, uint64_t max_cycles = 2000000) {
    return run(std::vector<Cmd>(gemms.begin(), gemms.end()), idle_pct, max_cycles);
  }

  // Feeds the commands (waiting idle_pct percent of the cycles before presenting one) and runs
  // until each completed. Returns the cycles from the first one taken to the last done pulse.
  uint64_t run(const std::vector<Cmd> &gemms, int idle_pct = 0, uint64_t max_cycles = 2000000) {
    std::deque<nc_hw_insn_t> q;
    for (const Cmd &c : gemms) {
      q.push_back(c.encode());
      if (c.is_dw) {
        reference(c.d);
      } else {
        reference(c.g);
      }
    }
    const uint64_t limit = cycle_ + max_cycles;
    size_t done = 0;
    uint64_t first = 0, last = 0;
    bool presenting = false;
    while (done < gemms.size() || !top_->idle_o) {
      if (cycle_ >= limit) {
        fail("timeout: " + std::to_string(q.size()) + " GEMMs not taken, " +
             std::to_string(gemms.size() - done) + " not done");
        return 0;
      }
      presenting = !q.empty() && (presenting || !rng_.percent(idle_pct));
      top_->cmd_valid_i = presenting;
      if (presenting) {
        nctb::put_words(top_->cmd_insn_i, q.front().w, NC_HW_INSN_WORDS);
      }
      top_->eval();
      if (top_->done_o) {
        if (++done > gemms.size()) {
          fail("more done pulses than GEMMs at cycle " + std::to_string(cycle_));
        }
        last = cycle_;
      }
      macs_ += top_->macs_o;
      stalls_ += top_->stall_o;
      if (presenting && top_->cmd_ready_o) {
        if (q.size() == gemms.size()) {
          first = cycle_;
        }
        q.pop_front();
        presenting = false;
      }
      edge();
    }
    top_->cmd_valid_i = 0;
    return last >= first ? last - first + 1 : 0;
  }

  // Compares every accumulator row with the reference.
  void check_acc(const std::string &what) {
    for (uint32_t r = 0; r < kAccRows && errors_ == reported_; r++) {
      const std::vector<int32_t> got = acc_row(r);
      for (int n = 0; n < kCols; n++) {
        const int32_t want = acc_[static_cast<size_t>(r) * kCols + n];
        if (got[n] != want) {
          char buf[200];
          std::snprintf(buf, sizeof buf, "%s: acc row %u lane %d: got %" PRId32
                        ", expected %" PRId32, what.c_str(), r, n, got[n], want);
          fail(buf);
          break;
        }
      }
    }
  }

  // Takes the accumulator's contents as the reference's (after an interrupted stream).
  void read_acc() {
    for (uint32_t r = 0; r < kAccRows; r++) {
      const std::vector<int32_t> got = acc_row(r);
      for (int n = 0; n < kCols; n++) {
        acc_[static_cast<size_t>(r) * kCols + n] = got[n];
      }
    }
  }

  // Halt for a few cycles with work in flight, wait until idle, then soft reset.
  void halt_and_reset(const std::vector<Cmd> &gemms, int cycles_before_halt) {
    std::deque<nc_hw_insn_t> q;
    for (const Cmd &g : gemms) {
      q.push_back(g.encode());
    }
    for (int c = 0; c < cycles_before_halt; c++) {
      top_->cmd_valid_i = !q.empty();
      if (!q.empty()) {
        nctb::put_words(top_->cmd_insn_i, q.front().w, NC_HW_INSN_WORDS);
      }
      top_->eval();
      if (!q.empty() && top_->cmd_ready_o) {
        q.pop_front();
      }
      edge();
    }
    top_->cmd_valid_i = 0;
    top_->halt_i = 1;
    int waited = 0;
    for (;; waited++) {
      top_->eval();
      // done_o is a register: in the first halted cycle it may still report a GEMM that
      // completed at the edge before the halt; from the next edge on, nothing completes.
      if (top_->done_o && waited > 0) {
        fail("done pulse while halted");
      }
      if (top_->idle_o || waited > 10000) {
        break;
      }
      edge();
    }
    if (!top_->idle_o) {
      fail("not idle 10000 cycles after halt");
    }
    top_->srst_i = 1;
    edge();
    top_->srst_i = 0;
    top_->halt_i = 0;
    for (waited = 0; waited < 10000; waited++) {
      top_->eval();
      if (top_->idle_o) {
        break;
      }
      edge();
    }
    if (!top_->idle_o) {
      fail("not idle 10000 cycles after soft reset");
    }
    // Soft reset zeroes the stationary weights (sim/model/README.md).
    std::fill(wgt_.begin(), wgt_.end(), 0);
    read_acc();
  }

 private:
  void edge() {
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    top_->clk_i = 0;
    top_->eval();
    ctx_->timeInc(1);
    cycle_++;
  }

  void fill_spad() {
    for (uint32_t r = 0; r < kSpadRows; r++) {
      top_->spad_we_i = 1;
      top_->spad_waddr_i = r;
      for (int k = 0; k < kRows; k++) {
        // A few rows of extremes, for the largest products of either sign.
        const int8_t v = (r % 97 == 0) ? static_cast<int8_t>(k & 1 ? 127 : -128) : rng_.i8();
        spad_[static_cast<size_t>(r) * kRows + k] = v;
        put_field(top_->spad_wdata_i, 8 * k, 8, static_cast<uint8_t>(v));
      }
      edge();
    }
    top_->spad_we_i = 0;
    top_->eval();
  }

  std::vector<int32_t> acc_row(uint32_t r) {
    top_->acc_re_i = 1;
    top_->acc_raddr_i = r;
    edge();
    top_->acc_re_i = 0;
    top_->eval();
    std::vector<int32_t> v(kCols);
    for (int n = 0; n < kCols; n++) {
      v[n] = static_cast<int32_t>(get_field(top_->acc_rdata_o, 32 * n, 32));
    }
    return v;
  }

  Rng rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vnc_compute_tb> top_;
  uint64_t cycle_ = 0;
  int errors_ = 0;    // failures so far
  int reported_ = 0;  // ... of them in tests already ended
  std::string first_error_;
  uint64_t macs_ = 0, stalls_ = 0;
  std::vector<int8_t> spad_;
  std::vector<int32_t> acc_;
  std::vector<int8_t> wgt_;
};

// A random legal GEMM; small loops mostly, any stride including 0.
Gemm random_gemm(Rng &rng, bool first) {
  for (;;) {
    Gemm g;
    g.lo = static_cast<uint32_t>(rng.percent(20) ? rng.range(1, 40) : rng.range(1, 6));
    g.li = static_cast<uint32_t>(rng.percent(20) ? rng.range(1, 64) : rng.range(1, 8));
    g.iso = static_cast<uint32_t>(rng.percent(20) ? 0 : rng.range(0, 300));
    g.isi = static_cast<uint32_t>(rng.percent(20) ? 0 : rng.range(0, 4));
    g.aso = static_cast<uint32_t>(rng.percent(20) ? 0 : rng.range(0, 80));
    g.asi = static_cast<uint32_t>(rng.percent(25) ? 0 : rng.range(0, 3));
    g.inp = static_cast<uint32_t>(rng.range(0, kSpadRows - 1));
    g.acc = static_cast<uint32_t>(rng.range(0, kAccRows - 1));
    g.keep = !first && rng.percent(30);
    g.wgt = g.keep ? 0 : static_cast<uint32_t>(rng.range(0, kSpadRows - kCols));
    g.accumulate = rng.percent(60);
    if (g.legal()) {
      return g;
    }
  }
}

// One output tile of a KHxKW convolution: one accumulating GEMM per tap on the same rows
// (the first tap overwrites), over a loop_out x loop_in output tile.
std::vector<Gemm> conv_taps(Rng &rng, int taps) {
  std::vector<Gemm> v;
  const uint32_t lo = static_cast<uint32_t>(rng.range(1, 6));
  const uint32_t li = static_cast<uint32_t>(rng.range(1, 12));
  const uint32_t acc = static_cast<uint32_t>(rng.range(0, kAccRows - lo * li));
  const uint32_t inp = static_cast<uint32_t>(rng.range(0, 4000));
  const uint32_t w0 = static_cast<uint32_t>(rng.range(0, kSpadRows - kCols * taps - 1));
  for (int t = 0; t < taps; t++) {
    Gemm g;
    g.lo = lo;
    g.li = li;
    g.inp = inp + static_cast<uint32_t>(t) * 3;
    g.iso = li + 2;
    g.isi = 1;
    g.acc = acc;
    g.aso = li;
    g.asi = 1;
    g.wgt = w0 + static_cast<uint32_t>(t) * kCols;
    g.accumulate = t != 0;
    v.push_back(g);
  }
  return v;
}

// A random legal DWCONV: any kernel that fits the column (kh up to dw_kh_max), strides 1..3,
// lines up to dw_line_max, sometimes accumulating or on kept weights.
Dw random_dw(Rng &rng, bool first) {
  for (;;) {
    Dw d;
    d.kh = static_cast<uint32_t>(rng.range(1, NC_HW_DW_KH_MAX));
    d.kw = static_cast<uint32_t>(rng.range(1, 5));
    d.sy = static_cast<uint32_t>(rng.percent(70) ? 1 : rng.range(2, 3));
    d.sx = static_cast<uint32_t>(rng.percent(70) ? 1 : rng.range(2, 3));
    d.ow = static_cast<uint32_t>(rng.percent(20) ? rng.range(1, 40) : rng.range(1, 9));
    d.oh = static_cast<uint32_t>(rng.range(1, 7));
    d.line = (d.ow - 1) * d.sx + d.kw + static_cast<uint32_t>(rng.percent(50) ? 0 : rng.range(0, 5));
    if (rng.percent(10)) {
      d.line = NC_HW_DW_LINE_MAX;
    }
    d.aso = d.ow + static_cast<uint32_t>(rng.range(0, 3));
    d.asi = static_cast<uint32_t>(rng.range(1, 2));
    d.ps = static_cast<uint32_t>(rng.percent(50) ? 1 : rng.range(2, 8));
    d.inp = static_cast<uint32_t>(rng.range(0, kSpadRows - 1));
    d.acc = static_cast<uint32_t>(rng.range(0, kAccRows - 1));
    d.keep = !first && rng.percent(30);
    d.wgt = d.keep ? 0 : static_cast<uint32_t>(rng.range(0, kSpadRows - kCols));
    d.accumulate = rng.percent(50);
    if (d.legal()) {
      return d;
    }
  }
}

// The 3x3 stride-1 DWCONV of a th x tw output tile from a padded tile at inp (2x2 on arrays of
// fewer than 9 rows).
Dw dw3x3(uint32_t inp, uint32_t acc, uint32_t wgt, uint32_t th, uint32_t tw) {
  const uint32_t k = kRows >= 9 ? 3 : 2;
  Dw d;
  d.inp = inp;
  d.acc = acc;
  d.wgt = wgt;
  d.oh = th;
  d.ow = tw;
  d.line = tw + k - 1;
  d.kh = d.kw = k;
  d.aso = tw;
  d.asi = 1;
  return d;
}

struct Result {
  bool ok;
  std::string detail;
};

Result done_of(Bench &b, const std::string &detail) {
  const bool ok = b.end_test();
  return {ok, ok ? detail : b.first_error()};
}

Result test_single(Bench &b) {
  Gemm g;
  g.inp = 100;
  g.lo = 2;
  g.li = 5;
  g.iso = 7;
  g.isi = 1;
  g.acc = 10;
  g.aso = 5;
  g.asi = 1;
  g.wgt = 4090;  // weights straddle banks 0 and 1
  const uint64_t span = b.run(std::vector<Gemm>{g});
  b.check_acc("single");
  return done_of(b, "2x5 vectors, " + std::to_string(span) + " cycles");
}

Result test_random_stream(Bench &b, int n, int idle_pct) {
  std::vector<Gemm> gemms;
  for (int i = 0; i < n; i++) {
    gemms.push_back(random_gemm(b.rng(), i == 0));
  }
  b.run(gemms, idle_pct);
  b.check_acc("random stream");
  return done_of(b, std::to_string(n) + " GEMMs, idle " + std::to_string(idle_pct) + "%");
}

Result test_same_row(Bench &b) {
  // acc_stride 0 inside one GEMM, accumulate and overwrite, then single-vector GEMMs that
  // keep their weights and hit one row back to back.
  std::vector<Gemm> gemms;
  Gemm g;
  g.inp = 5000;
  g.lo = 3;
  g.li = 9;
  g.iso = 9;
  g.isi = 1;
  g.acc = 77;
  g.wgt = 8000;
  g.accumulate = true;
  gemms.push_back(g);
  g.accumulate = false;
  g.keep = true;
  g.wgt = 0;
  gemms.push_back(g);
  for (int i = 0; i < 12; i++) {
    Gemm s;
    s.inp = static_cast<uint32_t>(6000 + i);
    s.acc = 300;
    s.keep = i % 4 != 0;
    s.wgt = s.keep ? 0 : 2 * kBankRows + static_cast<uint32_t>(808 + 16 * i);  // 9000.. at 16x16
    s.accumulate = i != 0;
    gemms.push_back(s);
  }
  b.run(gemms);
  b.check_acc("same row");
  return done_of(b, std::to_string(gemms.size()) + " GEMMs on rows 77 and 300");
}

Result test_conv(Bench &b) {
  int n = 0;
  std::vector<Gemm> gemms;
  for (int tile = 0; tile < 4; tile++) {
    for (const Gemm &g : conv_taps(b.rng(), 9)) {
      gemms.push_back(g);
      n++;
    }
  }
  b.run(gemms, 10);
  b.check_acc("conv taps");
  return done_of(b, std::to_string(n) + " tap GEMMs (3x3 kernels) accumulating in place");
}

Result test_halt(Bench &b) {
  std::vector<Cmd> gemms;
  for (int i = 0; i < 6; i++) {
    if (i % 2) {
      gemms.push_back(random_dw(b.rng(), i == 0));
    } else {
      gemms.push_back(random_gemm(b.rng(), i == 0));
    }
  }
  b.halt_and_reset(gemms, static_cast<int>(b.rng().range(0, 60)));
  // After soft reset the weights are zero: a kept-weight GEMM writes zeros.
  Gemm g;
  g.inp = 1;
  g.lo = 2;
  g.li = 3;
  g.isi = 1;
  g.iso = 3;
  g.acc = 500;
  g.aso = 3;
  g.asi = 1;
  g.keep = true;
  std::vector<Gemm> after = {g};
  for (int i = 0; i < 10; i++) {
    after.push_back(random_gemm(b.rng(), false));
  }
  b.run(after);
  b.check_acc("after halt and soft reset");
  return done_of(b, "halt, soft reset, zeroed weights, 11 GEMMs after");
}

// Directed DWCONVs: 3x3 stride 1; a kernel filling the column (kh*kw == rows); kh = 1 and
// kw = 1; stride 2; accumulate on kept weights; each entering depthwise mode from GEMM mode.
Result test_dw_directed(Bench &b) {
  std::vector<Cmd> v;
  v.push_back(dw3x3(100, 0, 9000, 5, 7));
  Dw full = dw3x3(3000, 200, 9100, 4, 6);  // taps down the whole column
  full.kh = kRows >= 16 ? 4 : (kRows >= 4 ? 2 : 1);
  full.kw = static_cast<uint32_t>(kRows) / full.kh;
  full.line = full.ow + full.kw - 1;
  v.push_back(full);
  Dw row = dw3x3(4000, 300, 9200, 3, 5);  // one kernel line
  row.kh = 1;
  row.line = 9;
  v.push_back(row);
  Dw col = dw3x3(4100, 400, 9300, 6, 4);  // one kernel column
  col.kw = 1;
  col.kh = kRows >= 3 ? 3 : 1;
  col.line = 4;
  v.push_back(col);
  Dw s2 = dw3x3(5000, 500, 9400, 4, 5);  // stride 2
  s2.sy = s2.sx = 2;
  s2.line = 11;
  v.push_back(s2);
  s2.ps = 3;  // one pixel every third row
  Dw acc = s2;  // accumulates on the kept weights
  acc.keep = true;
  acc.wgt = 0;
  acc.accumulate = true;
  acc.inp = 5200;
  v.push_back(acc);
  for (Cmd &c : v) {
    if (!c.d.legal()) {
      b.fail("directed DWCONV not legal for this array");
    }
  }
  b.run(v);
  b.check_acc("dw directed");
  // Each again after a GEMM, so the array changes mode every time.
  std::vector<Cmd> mixed;
  for (const Cmd &c : v) {
    mixed.push_back(random_gemm(b.rng(), false));
    mixed.push_back(c);
  }
  b.run(mixed);
  b.check_acc("dw after gemm");
  return done_of(b, std::to_string(v.size()) + " DWCONVs, alone and after GEMMs");
}

// Back-to-back DWCONVs of one geometry (tiles of a layer), then a random mix with GEMMs.
Result test_dw_stream(Bench &b, int n) {
  std::vector<Cmd> v;
  for (int t = 0; t < 6; t++) {
    v.push_back(dw3x3(static_cast<uint32_t>(200 * t), static_cast<uint32_t>(60 * t),
                      static_cast<uint32_t>(8192 + 16 * t), 4, 8));
  }
  const uint64_t span = b.run(v);
  b.check_acc("dw tiles");
  std::vector<Cmd> mix;
  for (int i = 0; i < n; i++) {
    if (b.rng().percent(50)) {
      mix.push_back(random_dw(b.rng(), i == 0));
    } else {
      mix.push_back(random_gemm(b.rng(), i == 0));
    }
  }
  b.run(mix, 10);
  b.check_acc("dw random mix");
  return done_of(b, "6 tiles in " + std::to_string(span) + " cycles; " + std::to_string(n) +
                        " random GEMMs and DWCONVs");
}

// A long GEMM fold stream: F folds, each with new weights and T vectors, the activations and
// weights in different banks (no conflicts) or one bank. Prints cycles and array use next to
// SCALE-Sim's ceil(Sr/R)*ceil(Sc/C)*(2R+C+T-2), i.e. F*(2R+C+T-2) for F folds.
Result test_perf(Bench &b, uint32_t t, int folds, bool same_bank) {
  std::vector<Gemm> gemms;
  for (int f = 0; f < folds; f++) {
    Gemm g;
    g.inp = 0;
    g.li = t;
    g.isi = 1;
    g.acc = 0;
    g.asi = 1;
    g.wgt = (same_bank ? 2000 : kBankRows) + static_cast<uint32_t>(f) * kCols;
    g.accumulate = f != 0;
    gemms.push_back(g);
  }
  const uint64_t m0 = b.macs(), s0 = b.stalls();
  const uint64_t span = b.run(gemms);
  b.check_acc("perf");
  const uint64_t vectors = static_cast<uint64_t>(t) * folds;
  const uint64_t scalesim = static_cast<uint64_t>(folds) * (2 * kRows + kCols + t - 2);
  char buf[240];
  std::snprintf(buf, sizeof buf,
                "T=%u x %d folds%s: %" PRIu64 " cycles (first GEMM taken to last done), "
                "%" PRIu64 " vectors, array fed %.1f%% of the cycles; SCALE-Sim %" PRIu64
                "; weight-wait cycles %" PRIu64,
                t, folds, same_bank ? " (one bank)" : "", span, b.macs() - m0,
                span ? 100.0 * static_cast<double>(vectors) / static_cast<double>(span) : 0.0,
                scalesim, b.stalls() - s0);
  return done_of(b, buf);
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const uint64_t seed = nctb::seed_from_env(argv[0]);
  nctb::Tally tally("compute_" + std::to_string(kRows) + "x" + std::to_string(kCols));
  Bench b(seed);
  auto run = [&](const std::string &name, const Result &r) { tally.report(name, r.ok, r.detail); };
  run("single_gemm", test_single(b));
  run("same_row_forwarding", test_same_row(b));
  run("conv_taps", test_conv(b));
  run("random_stream", test_random_stream(b, 60, 0));
  run("random_stream_gaps", test_random_stream(b, 60, 40));
  run("dwconv_directed", test_dw_directed(b));
  run("dwconv_stream", test_dw_stream(b, 60));
  run("halt_soft_reset", test_halt(b));
  run("random_after_reset", test_random_stream(b, 40, 10));
  run("perf_t64", test_perf(b, 64, 16, false));
  run("perf_t256", test_perf(b, 256, 8, false));
  run("perf_t256_one_bank", test_perf(b, 256, 8, true));
  run("perf_t8", test_perf(b, 8, 16, false));
  return tally.finish();
}
