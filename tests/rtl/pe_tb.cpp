// Verilator bench for nc_pe_row: a row of one processing element, and a row of several, each as
// an inner row and as the top row of the array (make builds the four; NC_COLS, NC_FIRST_ROW).
//
// A C++ model of one PE, written from the contract in nc_pe_row.sv, runs beside the RTL, one
// model per column chained as the row chains them:
//   - an accepted activation (act_valid_i) passes to the next PE one cycle later, with its
//     valid bit and, if it was the first of a tile (act_swap_i), the swap flag;
//   - a PE's sum becomes psum_i (0 in the top row) + act * weight for a valid activation and
//     holds otherwise, wrapping at 32 bits; the weight is the shadow one for a swapping
//     activation (it is copied to the active weight in the same cycle), else the active one;
//   - wgt_shift_i loads each shadow weight from its right neighbour (wgt_i at the right end).
// The bench compares every output of the row (all sums, the activation leaving at the right,
// the shadow weight leaving at the left) every cycle. Directed tests pin the corner cases; a
// long random run follows. Prints one line per test and "<name>: N passed, N failed"; exit
// status 0 only if all passed.
//
// Build: verilator --cc --exe -GNumCols=N -GFirstRow=F -CFLAGS "-DNC_COLS=N -DNC_FIRST_ROW=F" ...

#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "Vnc_pe_row.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

#if !defined(NC_COLS) || !defined(NC_FIRST_ROW)
#error "build with -DNC_COLS=<n> -DNC_FIRST_ROW=<0|1> matching -GNumCols and -GFirstRow"
#endif

namespace {

constexpr int kCols = NC_COLS;
constexpr bool kFirstRow = NC_FIRST_ROW != 0;

// What drives one PE's inputs for one cycle.
struct PeIn {
  int8_t act = 0;
  bool valid = false;
  bool swap = false;
  int32_t psum = 0;
  bool shift = false;
  int8_t wgt = 0;
};

// The contract of one PE, one edge at a time.
struct Pe {
  int8_t act = 0;
  bool valid = false;
  bool swap = false;
  int32_t psum = 0;
  int8_t shadow = 0;
  int8_t active = 0;

  void edge(const PeIn &in) {
    const bool sw = in.valid && in.swap;
    const int8_t w = sw ? shadow : active;
    if (in.valid) {
      const int32_t above = kFirstRow ? 0 : in.psum;
      psum = static_cast<int32_t>(static_cast<uint32_t>(above) +
                                  static_cast<uint32_t>(int32_t{in.act} * int32_t{w}));
      act = in.act;
    }
    valid = in.valid;
    swap = sw;
    if (sw) {
      active = shadow;
    }
    if (in.shift) {
      shadow = in.wgt;
    }
  }
};

// What drives the row's inputs for one cycle.
struct In {
  int8_t act = 0;
  bool valid = false;
  bool swap = false;
  std::array<int32_t, kCols> psum{};
  bool shift = false;
  int8_t wgt = 0;
};

// The row: PE c takes its activation from PE c-1 and its shadow weight from PE c+1, both as
// they were before the edge.
struct Model {
  std::array<Pe, kCols> pe{};

  void edge(const In &in) {
    std::array<PeIn, kCols> pin{};
    for (int c = 0; c < kCols; c++) {
      PeIn &p = pin[c];
      p.act = c == 0 ? in.act : pe[c - 1].act;
      p.valid = c == 0 ? in.valid : pe[c - 1].valid;
      p.swap = c == 0 ? in.swap : pe[c - 1].swap;
      p.psum = in.psum[c];
      p.shift = in.shift;
      p.wgt = c == kCols - 1 ? in.wgt : pe[c + 1].shadow;
    }
    for (int c = 0; c < kCols; c++) {
      pe[c].edge(pin[c]);
    }
  }
};

class Bench {
 public:
  Bench() {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<Vnc_pe_row>(ctx_.get(), "top");
    reset();
  }
  ~Bench() { top_->final(); }

  void reset() {
    drive(In{});
    top_->rst_ni = 0;
    top_->clk_i = 0;
    top_->eval();
    top_->clk_i = 1;
    top_->eval();
    top_->rst_ni = 1;
    model_ = Model{};
    mismatch_.clear();
  }

  // One rising edge with these inputs; compares every output with the model afterwards.
  void step(const In &in) {
    drive(in);
    top_->clk_i = 0;
    top_->eval();
    top_->clk_i = 1;
    top_->eval();
    model_.edge(in);
    cycle_++;
    check();
  }

  int32_t psum(int c) const {
    return static_cast<int32_t>(nctb::get_field(top_->psum_o, 32 * c, 32));
  }
  const std::string &mismatch() const { return mismatch_; }
  bool broken() const { return ctx_->gotError() || ctx_->gotFinish(); }

 private:
  void drive(const In &in) {
    top_->act_i = static_cast<uint8_t>(in.act);
    top_->act_valid_i = in.valid;
    top_->act_swap_i = in.swap;
    for (int c = 0; c < kCols; c++) {
      nctb::put_field(top_->psum_i, 32 * c, 32, static_cast<uint32_t>(in.psum[c]));
    }
    top_->wgt_shift_i = in.shift;
    top_->wgt_i = static_cast<uint8_t>(in.wgt);
  }

  void check() {
    if (!mismatch_.empty()) {
      return;
    }
    char buf[160];
    auto differ = [&](const std::string &what, int64_t got, int64_t want) {
      std::snprintf(buf, sizeof buf, "cycle %" PRIu64 ": %s is %" PRId64 ", expected %" PRId64,
                    cycle_, what.c_str(), got, want);
      mismatch_ = buf;
    };
    const Pe &last = model_.pe[kCols - 1];
    if (top_->act_valid_o != last.valid) {
      differ("act_valid_o", top_->act_valid_o, last.valid);
    } else if (top_->act_swap_o != last.swap) {
      differ("act_swap_o", top_->act_swap_o, last.swap);
    } else if (last.valid && static_cast<int8_t>(top_->act_o) != last.act) {
      // Without a valid activation the data are not part of the contract.
      differ("act_o", static_cast<int8_t>(top_->act_o), last.act);
    } else if (static_cast<int8_t>(top_->wgt_o) != model_.pe[0].shadow) {
      differ("wgt_o", static_cast<int8_t>(top_->wgt_o), model_.pe[0].shadow);
    } else {
      for (int c = 0; c < kCols; c++) {
        if (psum(c) != model_.pe[c].psum) {
          differ("psum_o[" + std::to_string(c) + "]", psum(c), model_.pe[c].psum);
          break;
        }
      }
    }
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vnc_pe_row> top_;
  Model model_;
  uint64_t cycle_ = 0;
  std::string mismatch_;
};

In act(int8_t a, int32_t psum, bool swap = false) {
  In in;
  in.act = a;
  in.valid = true;
  in.swap = swap;
  in.psum.fill(psum);
  return in;
}

// No activation; the sums from above are there but must not be used.
In bubble(int32_t psum) {
  In in;
  in.psum.fill(psum);
  return in;
}

// Shifts w into the shadow weights, w[c] ending in PE c (the first weight pushed ends in PE 0).
void load(Bench &b, const std::array<int8_t, kCols> &w) {
  for (int c = 0; c < kCols; c++) {
    In in;
    in.shift = true;
    in.wgt = w[c];
    b.step(in);
  }
}

// Bubbles until an activation that entered last cycle has passed every PE.
void drain(Bench &b, int32_t psum) {
  for (int c = 1; c < kCols; c++) {
    b.step(bubble(psum));
  }
}

std::array<int8_t, kCols> weights(int first, int step) {
  std::array<int8_t, kCols> w{};
  for (int c = 0; c < kCols; c++) {
    w[c] = static_cast<int8_t>(first + step * c);
  }
  return w;
}

// Whether every column's sum is above + a * w[c]; else the first column that is not, in *why.
bool sums_are(const Bench &b, int32_t above, int a, const std::array<int8_t, kCols> &w,
              std::string *why) {
  for (int c = 0; c < kCols; c++) {
    const int32_t want = static_cast<int32_t>(static_cast<uint32_t>(above) +
                                              static_cast<uint32_t>(a * int32_t{w[c]}));
    if (b.psum(c) != want) {
      *why = "psum[" + std::to_string(c) + "] " + std::to_string(b.psum(c)) + ", expected " +
             std::to_string(want);
      return false;
    }
  }
  *why = std::to_string(kCols) + " columns as expected";
  return true;
}

// Each directed test passes only if the model agrees with the RTL every cycle and the values the
// test is about are right (so a model that agreed with a wrong RTL would still be caught).
void report(nctb::Tally &t, const char *name, const Bench &b, bool ok, const std::string &why) {
  t.report(name, ok && b.mismatch().empty(), b.mismatch().empty() ? why : b.mismatch());
}

void directed(nctb::Tally &t) {
  const int32_t above = kFirstRow ? 0 : 1000;
  std::string why;

  {
    Bench b;
    const auto w = weights(7, 3);
    load(b, w);
    b.step(act(3, above, true));  // the swapping activation already uses the new weights
    drain(b, above);
    const bool ok = sums_are(b, above, 3, w, &why);
    report(t, "swap_uses_new_weight", b, ok, why);
  }
  {
    Bench b;
    const auto w1 = weights(5, 1);
    const auto w2 = weights(-9, -2);
    load(b, w1);
    b.step(act(2, above, true));    // active weights w1
    drain(b, above);
    load(b, w2);                    // the next tile's weights shift in behind them
    b.step(act(4, above));          // still w1
    drain(b, above);
    std::string first;
    bool ok = sums_are(b, above, 4, w1, &first);
    b.step(act(4, above, true));    // the next tile starts: w2
    drain(b, above);
    ok = sums_are(b, above, 4, w2, &why) && ok;
    report(t, "shadow_loads_while_active_computes", b, ok, first + "; then " + why);
  }
  {
    Bench b;
    const auto w = weights(9, -4);
    load(b, w);
    b.step(act(6, above, true));
    drain(b, above);                // the activation uses `above` in every column
    In flagged = bubble(12345);     // then sums from above are ignored: no valid activation
    flagged.swap = true;            // and a swap flag without one swaps nothing
    for (int i = 0; i < kCols + 2; i++) {
      b.step(flagged);
    }
    std::string held;
    bool ok = sums_are(b, above, 6, w, &held);
    b.step(act(1, above));
    drain(b, above);
    ok = sums_are(b, above, 1, w, &why) && ok;
    report(t, "bubble_holds_sum_and_weight", b, ok, held + "; then " + why);
  }
  {
    Bench b;
    std::array<int8_t, kCols> w{};
    w.fill(-128);
    load(b, w);
    b.step(act(-128, kFirstRow ? 0 : INT32_MAX, true));
    drain(b, kFirstRow ? 0 : INT32_MAX);
    const bool ok = sums_are(b, kFirstRow ? 0 : INT32_MAX, -128, w, &why);  // wraps
    report(t, "int8_extremes_wrap_int32", b, ok, why);
  }
  {
    Bench b;
    load(b, weights(3, 1));
    b.step(act(5, above, true));
    drain(b, above);
    b.reset();
    const std::array<int8_t, kCols> zero{};
    bool ok = sums_are(b, 0, 0, zero, &why);
    b.step(In{});
    ok = ok && sums_are(b, 0, 0, zero, &why);
    report(t, "reset_clears", b, ok, why);
  }
}

void random_run(nctb::Tally &t, nctb::Rng &rng, int cycles) {
  Bench b;
  int macs = 0;
  for (int i = 0; i < cycles && b.mismatch().empty() && !b.broken(); i++) {
    In in;
    in.act = rng.i8();
    in.valid = rng.percent(70);
    in.swap = rng.percent(15);
    for (int32_t &p : in.psum) {
      p = static_cast<int32_t>(rng.next());
    }
    in.shift = rng.percent(30);
    in.wgt = rng.i8();
    if (rng.percent(1)) {
      b.reset();
      continue;
    }
    macs += in.valid ? 1 : 0;
    b.step(in);
  }
  const bool ok = b.mismatch().empty() && !b.broken() && macs > cycles / 2;
  t.report("random_" + std::to_string(cycles) + "_cycles", ok,
           b.mismatch().empty() ? std::to_string(macs) + " activations, every output matches"
                                : b.mismatch());
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const std::string name = std::string("pe_tb_") + (kFirstRow ? "first" : "inner") +
                           std::to_string(kCols);
  std::printf("%s: a row of %d PE%s, %s row\n", name.c_str(), kCols, kCols == 1 ? "" : "s",
              kFirstRow ? "top" : "inner");
  nctb::Rng rng(nctb::seed_from_env(argv[0]));
  nctb::Tally t(name);
  directed(t);
  random_run(t, rng, 200000);
  return t.finish();
}
