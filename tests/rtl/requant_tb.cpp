// Bench of nc_requant alone against nc_requant_apply() (base/quant.c, linked in): random
// operands over every shift and magnitude, plus the corners: the SRDHM saturation at
// INT32_MIN * INT32_MIN, saturating left shifts, rounding ties of RoundingDivideByPOT, and the
// clamp. Operands are chosen so that the intermediate values show through the 16-bit clamp.
#include <cstdint>
#include <cstdio>
#include <memory>

#include "Vnc_requant.h"
#include "neocog/quant.h"
#include "tests/rtl/tb_util.h"
#include "verilated.h"

namespace {

nc_requant_t g_rq;

int32_t golden(int32_t x, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
  g_rq.enabled = 1;
  g_rq.channels = 1;
  g_rq.mult[0] = mult;
  g_rq.shift[0] = shift;
  g_rq.out_zp = zp;
  g_rq.act_min = lo;
  g_rq.act_max = hi;
  return nc_requant_apply(&g_rq, 0, x);
}

}  // namespace

int main(int argc, char **argv) {
  Verilated::commandArgs(argc, argv);
  const uint64_t seed = nctb::seed_from_env(argv[0]);
  nctb::Rng g(seed);
  std::unique_ptr<VerilatedContext> ctx(new VerilatedContext);
  std::unique_ptr<Vnc_requant> t(new Vnc_requant(ctx.get(), "requant"));
  nctb::Tally tally("requant_tb");
  long bad = 0, n = 0;
  char first[200] = "";
  auto one = [&](int32_t x, int32_t mult, int32_t shift, int32_t zp, int32_t lo, int32_t hi) {
    t->en_i = 1;
    t->x_i = static_cast<uint32_t>(x);
    t->mult_i = static_cast<uint32_t>(mult);
    t->shift_i = static_cast<uint8_t>(shift);
    t->out_zp_i = static_cast<uint16_t>(zp);
    t->act_min_i = static_cast<uint32_t>(lo);
    t->act_max_i = static_cast<uint32_t>(hi);
    t->eval();
    const int32_t got = static_cast<int32_t>(t->q_o);
    const int32_t want = golden(x, mult, shift, zp, lo, hi);
    n++;
    if (got != want && bad++ == 0) {
      std::snprintf(first, sizeof first, "x %d mult %d shift %d zp %d [%d, %d]: got %d want %d",
                    x, mult, shift, zp, lo, hi, got, want);
    }
  };
  // Corners.
  const int32_t xs[] = {0, 1, -1, 2, -2, INT32_MAX, INT32_MIN, INT32_MIN + 1, 1 << 30, -(1 << 30),
                        12345, -12345, 0x40000000, 0x3fffffff};
  const int32_t ms[] = {0, 1, INT32_MAX, INT32_MIN, 1 << 30, (1 << 30) + 1, 1 << 16, 3, -1, 1234567};
  for (int32_t x : xs) {
    for (int32_t m : ms) {
      for (int32_t s = -31; s <= 30; s++) {
        one(x, m, s, 0, -32768, 32767);
        one(x, m, s, 17, -128, 127);
      }
    }
  }
  tally.report("corners", bad == 0, std::to_string(n) + " cases " + first);
  // Random: the shift decides the magnitude that stays visible inside the clamp.
  bad = 0;
  n = 0;
  first[0] = '\0';
  for (int i = 0; i < 400000; i++) {
    const int32_t s = static_cast<int32_t>(g.range(-31, 30));
    int32_t x = static_cast<int32_t>(g.next());
    if (g.percent(30)) {
      x >>= g.range(0, 31);
    }
    int32_t m = g.percent(70) ? static_cast<int32_t>(g.range(1 << 30, INT32_MAX))
                              : static_cast<int32_t>(g.next());
    if (s > 0 && g.percent(50)) {
      m >>= g.range(10, 31);
    }
    const int32_t lo = static_cast<int32_t>(g.range(-32768, 32767));
    const int32_t hi = static_cast<int32_t>(g.range(lo, 32767));
    one(x, m, s, static_cast<int32_t>(g.range(-32768, 32767)), lo, hi);
  }
  tally.report("random", bad == 0, std::to_string(n) + " cases " + first);
  // Disabled (operand isolation): the output is zero whatever the inputs, and enabling the
  // same inputs again gives the golden value.
  bad = 0;
  n = 0;
  first[0] = '\0';
  for (int i = 0; i < 1000; i++) {
    const int32_t x = static_cast<int32_t>(g.range(1000, 1 << 20));
    t->en_i = 0;
    t->x_i = static_cast<uint32_t>(x);
    t->mult_i = 1 << 30;
    t->shift_i = 0;
    t->out_zp_i = 5;
    t->act_min_i = static_cast<uint32_t>(-32768);
    t->act_max_i = 32767;
    t->eval();
    const int32_t off = static_cast<int32_t>(t->q_o);
    if (off != 0 && bad++ == 0) {
      std::snprintf(first, sizeof first, "x %d: %d with en_i low", x, off);
    }
    one(x, 1 << 30, 0, 5, -32768, 32767);  // x/2 + 5, not zero (one() counts the pair)
  }
  tally.report("disabled_outputs_zero", bad == 0, std::to_string(n) + " cases " + first);
  return tally.finish();
}
