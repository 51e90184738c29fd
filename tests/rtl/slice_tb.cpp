// Verilator bench for nc_reg_slice (Width 20): the register slice nc_top puts on each AXI
// channel.
//
// The contract, checked every cycle against a C++ queue of the transfers the slice accepted:
//   - a transfer is accepted at an edge where s_valid_i && s_ready_o, and comes out at a later
//     edge where m_valid_o && m_ready_i, in order, unchanged, none lost, none made up;
//   - s_ready_o falls only while two transfers are held; an empty slice passes a transfer in one
//     cycle, and a slice that is never stalled moves one transfer per cycle;
//   - every output is a register: changing the inputs between edges changes no output.
// Directed tests pin throughput and the skid; a long random run with random stalls on both
// sides follows. Prints one line per test and "slice: N passed, N failed".

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <memory>
#include <string>

#include "Vnc_reg_slice.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

namespace {

constexpr uint32_t kMask = (1u << 20) - 1;

class Bench {
 public:
  Bench() : top_(std::make_unique<Vnc_reg_slice>()) {
    top_->clk_i = 0;
    top_->rst_ni = 0;
    top_->s_valid_i = 0;
    top_->m_ready_i = 0;
    top_->eval();
    edge();
    top_->rst_ni = 1;
    top_->eval();
  }

  // One cycle with these inputs: checks the outputs are registers, then takes the edge and
  // updates the reference queue. Returns false (with why) on the first mismatch.
  bool cycle(bool s_valid, uint32_t data, bool m_ready, std::string *why) {
    const bool ready = top_->s_ready_o, valid = top_->m_valid_o;
    const uint32_t out = top_->m_data_o;
    top_->s_valid_i = s_valid;
    top_->s_data_i = data & kMask;
    top_->m_ready_i = m_ready;
    top_->eval();
    if (top_->s_ready_o != ready || top_->m_valid_o != valid || top_->m_data_o != out) {
      *why = "an output changed with the inputs alone";
      return false;
    }
    if (held_.size() >= 2 && ready) {
      *why = "s_ready_o high with two transfers held";
      return false;
    }
    if (held_.size() < 2 && !ready) {
      *why = "s_ready_o low with room for a transfer";
      return false;
    }
    if (valid != !held_.empty()) {
      *why = "m_valid_o " + std::to_string(valid) + " with " + std::to_string(held_.size()) +
             " transfers held";
      return false;
    }
    if (valid && out != held_.front()) {
      char buf[96];
      std::snprintf(buf, sizeof buf, "m_data_o 0x%05x, expected 0x%05x", out, held_.front());
      *why = buf;
      return false;
    }
    if (valid && m_ready) {
      held_.pop_front();
      moved_++;
    }
    if (s_valid && ready) {
      held_.push_back(data & kMask);
    }
    edge();
    return true;
  }

  uint64_t moved() const { return moved_; }
  size_t held() const { return held_.size(); }
  bool broken() const { return Verilated::gotError() || Verilated::gotFinish(); }

 private:
  void edge() { nctb::clock_edge(*top_); }

  std::unique_ptr<Vnc_reg_slice> top_;
  std::deque<uint32_t> held_;
  uint64_t moved_ = 0;
};

// Both sides always willing: after the first cycle, one transfer per cycle, never a skid.
void test_throughput(nctb::Tally &t) {
  Bench b;
  std::string why;
  bool ok = true;
  const int n = 64;
  for (int i = 0; i < n + 1 && ok; i++) {
    ok = b.cycle(i < n, 0x1000u + static_cast<uint32_t>(i), true, &why);
  }
  if (ok && b.moved() != static_cast<uint64_t>(n)) {
    ok = false;
    why = std::to_string(b.moved()) + " transfers in " + std::to_string(n + 1) + " cycles";
  }
  t.report("slice.throughput", ok && !b.broken(), ok ? "64 transfers in 65 cycles" : why);
}

// The output stalls with a transfer held: the next one waits in the skid, upstream sees
// s_ready_o fall, and both come out in order once the stall ends.
void test_skid(nctb::Tally &t) {
  Bench b;
  std::string why;
  bool ok = b.cycle(true, 0xaaaaa, false, &why) && b.cycle(true, 0x55555, false, &why) &&
            b.cycle(true, 0x12345, false, &why);  // refused: s_ready_o is low
  if (ok && b.held() != 2) {
    ok = false;
    why = std::to_string(b.held()) + " transfers held after a stall, expected 2";
  }
  for (int i = 0; i < 3 && ok; i++) {
    ok = b.cycle(false, 0, true, &why);
  }
  if (ok && (b.moved() != 2 || b.held() != 0)) {
    ok = false;
    why = std::to_string(b.moved()) + " transfers out, expected 2";
  }
  t.report("slice.skid", ok && !b.broken(), ok ? "two held through a stall, in order" : why);
}

// Random valid and ready on both sides, random payloads.
void test_random(nctb::Tally &t, nctb::Rng &rng) {
  Bench b;
  std::string why;
  bool ok = true;
  const int n = 200000;
  for (int i = 0; i < n && ok; i++) {
    const int pv = (i / 5000) % 2 ? 90 : 50, pr = (i / 7000) % 2 ? 90 : 40;
    ok = b.cycle(rng.percent(pv), static_cast<uint32_t>(rng.next()), rng.percent(pr), &why);
  }
  char detail[96];
  std::snprintf(detail, sizeof detail, "%d cycles, %" PRIu64 " transfers", n, b.moved());
  t.report("slice.random", ok && !b.broken(), ok ? detail : why);
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  nctb::Rng rng(nctb::seed_from_env(argv[0]));
  nctb::Tally t("slice");
  test_throughput(t);
  test_skid(t);
  test_random(t, rng);
  return t.finish();
}
