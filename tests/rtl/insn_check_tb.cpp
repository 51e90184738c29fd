// Checks that the two instruction checkers hw/gen/regtool.py generates from the rules in
// hw/data/neocog.json agree: nc_pkg::nc_insn_check (SystemVerilog, what the hardware runs) and
// nc_hw_insn_check (C, what the driver and the functional model run). Random instructions are
// built field by field from the generated field tables, mostly near the edges of each field's
// range so that every rule is reached; directed cases pin down what the answers must be.
//
// The seed is printed with the command that reproduces the run (NEOCOG_SEED=<seed> overrides
// it). Ends with "insn_check: N passed, N failed".

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "Vnc_insn_check_tb.h"
#include "neocog/nc_hw.h"
#include "verilated.h"

namespace {

class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() {
    uint64_t z = (s_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  int64_t range(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint64_t>(hi - lo + 1));
  }
  bool percent(int p) { return range(0, 99) < p; }

 private:
  uint64_t s_;
};

// A value for one field: mostly legal and small or at an edge, sometimes anything.
uint32_t field_value(Rng &rng, const nc_hw_field_info_t &f) {
  const int64_t lo = f.min, hi = f.max;
  int64_t v;
  const int pick = static_cast<int>(rng.range(0, 99));
  if (pick < 15) {
    v = static_cast<int64_t>(rng.next() & ((1ull << f.width) - 1u));
    return static_cast<uint32_t>(v);
  } else if (pick < 35) {
    v = lo;
  } else if (pick < 75) {
    v = rng.range(lo, std::min(hi, lo + 3));
  } else if (pick < 85) {
    v = hi;
  } else if (pick < 90) {
    v = rng.range(std::max(lo, hi - 3), hi);
  } else {
    v = rng.range(lo, hi);
  }
  return static_cast<uint32_t>(v);
}

// Bits no field of the table covers: the format's reserved bits.
void reserved_mask(const nc_hw_field_info_t *fields, unsigned n, unsigned bits, uint32_t *mask) {
  for (unsigned i = 0; i < bits / 32; i++) {
    mask[i] = 0xffffffffu;
  }
  for (unsigned k = 0; k < n; k++) {
    nc_hw_bits_set(mask, fields[k].lsb, fields[k].width, 0);
  }
}

nc_hw_insn_t random_insn(Rng &rng) {
  nc_hw_insn_t insn;
  for (auto &w : insn.w) {
    w = static_cast<uint32_t>(rng.next());
  }
  uint32_t op;
  if (rng.percent(6)) {
    op = static_cast<uint32_t>(rng.range(0, 15));  // mostly legal, sometimes not
  } else {
    op = static_cast<uint32_t>(rng.range(NC_HW_OP_LOAD, NC_HW_OP_DWCONV));
  }
  unsigned n = 0;
  const nc_hw_field_info_t *fields = nc_hw_insn_fields(op, &n);
  if (fields == nullptr) {
    nc_hw_insn_set_opcode(&insn, op);
    return insn;
  }
  uint32_t rsvd[NC_HW_INSN_WORDS];
  reserved_mask(fields, n, NC_HW_INSN_BITS, rsvd);
  if (!rng.percent(8)) {
    for (int i = 0; i < NC_HW_INSN_WORDS; i++) {
      insn.w[i] &= ~rsvd[i];
    }
  }
  for (unsigned k = 1; k < n; k++) {
    nc_hw_bits_set(insn.w, fields[k].lsb, fields[k].width, field_value(rng, fields[k]));
  }
  nc_hw_insn_set_opcode(&insn, op);
  if (rng.percent(50)) {
    nc_hw_bits_set(insn.w, NC_HW_INSN_POP_PREV_LSB, 4, 0);  // no dependency flags at all
  }
  return insn;
}

nc_hw_qparam_t random_qparam(Rng &rng) {
  nc_hw_qparam_t q;
  for (auto &w : q.w) {
    w = static_cast<uint32_t>(rng.next());
  }
  unsigned n = 0;
  const nc_hw_field_info_t *fields = nc_hw_qparam_fields(&n);
  uint32_t rsvd[4];
  reserved_mask(fields, n, 128, rsvd);
  if (!rng.percent(8)) {
    for (int i = 0; i < 4; i++) {
      q.w[i] &= ~rsvd[i];
    }
  }
  for (unsigned k = 0; k < n; k++) {
    nc_hw_bits_set(q.w, fields[k].lsb, fields[k].width, field_value(rng, fields[k]));
  }
  return q;
}

class Checker {
 public:
  Checker() {
    ctx_ = std::make_unique<VerilatedContext>();
    top_ = std::make_unique<Vnc_insn_check_tb>(ctx_.get(), "top");
  }
  ~Checker() { top_->final(); }

  // The SystemVerilog answer for an instruction and a qparam record.
  void eval(const nc_hw_insn_t &insn, const nc_hw_qparam_t &q) {
    for (int i = 0; i < 4; i++) {
      top_->insn_i[i] = insn.w[i];
      top_->qparam_i[i] = q.w[i];
    }
    top_->eval();
  }
  uint32_t err() const { return top_->err_o; }
  uint32_t info() const { return top_->info_o; }
  uint32_t qerr() const { return top_->qerr_o; }
  uint32_t qinfo() const { return top_->qinfo_o; }

 private:
  std::unique_ptr<VerilatedContext> ctx_;
  std::unique_ptr<Vnc_insn_check_tb> top_;
};

std::string hex(const uint32_t *w, int n) {
  std::string s = "0x";
  char buf[16];
  for (int i = n - 1; i >= 0; i--) {
    std::snprintf(buf, sizeof buf, "%08x", w[i]);
    s += buf;
  }
  return s;
}

struct Result {
  bool ok;
  std::string detail;
};

// Random instructions and records: both checkers give the same error and info.
Result test_agree(uint64_t seed, std::map<uint32_t, std::map<uint32_t, int>> *hist,
                  std::map<uint32_t, int> *qhist) {
  Rng rng(seed);
  Checker sv;
  const int n = 200000;
  for (int i = 0; i < n; i++) {
    const nc_hw_insn_t insn = random_insn(rng);
    const nc_hw_qparam_t q = random_qparam(rng);
    sv.eval(insn, q);
    uint32_t info = 0, qinfo = 0;
    const uint32_t err = nc_hw_insn_check(&insn, &info);
    const uint32_t qerr = nc_hw_qparam_check(&q, &qinfo);
    if (err != sv.err() || (err != NC_HW_ERR_NONE && info != sv.info())) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "insn %s: C says err %u info %u, SV says err %u info %u",
                    hex(insn.w, 4).c_str(), err, info, sv.err(), sv.info());
      return {false, buf};
    }
    if (qerr != sv.qerr() || (qerr != NC_HW_ERR_NONE && qinfo != sv.qinfo())) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "qparam %s: C says err %u info %u, SV says err %u info %u",
                    hex(q.w, 4).c_str(), qerr, qinfo, sv.qerr(), sv.qinfo());
      return {false, buf};
    }
    (*hist)[nc_hw_insn_get_opcode(&insn)][err]++;
    (*qhist)[qerr]++;
  }
  return {true, std::to_string(n) + " instructions and qparam records"};
}

// Every format reached both a pass and a range failure (and a dependency failure where it has
// dependency rules), so the agreement above covered every rule kind.
Result test_coverage(const std::map<uint32_t, std::map<uint32_t, int>> &hist,
                     const std::map<uint32_t, int> &qhist) {
  std::string missing;
  int illegal = 0;
  for (uint32_t op = 0; op < 16; op++) {
    unsigned n = 0;
    if (nc_hw_insn_fields(op, &n) == nullptr) {
      auto it = hist.find(op);
      illegal += it == hist.end() ? 0 : it->second.count(NC_HW_ERR_ILLEGAL_OPCODE);
      continue;
    }
    auto it = hist.find(op);
    const auto &h = it == hist.end() ? std::map<uint32_t, int>() : it->second;
    std::vector<uint32_t> want = {NC_HW_ERR_NONE, NC_HW_ERR_FIELD_RANGE};
    if (op != NC_HW_OP_GEMM && op != NC_HW_OP_DWCONV) {  // compute has both neighbours
      want.push_back(NC_HW_ERR_ILLEGAL_DEP);
    }
    for (uint32_t e : want) {
      if (h.count(e) == 0) {
        missing += std::string(" ") + nc_hw_opcode_name(op) + "/err" + std::to_string(e);
      }
    }
  }
  if (illegal == 0) {
    missing += " illegal_opcode";
  }
  if (qhist.count(NC_HW_ERR_NONE) == 0 || qhist.count(NC_HW_ERR_FIELD_RANGE) == 0) {
    missing += " qparam";
  }
  if (!missing.empty()) {
    return {false, "never reached:" + missing};
  }
  return {true, "every format passed, failed a range and (but GEMM) a dependency rule"};
}

// Directed cases with known answers, checked on both sides.
Result test_directed() {
  Checker sv;
  const nc_hw_qparam_t q0 = {{0, 0, 0, 0}};
  struct Case {
    const char *what;
    nc_hw_insn_t insn;
    uint32_t err, info;
  };
  std::vector<Case> cases;
  nc_hw_insn_t i;

  for (auto &w : i.w) {
    w = 0;
  }
  cases.push_back({"all-zero entry", i, NC_HW_ERR_ILLEGAL_OPCODE, 0});

  nc_hw_load_init(&i);
  nc_hw_load_set_elems(&i, NC_HW_ROWS);
  nc_hw_load_set_x_size(&i, 4);
  nc_hw_load_set_y_size(&i, 4);
  nc_hw_load_set_z_size(&i, 1);
  nc_hw_load_set_pad_top(&i, 1);
  nc_hw_insn_set_push_next(&i, 1);
  cases.push_back({"legal LOAD", i, NC_HW_ERR_NONE, 0});
  nc_hw_insn_t j = i;
  nc_hw_load_set_elems(&j, NC_HW_ROWS + 1);
  cases.push_back({"LOAD elems = rows + 1", j, NC_HW_ERR_FIELD_RANGE, NC_HW_LOAD_ELEMS_LSB});
  j = i;
  nc_hw_insn_set_push_prev(&j, 1);
  cases.push_back({"LOAD pushes to a previous queue", j, NC_HW_ERR_ILLEGAL_DEP,
                   NC_HW_INSN_PUSH_PREV_LSB});
  j = i;
  nc_hw_load_set_sram_addr(&j, NC_HW_SPAD_ROWS - 20);  // (1 + 4) x 4 rows: ends at the end
  cases.push_back({"LOAD filling the scratchpad's last rows", j, NC_HW_ERR_NONE, 0});
  nc_hw_load_set_sram_addr(&j, NC_HW_SPAD_ROWS - 19);
  cases.push_back({"LOAD one row past the scratchpad", j, NC_HW_ERR_FIELD_RANGE,
                   NC_HW_LOAD_SRAM_ADDR_LSB});
  j = i;
  nc_hw_bits_set(j.w, 127, 1, 1);
  cases.push_back({"LOAD with a reserved bit", j, NC_HW_ERR_FIELD_RANGE, 124});
  j = i;
  nc_hw_load_set_im2col_sh(&j, 1);
  cases.push_back({"plain LOAD with an im2col stride", j, NC_HW_ERR_FIELD_RANGE,
                   NC_HW_LOAD_IM2COL_KW_LSB});
  nc_hw_load_set_im2col_kh(&j, 1);
  nc_hw_load_set_im2col_kw(&j, 1);
  nc_hw_load_set_im2col_sw(&j, 1);
  cases.push_back({"im2col LOAD 1x1", j, NC_HW_ERR_NONE, 0});
  nc_hw_load_set_im2col_sw(&j, 0);
  cases.push_back({"im2col LOAD without a stride", j, NC_HW_ERR_FIELD_RANGE,
                   NC_HW_LOAD_IM2COL_SW_LSB});

  nc_hw_gemm_init(&i);
  nc_hw_gemm_set_loop_out(&i, 2);
  nc_hw_gemm_set_loop_in(&i, 3);
  nc_hw_gemm_set_inp_stride_out(&i, 10);
  nc_hw_gemm_set_inp_stride_in(&i, 2);
  nc_hw_gemm_set_acc_stride_out(&i, 3);
  nc_hw_gemm_set_acc_stride_in(&i, 1);
  nc_hw_insn_set_pop_prev(&i, 1);
  nc_hw_insn_set_push_next(&i, 1);
  cases.push_back({"legal GEMM with all four flags", i, NC_HW_ERR_NONE, 0});
  j = i;
  nc_hw_gemm_set_wgt_keep(&j, 1);
  nc_hw_gemm_set_wgt_addr(&j, 5);
  cases.push_back({"GEMM keeping weights names an address", j, NC_HW_ERR_FIELD_RANGE,
                   NC_HW_GEMM_WGT_ADDR_LSB});
  j = i;
  nc_hw_gemm_set_acc_addr(&j, NC_HW_ACC_ROWS - 6);  // last row = base + 3 + 2 = ACC_ROWS - 1
  cases.push_back({"GEMM ending at the last accumulator row", j, NC_HW_ERR_NONE, 0});
  nc_hw_gemm_set_acc_addr(&j, NC_HW_ACC_ROWS - 5);
  cases.push_back({"GEMM one row past the accumulator", j, NC_HW_ERR_FIELD_RANGE,
                   NC_HW_GEMM_ACC_ADDR_LSB});
  j = i;
  nc_hw_gemm_set_loop_in(&j, 0);
  cases.push_back({"GEMM with an empty loop", j, NC_HW_ERR_FIELD_RANGE,
                   NC_HW_GEMM_LOOP_IN_LSB});

  nc_hw_sync_init(&i);
  nc_hw_sync_set_target(&i, NC_HW_QUEUE_LOAD);
  nc_hw_insn_set_pop_next(&i, 1);
  cases.push_back({"SYNC on load popping from compute", i, NC_HW_ERR_NONE, 0});
  nc_hw_insn_set_pop_prev(&i, 1);
  cases.push_back({"SYNC on load popping from nothing", i, NC_HW_ERR_ILLEGAL_DEP,
                   NC_HW_INSN_POP_PREV_LSB});
  nc_hw_sync_set_target(&i, NC_HW_QUEUE_COMPUTE);
  cases.push_back({"SYNC on compute using both sides", i, NC_HW_ERR_NONE, 0});
  nc_hw_sync_set_target(&i, 3);
  cases.push_back({"SYNC on a fourth queue", i, NC_HW_ERR_FIELD_RANGE, NC_HW_SYNC_TARGET_LSB});

  nc_hw_finish_init(&i);
  cases.push_back({"FINISH", i, NC_HW_ERR_NONE, 0});
  nc_hw_insn_set_push_next(&i, 1);
  cases.push_back({"FINISH with a flag", i, NC_HW_ERR_ILLEGAL_DEP, NC_HW_INSN_PUSH_NEXT_LSB});

  nc_hw_store_cfg_init(&i);
  nc_hw_store_cfg_set_out_fmt(&i, NC_HW_OUT_INT8);
  nc_hw_store_cfg_set_pool_op(&i, NC_HW_POOL_AVG);
  nc_hw_store_cfg_set_pool_kh(&i, 10);
  nc_hw_store_cfg_set_pool_kw(&i, 10);
  nc_hw_store_cfg_set_pool_sh(&i, 5);
  nc_hw_store_cfg_set_pool_sw(&i, 5);
  cases.push_back({"STORE_CFG 10x10/5 average pool", i, NC_HW_ERR_NONE, 0});
  nc_hw_store_cfg_set_pool_op(&i, 3);
  cases.push_back({"STORE_CFG unknown pool op", i, NC_HW_ERR_FIELD_RANGE,
                   NC_HW_STORE_CFG_POOL_OP_LSB});

  for (const Case &c : cases) {
    sv.eval(c.insn, q0);
    uint32_t info = 0;
    const uint32_t err = nc_hw_insn_check(&c.insn, &info);
    const uint32_t info_c = err == NC_HW_ERR_NONE ? 0 : info;
    const uint32_t info_sv = sv.err() == NC_HW_ERR_NONE ? 0 : sv.info();
    if (err != c.err || info_c != c.info || sv.err() != c.err || info_sv != c.info) {
      char buf[240];
      std::snprintf(buf, sizeof buf,
                    "%s: want err %u info %u, C gives %u/%u, SV gives %u/%u", c.what, c.err,
                    c.info, err, info_c, sv.err(), info_sv);
      return {false, buf};
    }
  }

  // qparam: a legal record, then each way of breaking it.
  nc_hw_qparam_t q = q0;
  nc_hw_qparam_set_mult(&q, 1 << 30);
  nc_hw_qparam_set_shift(&q, -31);
  nc_hw_qparam_set_act_min(&q, -128);
  nc_hw_qparam_set_act_max(&q, 127);
  const nc_hw_insn_t nop = {{NC_HW_OP_FINISH, 0, 0, 0}};
  struct QCase {
    const char *what;
    nc_hw_qparam_t q;
    uint32_t err, info;
  };
  std::vector<QCase> qcases = {{"legal qparam", q, NC_HW_ERR_NONE, 0}};
  nc_hw_qparam_t r = q;
  nc_hw_qparam_set_shift(&r, -32);
  qcases.push_back({"shift -32", r, NC_HW_ERR_FIELD_RANGE, NC_HW_QPARAM_SHIFT_LSB});
  r = q;
  nc_hw_qparam_set_mult(&r, -1);
  qcases.push_back({"negative multiplier", r, NC_HW_ERR_FIELD_RANGE, NC_HW_QPARAM_MULT_LSB});
  r = q;
  nc_hw_qparam_set_act_min(&r, 5);
  nc_hw_qparam_set_act_max(&r, 4);
  qcases.push_back({"empty clamp", r, NC_HW_ERR_FIELD_RANGE, NC_HW_QPARAM_ACT_MAX_LSB});
  for (const QCase &c : qcases) {
    sv.eval(nop, c.q);
    uint32_t info = 0;
    const uint32_t err = nc_hw_qparam_check(&c.q, &info);
    const uint32_t info_c = err == NC_HW_ERR_NONE ? 0 : info;
    const uint32_t info_sv = sv.qerr() == NC_HW_ERR_NONE ? 0 : sv.qinfo();
    if (err != c.err || info_c != c.info || sv.qerr() != c.err || info_sv != c.info) {
      char buf[240];
      std::snprintf(buf, sizeof buf,
                    "%s: want err %u info %u, C gives %u/%u, SV gives %u/%u", c.what, c.err,
                    c.info, err, info_c, sv.qerr(), info_sv);
      return {false, buf};
    }
  }
  return {true, std::to_string(cases.size() + qcases.size()) + " cases"};
}

// Accessors round-trip every field without touching its neighbours, across word boundaries.
Result test_accessors(uint64_t seed) {
  Rng rng(seed);
  for (uint32_t op = 0; op < 16; op++) {
    unsigned n = 0;
    const nc_hw_field_info_t *fields = nc_hw_insn_fields(op, &n);
    for (unsigned k = 0; k < n; k++) {
      nc_hw_insn_t a;
      for (auto &w : a.w) {
        w = static_cast<uint32_t>(rng.next());
      }
      nc_hw_insn_t b = a;
      const uint32_t mask = static_cast<uint32_t>((1ull << fields[k].width) - 1u);
      const uint32_t v = static_cast<uint32_t>(rng.next()) & mask;
      nc_hw_bits_set(b.w, fields[k].lsb, fields[k].width, v);
      if (nc_hw_bits_get(b.w, fields[k].lsb, fields[k].width) != v) {
        return {false, std::string(nc_hw_opcode_name(op)) + "." + fields[k].name +
                           " does not read back"};
      }
      nc_hw_bits_set(b.w, fields[k].lsb, fields[k].width,
                     nc_hw_bits_get(a.w, fields[k].lsb, fields[k].width));
      for (int i = 0; i < 4; i++) {
        if (a.w[i] != b.w[i]) {
          return {false, std::string(nc_hw_opcode_name(op)) + "." + fields[k].name +
                             " disturbs other bits"};
        }
      }
    }
  }
  uint8_t bytes[16];
  nc_hw_insn_t i = {{0x04030201u, 0x08070605u, 0x0c0b0a09u, 0x100f0e0du}}, back;
  nc_hw_words_to_bytes(i.w, 4, bytes);
  nc_hw_words_from_bytes(bytes, 4, back.w);
  for (int k = 0; k < 16; k++) {
    if (bytes[k] != k + 1 || back.w[k / 4] != i.w[k / 4]) {
      return {false, "byte order is not little-endian"};
    }
  }
  if (nc_hw_sext(0x80u, 8) != -128 || nc_hw_sext(0x7fu, 8) != 127 ||
      nc_hw_sext(0x80000000u, 32) != INT32_MIN || nc_hw_sext(0xffffffffu, 32) != -1) {
    return {false, "sign extension"};
  }
  return {true, "every field of every format, bytes, sign extension"};
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
  std::printf("insn_check: seed %" PRIu64 " (reproduce: NEOCOG_SEED=%" PRIu64 " %s)\n", seed,
              seed, argv[0]);
  std::map<uint32_t, std::map<uint32_t, int>> hist;
  std::map<uint32_t, int> qhist;
  const std::pair<const char *, Result> results[] = {
      {"agree", test_agree(seed, &hist, &qhist)},
      {"coverage", test_coverage(hist, qhist)},
      {"directed", test_directed()},
      {"accessors", test_accessors(seed + 1)},
  };
  int passed = 0, failed = 0;
  for (const auto &r : results) {
    std::printf("%s insn_check.%s: %s\n", r.second.ok ? "PASS" : "FAIL", r.first,
                r.second.detail.c_str());
    (r.second.ok ? passed : failed)++;
  }
  std::printf("insn_check: %d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
