// Verilator bench for nc_systolic_array, built once per array shape.
//
// Drives weight columns and activation vectors through the array's valid/ready ports, checks
// every result vector against a plain C++ GEMM and its arrival cycle against the array's
// fixed latency, and checks the timing properties the design promises: an isolated tile takes
// Cols + T + Latency cycles, and back-to-back tiles overlap weight preload, fill and drain, so
// N tiles take Cols + (N-1)*max(T, 2*Cols-1) + T + Latency cycles, fewer than N isolated tiles.
//
// Random data comes from a seeded PRNG; the seed is printed with the command that reproduces
// the run (NEOCOG_SEED=<seed> overrides it). Prints one line per test and ends with
// "<name>: N passed, N failed". Exit status 0 only if every test passed.
//
// Build: verilator --cc --exe -GNumRows=R -GNumCols=C -CFLAGS "-DNC_ROWS=R -DNC_COLS=C" ...

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "Vnc_systolic_array.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

#ifndef NC_ROWS
#error "build with -DNC_ROWS=<rows> matching -GNumRows"
#endif
#ifndef NC_COLS
#error "build with -DNC_COLS=<cols> matching -GNumCols"
#endif

namespace {

constexpr int kRows = NC_ROWS;
constexpr int kCols = NC_COLS;
constexpr int kLatency = kRows + kCols - 1;
// Cycles a tile occupies the input when tiles follow each other (see nc_systolic_array.sv).
constexpr int kWeightPeriod = kCols >= 2 ? 2 * kCols - 1 : 2;

using nctb::get_field;
using nctb::put_field;
using nctb::Rng;

using Vec8 = std::vector<int8_t>;

// One tile: a weight tile (unless it keeps the previous one) and the vectors that use it.
struct Tile {
  bool new_weights = true;     // preload w and swap it in with the first vector
  std::vector<Vec8> w;         // kCols columns of kRows weights: w[n][r] = W[r][n]
  std::vector<Vec8> a;         // activation vectors of kRows lanes
};

struct Traffic {
  int weight_idle_pct = 0;     // chance a weight producer with data still waits a cycle
  int act_idle_pct = 0;        // the same for activations
};

struct Expected {
  uint64_t accept_cycle;
  std::vector<int32_t> out;
};

class Bench {
 public:
  explicit Bench(uint64_t seed) : rng_(seed) {
    ctx_ = std::make_unique<VerilatedContext>();
    ctx_->debug(0);
    top_ = std::make_unique<Vnc_systolic_array>(ctx_.get(), "top");
    reset();
  }
  ~Bench() { top_->final(); }

  Rng &rng() { return rng_; }
  uint64_t cycle() const { return cycle_; }
  int errors() const { return errors_; }
  const std::string &first_error() const { return first_error_; }

  // Holds reset for two cycles: the array and this model forget everything.
  void reset() {
    top_->rst_ni = 0;
    top_->clk_i = 0;
    top_->wgt_valid_i = 0;
    top_->act_valid_i = 0;
    top_->act_swap_i = 0;
    top_->eval();
    for (int i = 0; i < 2; i++) {
      edge();
    }
    top_->rst_ni = 1;
    top_->eval();
    shadow_.clear();
    active_.assign(kCols, Vec8(kRows, 0));
    expected_.clear();
    wq_.clear();
    aq_.clear();
  }

  // Queues a tile: its weight columns on the weight port, its vectors on the activation port.
  void enqueue(const Tile &t) {
    if (t.new_weights) {
      for (const Vec8 &col : t.w) {
        wq_.push_back(col);
      }
    }
    for (size_t i = 0; i < t.a.size(); i++) {
      aq_.push_back({t.a[i], t.new_weights && i == 0});
    }
  }

  // Runs until every queued transfer was taken and every result checked. Returns the cycle of
  // the last result, or 0 on a timeout (an error is recorded).
  uint64_t run(const Traffic &traffic, uint64_t max_cycles = 200000) {
    const uint64_t limit = cycle_ + max_cycles;
    uint64_t last_out = 0;
    bool w_presenting = false, a_presenting = false;
    while (!wq_.empty() || !aq_.empty() || !expected_.empty()) {
      if (cycle_ >= limit) {
        fail("timeout: " + std::to_string(wq_.size()) + " columns, " +
             std::to_string(aq_.size()) + " vectors, " + std::to_string(expected_.size()) +
             " results outstanding");
        return 0;
      }
      // A producer may idle only while it is not presenting (a presented transfer is held).
      w_presenting = !wq_.empty() && (w_presenting || !rng_.percent(traffic.weight_idle_pct));
      a_presenting = !aq_.empty() && (a_presenting || !rng_.percent(traffic.act_idle_pct));
      top_->wgt_valid_i = w_presenting;
      top_->act_valid_i = a_presenting;
      top_->act_swap_i = a_presenting && aq_.front().swap;
      if (w_presenting) {
        for (int r = 0; r < kRows; r++) {
          put_field(top_->wgt_data_i, 8 * r, 8, static_cast<uint8_t>(wq_.front()[r]));
        }
      }
      if (a_presenting) {
        for (int r = 0; r < kRows; r++) {
          put_field(top_->act_data_i, 8 * r, 8, static_cast<uint8_t>(aq_.front().v[r]));
        }
      }
      top_->eval();

      if (top_->out_valid_o) {
        check_output();
        last_out = cycle_;
      }
      if (w_presenting && top_->wgt_ready_o) {
        take_weight();
        w_presenting = false;
      }
      if (a_presenting && top_->act_ready_o) {
        take_activation();
        a_presenting = false;
      }
      edge();
    }
    top_->wgt_valid_i = 0;
    top_->act_valid_i = 0;
    top_->act_swap_i = 0;
    return last_out;
  }

  // Runs idle cycles and checks that no result appears.
  void idle(int cycles) {
    for (int i = 0; i < cycles; i++) {
      top_->eval();
      if (top_->out_valid_o) {
        fail("result with no activation outstanding at cycle " + std::to_string(cycle_));
      }
      edge();
    }
  }

  // Cycle in which the weight port first took a column since the last mark.
  uint64_t first_weight_cycle() const { return first_weight_cycle_; }
  void mark() { first_weight_cycle_ = UINT64_MAX; }

  void clear_errors() {
    errors_ = 0;
    first_error_.clear();
  }

  void fail(const std::string &msg) {
    if (errors_++ == 0) {
      first_error_ = msg;
    }
  }

 private:
  struct Act {
    Vec8 v;
    bool swap;
  };

  void edge() {
    top_->clk_i = 1;
    top_->eval();
    ctx_->timeInc(1);
    top_->clk_i = 0;
    top_->eval();
    ctx_->timeInc(1);
    cycle_++;
  }

  void take_weight() {
    if (static_cast<int>(shadow_.size()) >= kCols) {
      fail("weight column taken with a full shadow at cycle " + std::to_string(cycle_));
    }
    shadow_.push_back(wq_.front());
    wq_.pop_front();
    if (first_weight_cycle_ == UINT64_MAX) {
      first_weight_cycle_ = cycle_;
    }
  }

  void take_activation() {
    const Act &a = aq_.front();
    if (a.swap) {
      if (static_cast<int>(shadow_.size()) != kCols) {
        fail("swap taken with " + std::to_string(shadow_.size()) + " of " +
             std::to_string(kCols) + " columns preloaded, cycle " + std::to_string(cycle_));
        shadow_.resize(kCols, Vec8(kRows, 0));
      }
      active_ = shadow_;
      shadow_.clear();
    }
    // The reference: a plain GEMM row, int8 x int8 summed in wrapping int32.
    Expected e{cycle_, std::vector<int32_t>(kCols, 0)};
    for (int n = 0; n < kCols; n++) {
      uint32_t acc = 0;
      for (int r = 0; r < kRows; r++) {
        acc += static_cast<uint32_t>(static_cast<int32_t>(a.v[r]) * active_[n][r]);
      }
      e.out[n] = static_cast<int32_t>(acc);
    }
    expected_.push_back(e);
    aq_.pop_front();
  }

  void check_output() {
    if (expected_.empty()) {
      fail("unexpected result at cycle " + std::to_string(cycle_));
      return;
    }
    const Expected e = expected_.front();
    expected_.pop_front();
    if (cycle_ != e.accept_cycle + kLatency) {
      fail("result of the vector taken at cycle " + std::to_string(e.accept_cycle) +
           " arrived at cycle " + std::to_string(cycle_) + ", expected latency " +
           std::to_string(kLatency));
    }
    for (int n = 0; n < kCols; n++) {
      const int32_t got = static_cast<int32_t>(get_field(top_->out_data_o, 32 * n, 32));
      if (got != e.out[n]) {
        char buf[160];
        std::snprintf(buf, sizeof buf,
                      "lane %d of the vector taken at cycle %" PRIu64 ": got %" PRId32
                      ", expected %" PRId32,
                      n, e.accept_cycle, got, e.out[n]);
        fail(buf);
        return;
      }
    }
  }

  Rng rng_;
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vnc_systolic_array> top_;
  uint64_t cycle_ = 0;
  int errors_ = 0;
  std::string first_error_;
  std::vector<Vec8> shadow_;   // the contract's view of the preloaded columns
  std::vector<Vec8> active_;   // and of the weights in use
  std::deque<Expected> expected_;
  std::deque<Vec8> wq_;
  std::deque<Act> aq_;
  uint64_t first_weight_cycle_ = UINT64_MAX;
};

enum class Fill { Random, Extreme };

Tile make_tile(Rng &rng, int vectors, bool new_weights, Fill fill = Fill::Random) {
  Tile t;
  t.new_weights = new_weights;
  static const int8_t kExtremes[] = {-128, -127, -1, 0, 1, 127};
  auto value = [&]() -> int8_t {
    return fill == Fill::Random ? rng.i8() : kExtremes[rng.range(0, 5)];
  };
  if (new_weights) {
    t.w.assign(kCols, Vec8(kRows));
    for (auto &col : t.w) {
      for (auto &x : col) {
        x = value();
      }
    }
  }
  t.a.assign(vectors, Vec8(kRows));
  for (auto &v : t.a) {
    for (auto &x : v) {
      x = value();
    }
  }
  return t;
}

Tile constant_tile(int vectors, int8_t w, int8_t a) {
  Tile t;
  t.w.assign(kCols, Vec8(kRows, w));
  t.a.assign(vectors, Vec8(kRows, a));
  return t;
}

struct Result {
  bool ok;
  std::string detail;
};

// Span in cycles from the first weight column taken to the last result, of tiles run alone.
uint64_t run_span(Bench &b, const std::vector<Tile> &tiles, const Traffic &traffic) {
  b.mark();
  for (const Tile &t : tiles) {
    b.enqueue(t);
  }
  const uint64_t last = b.run(traffic);
  return last == 0 ? 0 : last - b.first_weight_cycle() + 1;
}

Result test_single_tile(uint64_t seed) {
  Bench b(seed);
  const int t_len = b.rng().range(1, 3 * kCols);
  const uint64_t span = run_span(b, {make_tile(b.rng(), t_len, true)}, {});
  const uint64_t want = kCols + t_len + kLatency;
  if (b.errors() == 0 && span != want) {
    b.fail("one tile of " + std::to_string(t_len) + " vectors took " + std::to_string(span) +
           " cycles, expected Cols + T + Latency = " + std::to_string(want));
  }
  b.idle(kLatency + 4);
  return {b.errors() == 0, b.errors() ? b.first_error()
                                      : "T=" + std::to_string(t_len) + ", " +
                                            std::to_string(span) + " cycles"};
}

// N tiles back to back against N isolated tiles of the same length.
Result test_back_to_back(uint64_t seed, int t_len) {
  const int n_tiles = 6;
  Bench b(seed);
  const uint64_t one = run_span(b, {make_tile(b.rng(), t_len, true)}, {});
  b.idle(kLatency + 4);
  std::vector<Tile> tiles;
  for (int i = 0; i < n_tiles; i++) {
    tiles.push_back(make_tile(b.rng(), t_len, true));
  }
  const uint64_t many = run_span(b, tiles, {});
  b.idle(kLatency + 4);
  const uint64_t period = std::max(t_len, kWeightPeriod);
  const uint64_t want = kCols + (n_tiles - 1) * period + t_len + kLatency;
  if (b.errors() == 0 && many != want) {
    b.fail(std::to_string(n_tiles) + " tiles took " + std::to_string(many) +
           " cycles, expected Cols + (N-1)*max(T, " + std::to_string(kWeightPeriod) +
           ") + T + Latency = " + std::to_string(want));
  }
  // The structural property: preload, fill and drain of consecutive tiles overlap.
  if (b.errors() == 0 && !(many < n_tiles * one)) {
    b.fail(std::to_string(n_tiles) + " back-to-back tiles took " + std::to_string(many) +
           " cycles, not fewer than " + std::to_string(n_tiles) + " x " + std::to_string(one));
  }
  char buf[160];
  std::snprintf(buf, sizeof buf, "T=%d: %d tiles %" PRIu64 " cycles vs %d x %" PRIu64 " = %" PRIu64
                " isolated", t_len, n_tiles, many, n_tiles, one, n_tiles * one);
  return {b.errors() == 0, b.errors() ? b.first_error() : buf};
}

// Tiles that keep the stationary weights, mixed with tiles that bring new ones.
Result test_keep_weights(uint64_t seed) {
  Bench b(seed);
  std::vector<Tile> tiles;
  for (int i = 0; i < 8; i++) {
    tiles.push_back(make_tile(b.rng(), b.rng().range(1, 2 * kCols), i == 0 || i % 3 == 0));
  }
  run_span(b, tiles, {});
  b.idle(kLatency + 4);
  return {b.errors() == 0, b.errors() ? b.first_error() : "8 tiles, 3 weight loads"};
}

// Extreme products: the largest sums of either sign, and wrapping-free int32 results.
Result test_extremes(uint64_t seed) {
  Bench b(seed);
  std::vector<Tile> tiles = {constant_tile(3, -128, -128), constant_tile(3, -128, 127),
                             constant_tile(3, 127, 127), constant_tile(2, 0, -128)};
  for (int i = 0; i < 4; i++) {
    tiles.push_back(make_tile(b.rng(), b.rng().range(1, 2 * kCols), true, Fill::Extreme));
  }
  run_span(b, tiles, {});
  b.idle(kLatency + 4);
  return {b.errors() == 0, b.errors() ? b.first_error() : "8 tiles of extreme values"};
}

// Random tile lengths, weight reuse and idle cycles on both ports.
Result test_random(uint64_t seed) {
  Bench b(seed);
  int vectors = 0;
  int tiles_run = 0;
  for (int round = 0; round < 4; round++) {
    Traffic traffic;
    traffic.weight_idle_pct = b.rng().range(0, 60);
    traffic.act_idle_pct = b.rng().range(0, 60);
    std::vector<Tile> tiles;
    for (int i = 0; i < 12; i++) {
      const bool fresh = i == 0 || round == 0 || !b.rng().percent(30);
      tiles.push_back(make_tile(b.rng(), b.rng().range(1, 3 * kCols), fresh));
      vectors += static_cast<int>(tiles.back().a.size());
    }
    tiles_run += static_cast<int>(tiles.size());
    run_span(b, tiles, traffic);
    b.idle(b.rng().range(0, kLatency + 2));
  }
  b.idle(kLatency + 4);
  return {b.errors() == 0, b.errors() ? b.first_error()
                                      : std::to_string(tiles_run) + " tiles, " +
                                            std::to_string(vectors) + " vectors"};
}

// Reset in the middle of a stream: nothing from before comes out, and the array starts
// again with an empty shadow and zero weights.
Result test_reset(uint64_t seed) {
  Bench b(seed);
  b.enqueue(make_tile(b.rng(), 4 * kCols, true));
  // Run only part of the stream, so results are in flight: the bounded run times out.
  b.run({}, static_cast<uint64_t>(kCols + 3));
  if (b.errors() != 1) {
    return {false, "the stream finished before the reset"};
  }
  b.clear_errors();
  b.reset();
  b.idle(kLatency + 4);  // nothing from before the reset may appear
  // A vector that keeps the weights uses the zero weights reset leaves; a swapping one waits
  // for a complete preload.
  b.enqueue(make_tile(b.rng(), 3, false));
  b.enqueue(make_tile(b.rng(), kCols + 1, true));
  b.run({});
  b.idle(kLatency + 4);
  return {b.errors() == 0, b.errors() ? b.first_error() : "reset mid-stream, then 2 tiles"};
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  uint64_t seed;
  const char *env = std::getenv("NEOCOG_SEED");
  if (env != nullptr && *env != '\0') {
    seed = std::strtoull(env, nullptr, 0);
  } else {
    seed = static_cast<uint64_t>(
        std::chrono::high_resolution_clock::now().time_since_epoch().count());
  }
  const std::string name = "array_" + std::to_string(kRows) + "x" + std::to_string(kCols);
  std::printf("%s: seed %" PRIu64 " (reproduce: NEOCOG_SEED=%" PRIu64 " %s)\n", name.c_str(),
              seed, seed, argv[0]);

  struct Case {
    const char *name;
    Result (*fn)(uint64_t);
  };
  const Case cases[] = {
      {"single_tile", test_single_tile},
      {"back_to_back_long", [](uint64_t s) { return test_back_to_back(s, 2 * kCols + 3); }},
      {"back_to_back_short", [](uint64_t s) { return test_back_to_back(s, 1); }},
      {"back_to_back_even", [](uint64_t s) { return test_back_to_back(s, kWeightPeriod); }},
      {"keep_weights", test_keep_weights},
      {"extremes", test_extremes},
      {"random", test_random},
      {"reset", test_reset},
  };
  int passed = 0, failed = 0;
  uint64_t case_seed = seed;
  for (const Case &c : cases) {
    const Result r = c.fn(case_seed++);
    std::printf("%s %s.%s: %s\n", r.ok ? "PASS" : "FAIL", name.c_str(), c.name,
                r.detail.c_str());
    (r.ok ? passed : failed)++;
  }
  std::printf("%s: %d passed, %d failed\n", name.c_str(), passed, failed);
  return failed == 0 ? 0 : 1;
}
