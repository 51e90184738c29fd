// Verilator bench for nc_fifo at one depth (NC_DEPTH, the -GDepth of the build) and a 20-bit
// payload: the queue every FIFO of the RTL is made of.
//
// The contract, checked every cycle against a C++ queue:
//   - empty_o, full_o and count_o tell how many entries the queue holds, and data_o is the
//     oldest one whenever it holds any;
//   - an entry pushed at an edge is held from the next cycle on (no fall-through), entries
//     leave in order, unchanged, none lost, none made up; a push and a pop in one cycle work
//     also on a full queue;
//   - flush_i empties the queue at the edge, dropping a push or pop of the same cycle;
//   - every output is a register or logic of registers: changing the inputs between edges
//     changes no output.
// Directed tests fill and drain the queue and push through a full one; a long random run with
// random pushes, pops and flushes follows (never a push while full without a pop, nor a pop
// while empty: the module asserts those, and Verilated::gotError() would fail the test). Prints
// one line per test and "fifo<depth>: N passed, N failed".

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "Vnc_fifo.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

#ifndef NC_DEPTH
#error "build with -DNC_DEPTH=<the -GDepth of the model>"
#endif

namespace {

constexpr uint32_t kMask = (1u << 20) - 1;
constexpr size_t kDepth = NC_DEPTH;

class Bench {
 public:
  Bench() : top_(std::make_unique<Vnc_fifo>()) {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->flush_i = 0;
    top_->push_i = 0;
    top_->pop_i = 0;
    top_->eval();
    nctb::clock_edge(*top_);
    top_->rst_ni = 1;
    top_->eval();
  }

  // One cycle with these inputs: checks the outputs against the reference queue and that they
  // do not move with the inputs, then takes the edge. Returns false (with why) on a mismatch.
  bool cycle(bool push, uint32_t data, bool pop, bool flush, std::string *why) {
    if (!check(why)) {
      return false;
    }
    const bool full = top_->full_o, empty = top_->empty_o;
    const uint32_t count = top_->count_o, head = top_->data_o;
    top_->push_i = push;
    top_->data_i = data & kMask;
    top_->pop_i = pop;
    top_->flush_i = flush;
    top_->eval();
    if (top_->full_o != full || top_->empty_o != empty || top_->count_o != count ||
        (!empty && top_->data_o != head)) {
      *why = "an output changed with the inputs alone";
      return false;
    }
    if (flush) {
      ref_.clear();
    } else {
      if (pop) {
        ref_.pop_front();
        popped_++;
      }
      if (push) {
        ref_.push_back(data & kMask);
      }
    }
    nctb::clock_edge(*top_);
    if (broken()) {
      *why = "an assertion failed";
      return false;
    }
    return true;
  }

  // The outputs against the reference queue.
  bool check(std::string *why) const {
    char buf[128];
    if (top_->empty_o != ref_.empty() || top_->full_o != (ref_.size() == kDepth) ||
        top_->count_o != ref_.size()) {
      std::snprintf(buf, sizeof buf, "empty %d full %d count %u with %zu entries held",
                    top_->empty_o, top_->full_o, static_cast<unsigned>(top_->count_o),
                    ref_.size());
      *why = buf;
      return false;
    }
    if (!ref_.empty() && top_->data_o != ref_.front()) {
      std::snprintf(buf, sizeof buf, "head 0x%05x, expected 0x%05x", top_->data_o,
                    ref_.front());
      *why = buf;
      return false;
    }
    return true;
  }

  size_t held() const { return ref_.size(); }
  uint64_t popped() const { return popped_; }
  bool broken() const { return Verilated::gotError() || Verilated::gotFinish(); }

 private:
  std::unique_ptr<Vnc_fifo> top_;
  std::deque<uint32_t> ref_;
  uint64_t popped_ = 0;
};

// Fill to full, drain to empty, in order.
void test_fill_drain(nctb::Tally &t) {
  Bench b;
  std::string why;
  bool ok = true;
  for (size_t i = 0; i < kDepth && ok; i++) {
    ok = b.cycle(true, 0x100u + static_cast<uint32_t>(i), false, false, &why);
  }
  for (size_t i = 0; i < kDepth && ok; i++) {
    ok = b.cycle(false, 0, true, false, &why);
  }
  ok = ok && b.check(&why);
  t.report("fifo.fill_drain", ok, ok ? std::to_string(kDepth) + " in, " +
                                       std::to_string(kDepth) + " out, in order" : why);
}

// A full queue takes a push with a pop every cycle and stays full; a flush then empties it,
// dropping the push and the pop of its cycle.
void test_full_through(nctb::Tally &t) {
  Bench b;
  std::string why;
  bool ok = true;
  for (size_t i = 0; i < kDepth && ok; i++) {
    ok = b.cycle(true, 0x200u + static_cast<uint32_t>(i), false, false, &why);
  }
  for (int i = 0; i < 3 * static_cast<int>(kDepth) && ok; i++) {
    ok = b.cycle(true, 0x300u + static_cast<uint32_t>(i), true, false, &why);
  }
  if (ok && b.held() != kDepth) {
    ok = false;
    why = "not full after pushes and pops on a full queue";
  }
  ok = ok && b.cycle(true, 0x400, true, true, &why) && b.check(&why);
  if (ok && b.held() != 0) {
    ok = false;
    why = "a flush left entries";
  }
  ok = ok && b.cycle(true, 0x500, false, false, &why) && b.check(&why);
  t.report("fifo.full_through", ok, ok ? "push and pop on a full queue, then a flush" : why);
}

// Random pushes, pops and flushes in phases of different mixes.
void test_random(nctb::Tally &t, nctb::Rng &rng) {
  Bench b;
  std::string why;
  bool ok = true;
  const int n = 200000;
  for (int i = 0; i < n && ok; i++) {
    const int phase = (i / 3000) % 3;
    const int ppush = phase == 0 ? 80 : phase == 1 ? 30 : 55;
    bool pop = b.held() > 0 && rng.percent(phase == 1 ? 80 : 40);
    bool push = rng.percent(ppush) && (b.held() < kDepth || pop);
    bool flush = rng.percent(1) && rng.percent(20);
    ok = b.cycle(push, static_cast<uint32_t>(rng.next()), pop, flush, &why);
  }
  ok = ok && b.check(&why);
  char detail[96];
  std::snprintf(detail, sizeof detail, "%d cycles, %" PRIu64 " entries out", n, b.popped());
  t.report("fifo.random", ok, ok ? detail : why);
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  nctb::Rng rng(nctb::seed_from_env(argv[0]));
  nctb::Tally t("fifo" + std::to_string(kDepth));
  test_fill_drain(t);
  test_full_through(t);
  test_random(t, rng);
  return t.finish();
}
