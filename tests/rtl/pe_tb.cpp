// Verilator bench for nc_pe, one processing element, built once per FirstRow value.
//
// A C++ model of the PE written from the contract in nc_pe.sv runs beside the RTL:
//   - an accepted activation (act_valid_i) leaves to the right one cycle later, with its
//     valid bit and, if it was the first of a tile (act_swap_i), the swap flag;
//   - psum_o becomes psum_i (0 in the top row) + act_i * weight for a valid activation and
//     holds otherwise, wrapping at 32 bits; the weight is the shadow one for a swapping
//     activation (it is copied to the active weight in the same cycle), else the active one;
//   - wgt_shift_i loads wgt_i into the shadow weight, which is also wgt_o.
// Directed tests pin the corner cases; a long random run compares every output every cycle.
// Prints one line per test and "<name>: N passed, N failed"; exit status 0 only if all passed.
//
// Build: verilator --cc --exe -GFirstRow=F -CFLAGS "-DNC_FIRST_ROW=F" ...

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "Vnc_pe.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

#ifndef NC_FIRST_ROW
#error "build with -DNC_FIRST_ROW=<0|1> matching -GFirstRow"
#endif

namespace {

constexpr bool kFirstRow = NC_FIRST_ROW != 0;

// What drives the PE's inputs for one cycle.
struct In {
  int8_t act = 0;
  bool valid = false;
  bool swap = false;
  int32_t psum = 0;
  bool shift = false;
  int8_t wgt = 0;
};

// The contract, one edge at a time.
struct Model {
  int8_t act = 0;
  bool valid = false;
  bool swap = false;
  int32_t psum = 0;
  int8_t shadow = 0;
  int8_t active = 0;

  void edge(const In &in) {
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

class Bench {
 public:
  Bench() {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<Vnc_pe>(ctx_.get(), "top");
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

  const Model &model() const { return model_; }
  int32_t psum() const { return static_cast<int32_t>(top_->psum_o); }
  const std::string &mismatch() const { return mismatch_; }
  bool broken() const { return ctx_->gotError() || ctx_->gotFinish(); }

 private:
  void drive(const In &in) {
    top_->act_i = static_cast<uint8_t>(in.act);
    top_->act_valid_i = in.valid;
    top_->act_swap_i = in.swap;
    top_->psum_i = static_cast<uint32_t>(in.psum);
    top_->wgt_shift_i = in.shift;
    top_->wgt_i = static_cast<uint8_t>(in.wgt);
  }

  void check() {
    if (!mismatch_.empty()) {
      return;
    }
    char buf[160];
    auto differ = [&](const char *what, int64_t got, int64_t want) {
      std::snprintf(buf, sizeof buf, "cycle %" PRIu64 ": %s is %" PRId64 ", expected %" PRId64,
                    cycle_, what, got, want);
      mismatch_ = buf;
    };
    const Model &m = model_;
    if (top_->act_valid_o != m.valid) {
      differ("act_valid_o", top_->act_valid_o, m.valid);
    } else if (top_->act_swap_o != m.swap) {
      differ("act_swap_o", top_->act_swap_o, m.swap);
    } else if (m.valid && static_cast<int8_t>(top_->act_o) != m.act) {
      // Without a valid activation the data are not part of the contract.
      differ("act_o", static_cast<int8_t>(top_->act_o), m.act);
    } else if (static_cast<int32_t>(top_->psum_o) != m.psum) {
      differ("psum_o", static_cast<int32_t>(top_->psum_o), m.psum);
    } else if (static_cast<int8_t>(top_->wgt_o) != m.shadow) {
      differ("wgt_o", static_cast<int8_t>(top_->wgt_o), m.shadow);
    }
  }

  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vnc_pe> top_;
  Model model_;
  uint64_t cycle_ = 0;
  std::string mismatch_;
};

In act(int8_t a, int32_t psum = 0, bool swap = false) {
  In in;
  in.act = a;
  in.valid = true;
  in.swap = swap;
  in.psum = psum;
  return in;
}

In shift(int8_t w) {
  In in;
  in.shift = true;
  in.wgt = w;
  return in;
}

// The result of each directed test: the model's mismatch, if any, else a check of the value
// the test is about (so a model that agreed with a wrong RTL would still be caught).
void directed(nctb::Tally &t) {
  const int32_t above = kFirstRow ? 0 : 1000;

  {
    Bench b;
    b.step(shift(7));
    b.step(act(3, above, true));  // the swapping activation already uses the new weight
    const bool ok = b.mismatch().empty() && b.psum() == above + 21;
    t.report("swap_uses_new_weight", ok, b.mismatch().empty() ? "psum " + std::to_string(b.psum())
                                                               : b.mismatch());
  }
  {
    Bench b;
    b.step(shift(5));
    b.step(act(2, 0, true));        // active weight 5
    b.step(shift(-9));              // next tile's weight shifts in behind it
    b.step(act(4, above));          // still multiplies by 5
    const int32_t first = b.psum();
    b.step(act(4, above, true));    // the next tile starts: -9
    const bool ok = b.mismatch().empty() && first == above + 20 && b.psum() == above - 36;
    t.report("shadow_loads_while_active_computes", ok,
             b.mismatch().empty() ? std::to_string(first) + " then " + std::to_string(b.psum())
                                  : b.mismatch());
  }
  {
    Bench b;
    b.step(shift(9));
    b.step(act(6, above, true));
    In bubble;
    bubble.psum = 12345;            // ignored: no valid activation
    bubble.swap = true;             // and a swap flag without one swaps nothing
    b.step(bubble);
    b.step(bubble);
    const int32_t held = b.psum();
    b.step(act(1, above));
    const bool ok = b.mismatch().empty() && held == above + 54 && b.psum() == above + 9;
    t.report("bubble_holds_sum_and_weight", ok,
             b.mismatch().empty() ? std::to_string(held) + ", " + std::to_string(b.psum())
                                  : b.mismatch());
  }
  {
    Bench b;
    b.step(shift(-128));
    b.step(act(-128, kFirstRow ? 0 : INT32_MAX, true));
    const int32_t want = kFirstRow ? 16384 : static_cast<int32_t>(0x80003fffu);  // wraps
    const bool ok = b.mismatch().empty() && b.psum() == want;
    t.report("int8_extremes_wrap_int32", ok,
             b.mismatch().empty() ? std::to_string(b.psum()) : b.mismatch());
  }
  {
    Bench b;
    b.step(shift(3));
    b.step(act(5, above, true));
    b.reset();
    const bool ok = b.mismatch().empty() && b.psum() == 0;
    b.step(In{});
    t.report("reset_clears", ok && b.mismatch().empty(),
             b.mismatch().empty() ? "psum " + std::to_string(b.psum()) : b.mismatch());
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
    in.psum = static_cast<int32_t>(rng.next());
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
           b.mismatch().empty() ? std::to_string(macs) + " MACs match the model" : b.mismatch());
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const std::string name = std::string("pe_tb") + (kFirstRow ? " (first row)" : " (inner row)");
  std::printf("%s\n", name.c_str());
  nctb::Rng rng(nctb::seed_from_env(argv[0]));
  nctb::Tally t(kFirstRow ? "pe_tb_first" : "pe_tb_inner");
  directed(t);
  random_run(t, rng, 200000);
  return t.finish();
}
