// Verilator bench for nc_hold_watch (Width 20), the watcher behind the modules' hold-rule
// assertions. Its top (tests/rtl/nc_hold_watch_tb.sv) holds the watcher's assertion and the
// SVA property it stands for, `valid && !ready |=> excuse || (valid && $stable(data))` with
// `disable iff (!rst_ni)`, each counting its failures. Verilator's own evaluation of the
// property is the reference: after every edge both counts must be equal.
//
// Directed cases: an offer held unchanged (no failure), withdrawn, changed, changed under an
// excuse (no failure), taken and then changed (no failure), and an offer made during reset
// (not watched). Then a long random run that breaks the rule often, with resets. The same run
// checks the cheap-assertion form the modules use for implications (a bit worked out only when
// the antecedent holds; hw/rtl/README.md) against `valid |-> ready || excuse` itself. Prints
// one line per test and "hold: N passed, N failed".

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "Vnc_hold_watch_tb.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

namespace {

constexpr uint32_t kMask = (1u << 20) - 1;

struct In {
  bool valid, ready, excuse;
  uint32_t data;
};

class Bench {
 public:
  Bench() : top_(std::make_unique<Vnc_hold_watch_tb>()) {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    set({false, false, false, 0});
    top_->eval();
    edge();
    top_->rst_ni = 1;
    top_->eval();
  }

  void set(const In &in) {
    top_->valid_i = in.valid;
    top_->ready_i = in.ready;
    top_->excuse_i = in.excuse;
    top_->data_i = in.data & kMask;
  }
  void reset(bool on) {
    top_->rst_ni = !on;
    top_->eval();
  }
  // One cycle: these inputs, then the rising edge.
  void cycle(const In &in) {
    set(in);
    top_->eval();
    edge();
  }
  uint32_t sva() const { return top_->sva_fails_o; }
  uint32_t watch() const { return top_->watch_fails_o; }
  uint32_t imp() const { return top_->imp_fails_o; }
  uint32_t imp_bit() const { return top_->bit_fails_o; }

 private:
  void edge() { nctb::clock_edge(*top_); }
  std::unique_ptr<Vnc_hold_watch_tb> top_;
};

// Runs `seq` on a fresh bench; both assertions must fail `want` times, in the same cycles.
void directed(nctb::Tally &t, const char *name, std::initializer_list<In> seq, uint32_t want) {
  Bench b;
  std::string why;
  int i = 0;
  for (const In &in : seq) {
    b.cycle(in);
    if (why.empty() && b.sva() != b.watch()) {
      why = "cycle " + std::to_string(i) + ": property failed " + std::to_string(b.sva()) +
            " times, watcher " + std::to_string(b.watch());
    }
    i++;
  }
  b.cycle({false, false, false, 0});
  if (why.empty() && (b.sva() != want || b.watch() != want)) {
    why = "failures: property " + std::to_string(b.sva()) + ", watcher " +
          std::to_string(b.watch()) + ", want " + std::to_string(want);
  }
  t.report(std::string("hold.") + name, why.empty(),
           why.empty() ? std::to_string(want) + " failure(s) in both" : why);
}

void test_directed(nctb::Tally &t) {
  directed(t, "held", {{true, false, false, 5}, {true, false, false, 5}, {true, true, false, 5}},
           0);
  directed(t, "withdrawn", {{true, false, false, 5}, {false, false, false, 5}}, 1);
  directed(t, "changed", {{true, false, false, 5}, {true, true, false, 6}}, 1);
  directed(t, "excused", {{true, false, false, 5}, {false, false, true, 6}}, 0);
  directed(t, "taken_then_changed",
           {{true, true, false, 5}, {true, false, false, 6}, {true, true, false, 6}}, 0);
  // An offer made in reset is not watched: released in the next cycle with other data.
  {
    Bench b;
    b.reset(true);
    b.cycle({true, false, false, 5});
    b.reset(false);
    b.cycle({true, true, false, 6});
    b.cycle({false, false, false, 0});
    const bool ok = b.sva() == 0 && b.watch() == 0;
    t.report("hold.offer_in_reset", ok,
             "failures: property " + std::to_string(b.sva()) + ", watcher " +
                 std::to_string(b.watch()));
  }
}

// Random valid/ready/excuse with data that mostly holds; the rule breaks in about a tenth of the
// cycles after an offer, and a reset comes now and then.
void test_random(nctb::Tally &t, nctb::Rng &rng) {
  Bench b;
  In in{false, false, false, 0};
  std::string why, why_imp;
  const int kCycles = 200000;
  for (int i = 0; i < kCycles && why.empty(); i++) {
    const bool offered = in.valid && !in.ready;
    if (!offered || rng.percent(10)) in.valid = rng.percent(70);
    in.ready = rng.percent(40);
    in.excuse = rng.percent(5);
    if (!offered || rng.percent(8)) in.data = static_cast<uint32_t>(rng.next()) & kMask;
    if (rng.percent(1)) in.data ^= 1u << rng.range(0, 19);
    const bool rst = rng.range(0, 999) == 0;
    if (rst) b.reset(true);
    b.cycle(in);
    if (rst) b.reset(false);
    if (b.sva() != b.watch()) {
      why = "cycle " + std::to_string(i) + ": property failed " + std::to_string(b.sva()) +
            " times, watcher " + std::to_string(b.watch());
    }
    if (why_imp.empty() && b.imp() != b.imp_bit()) {
      why_imp = "cycle " + std::to_string(i) + ": implication failed " +
                std::to_string(b.imp()) + " times, bit " + std::to_string(b.imp_bit());
    }
  }
  // The run must exercise the rule: enough failures to compare.
  if (why.empty() && b.sva() < 1000) {
    why = "only " + std::to_string(b.sva()) + " failures in the run";
  }
  t.report("hold.random", why.empty(),
           why.empty() ? std::to_string(kCycles) + " cycles, " + std::to_string(b.sva()) +
                             " failures in the same cycles"
                       : why);
  if (why_imp.empty() && b.imp() < 1000) {
    why_imp = "only " + std::to_string(b.imp()) + " implication failures in the run";
  }
  t.report("hold.cheap_assertion", why_imp.empty(),
           why_imp.empty() ? std::to_string(b.imp()) + " failures in the same cycles" : why_imp);
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  nctb::Rng rng(nctb::seed_from_env(argv[0]));
  nctb::Tally t("hold");
  test_directed(t);
  test_random(t, rng);
  return t.finish();
}
