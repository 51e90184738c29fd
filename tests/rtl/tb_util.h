// Helpers the RTL benches share (pe_tb, array_tb, compute_tb, cmdproc_tb, ...): a seeded PRNG,
// access to Verilator ports of any width, and the bench's seed and summary line.
#ifndef NEOCOG_TESTS_RTL_TB_UTIL_H
#define NEOCOG_TESTS_RTL_TB_UTIL_H

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

#include "verilated.h"

namespace nctb {

// splitmix64: small, fast, and the same sequence everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi].
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool percent(int p) { return range(0, 99) < p; }
  int8_t i8() { return static_cast<int8_t>(next() & 0xff); }

 private:
  uint64_t s_;
};

// Ports wider than 64 bits are VlWide arrays of 32-bit words, narrower ones are integers.
template <typename T>
typename std::enable_if<std::is_integral<T>::value>::type put_field(T &sig, int lsb, int width,
                                                                    uint64_t value) {
  for (int i = 0; i < width; i++) {
    const T bit = static_cast<T>(T(1) << (lsb + i));
    sig = ((value >> i) & 1u) ? static_cast<T>(sig | bit) : static_cast<T>(sig & ~bit);
  }
}

template <std::size_t N>
void put_field(VlWide<N> &sig, int lsb, int width, uint64_t value) {
  for (int i = 0; i < width; i++) {
    const int b = lsb + i;
    const uint32_t bit = 1u << (b % 32);
    sig[b / 32] = ((value >> i) & 1u) ? (sig[b / 32] | bit) : (sig[b / 32] & ~bit);
  }
}

template <typename T>
typename std::enable_if<std::is_integral<T>::value, uint64_t>::type get_field(const T &sig,
                                                                              int lsb, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; i++) {
    v |= static_cast<uint64_t>((sig >> (lsb + i)) & 1u) << i;
  }
  return v;
}

template <std::size_t N>
uint64_t get_field(const VlWide<N> &sig, int lsb, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; i++) {
    const int b = lsb + i;
    v |= static_cast<uint64_t>((sig[b / 32] >> (b % 32)) & 1u) << i;
  }
  return v;
}

// A 128-bit instruction port from four little-endian 32-bit words.
template <std::size_t N>
void put_words(VlWide<N> &sig, const uint32_t *w, unsigned n) {
  for (unsigned i = 0; i < n && i < N; i++) {
    sig[i] = w[i];
  }
}

// The seed: NEOCOG_SEED when set, else the clock. Prints the command that reproduces the run.
inline uint64_t seed_from_env(const char *argv0) {
  uint64_t seed;
  const char *env = std::getenv("NEOCOG_SEED");
  if (env != nullptr && *env != '\0') {
    seed = std::strtoull(env, nullptr, 0);
  } else {
    seed = static_cast<uint64_t>(
        std::chrono::steady_clock::now().time_since_epoch().count());
  }
  std::printf("seed %llu (reproduce: NEOCOG_SEED=%llu %s)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed),
              argv0);
  return seed;
}

// A rising then a falling clock edge on a Verilated top with a clk_i port, each evaluated.
template <typename Top>
void clock_edge(Top &top) {
  top.clk_i = 1;
  top.eval();
  top.clk_i = 0;
  top.eval();
}

// Counts results and prints one line per test.
class Tally {
 public:
  explicit Tally(std::string name) : name_(std::move(name)) {}
  void report(const std::string &test, bool ok, const std::string &detail) {
    std::printf("%s %s: %s\n", ok ? "PASS" : "FAIL", test.c_str(), detail.c_str());
    std::fflush(stdout);
    (ok ? pass_ : fail_)++;
  }
  int finish() const {
    std::printf("%s: %d passed, %d failed\n", name_.c_str(), pass_, fail_);
    return fail_ == 0 ? 0 : 1;
  }

 private:
  std::string name_;
  int pass_ = 0;
  int fail_ = 0;
};

}  // namespace nctb

#endif  // NEOCOG_TESTS_RTL_TB_UTIL_H
