// Bench of nc::AxiMem alone (no RTL): an ideal master drives it through reads, writes and
// faults; data are compared with the backing array, timing with the configured latency and
// bandwidth, and the protocol and window checks with the violations they must count.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

#include "neocog/axi_mem.h"

namespace {

int g_pass = 0, g_fail = 0;

void check(bool ok, const char *what) {
  if (ok) {
    g_pass++;
  } else {
    g_fail++;
    std::printf("FAIL: %s\n", what);
  }
}

constexpr uint32_t kBus = NC_HW_BUS_BYTES;
constexpr uint64_t kBase = 0x10000;
constexpr uint64_t kSize = 1 << 16;

struct Rig {
  std::vector<uint8_t> mem;
  nc::ArrayBacking backing;
  nc::AxiMem axi;
  nc::AxiReq q{};
  explicit Rig(const nc::AxiMemConfig &c)
      : mem(kSize), backing(mem.data(), kBase, kSize), axi(c, &backing) {}
  void tick() { axi.clock(q); }
};

// Reads `beats` beats at addr; returns the cycles from AR handshake to the last beat.
uint64_t read_burst(Rig &r, uint64_t addr, uint32_t beats, std::vector<uint8_t> *data,
                    uint32_t *resp) {
  r.q = nc::AxiReq{};
  r.q.arvalid = true;
  r.q.araddr = addr;
  r.q.arlen = beats - 1;
  r.q.arsize = __builtin_ctz(kBus);
  r.q.arburst = 1;
  r.q.arid = 3;
  while (!r.axi.outputs().arready) {
    r.tick();
  }
  const uint64_t t0 = r.axi.cycle();
  r.tick();
  r.q.arvalid = false;
  r.q.rready = true;
  *resp = 0;
  uint32_t got = 0;
  for (int guard = 0; got < beats && guard < 100000; guard++) {
    const nc::AxiRsp &o = r.axi.outputs();
    if (o.rvalid) {
      data->insert(data->end(), o.rdata, o.rdata + kBus);
      *resp |= o.rresp;
      got++;
      if ((got == beats) != o.rlast || o.rid != 3) {
        *resp |= 0x100;
      }
    }
    r.tick();
  }
  r.q.rready = false;
  return r.axi.cycle() - t0;
}

uint32_t write_burst(Rig &r, uint64_t addr, uint32_t beats, const uint8_t *src, uint64_t strb,
                     bool bad_last) {
  r.q = nc::AxiReq{};
  r.q.awvalid = true;
  r.q.awaddr = addr;
  r.q.awlen = beats - 1;
  r.q.awsize = __builtin_ctz(kBus);
  r.q.awburst = 1;
  while (!r.axi.outputs().awready) {
    r.tick();
  }
  r.tick();
  r.q.awvalid = false;
  uint32_t sent = 0;
  for (int guard = 0; sent < beats && guard < 100000; guard++) {
    r.q.wvalid = true;
    std::memcpy(r.q.wdata, src + sent * kBus, kBus);
    r.q.wstrb = strb;
    r.q.wlast = (sent + 1 == beats) != bad_last;
    if (r.axi.outputs().wready) {
      sent++;
    }
    r.tick();
  }
  r.q.wvalid = false;
  r.q.bready = true;
  uint32_t resp = 0xff;
  for (int guard = 0; guard < 100000; guard++) {
    if (r.axi.outputs().bvalid) {
      resp = r.axi.outputs().bresp;
      r.tick();
      break;
    }
    r.tick();
  }
  r.q.bready = false;
  return resp;
}

}  // namespace

int main() {
  unsigned seed = 1;
  if (const char *s = std::getenv("NEOCOG_SEED")) {
    seed = static_cast<unsigned>(std::strtoul(s, nullptr, 0));
  }
  std::printf("axi_mem: seed %u (NEOCOG_SEED=%u to reproduce)\n", seed, seed);
  std::mt19937 rng(seed);
  for (uint32_t lat : {0u, 1u, 7u, 100u}) {
    nc::AxiMemConfig c;
    c.latency = lat;
    Rig r(c);
    for (auto &b : r.mem) {
      b = static_cast<uint8_t>(rng());
    }
    std::vector<uint8_t> d;
    uint32_t resp;
    const uint64_t t = read_burst(r, kBase + 0x100, 16, &d, &resp);
    check(resp == 0, "read: OKAY, RLAST on the last beat, RID echoed");
    check(std::memcmp(d.data(), &r.mem[0x100], 16 * kBus) == 0, "read: data");
    check(t >= lat + 16 && t <= lat + 18, "read: latency then one beat per cycle");
    std::vector<uint8_t> w(8 * kBus);
    for (auto &b : w) {
      b = static_cast<uint8_t>(rng());
    }
    std::vector<uint8_t> before(r.mem.begin() + 0x200, r.mem.begin() + 0x200 + 8 * kBus);
    const uint64_t strb = 0x5a5a5a5a5a5a5a5aull & ((kBus >= 64) ? ~0ull : (1ull << kBus) - 1);
    check(write_burst(r, kBase + 0x200, 8, w.data(), strb, false) == 0, "write: OKAY");
    bool ok = true;
    for (uint32_t i = 0; i < 8 * kBus; i++) {
      const bool en = (strb >> (i % kBus)) & 1u;
      ok = ok && r.mem[0x200 + i] == (en ? w[i] : before[i]);
    }
    check(ok, "write: strobed bytes written, others kept");
    check(r.axi.violations() == 0 && r.axi.idle(), "clean traffic: no violation, idle");
    check(r.axi.bytes_written() == 8 * uint64_t{__builtin_popcountll(strb)}, "bytes_written");
  }
  {  // Bandwidth: 4 bytes per cycle makes each beat take bus/4 cycles.
    nc::AxiMemConfig c;
    c.latency = 5;
    c.bytes_per_cycle = 4;
    Rig r(c);
    std::vector<uint8_t> d;
    uint32_t resp;
    const uint64_t t = read_burst(r, kBase, 16, &d, &resp);
    check(t >= 16 * kBus / 4 && t <= 5 + 16 * kBus / 4 + 2, "bandwidth limit");
  }
  {  // Fully strobed beats (the memory's one-copy path) against a window whose end is not on
     // a beat: inside, straddling the end, outside; data, counts and violations.
    nc::AxiMemConfig c;
    c.latency = 3;
    Rig r(c);
    const uint64_t all = (kBus >= 64) ? ~0ull : (1ull << kBus) - 1;
    r.axi.set_allowed(0, kBase + 0x400, 2 * kBus + kBus / 2);
    std::vector<uint8_t> w(2 * kBus);
    for (uint32_t i = 0; i < 2 * kBus; i++) {
      w[i] = static_cast<uint8_t>(0x30 + i);
    }
    check(write_burst(r, kBase + 0x400, 2, w.data(), all, false) == 0, "full beats: OKAY");
    check(std::memcmp(&r.mem[0x400], w.data(), 2 * kBus) == 0, "full beats: data written");
    check(r.axi.violations() == 0 && r.axi.bytes_written() == 2 * kBus,
          "full beats inside: no violation, every byte counted");
    write_burst(r, kBase + 0x400 + 2 * kBus, 1, w.data(), all, false);
    check(r.axi.violations() == 1, "full beat straddling the window's end counted");
    write_burst(r, kBase + 0x400 + 2 * kBus, 1, w.data(), all >> (kBus / 2), false);
    check(r.axi.violations() == 1, "the same beat strobed inside only is no violation");
    write_burst(r, kBase + 0x400 + 3 * kBus, 1, w.data(), all, false);
    check(r.axi.violations() == 2, "full beat outside counted");
    std::vector<uint8_t> d;
    uint32_t resp;
    read_burst(r, kBase + 0x400, 3, &d, &resp);
    check(r.axi.violations() == 2, "read of the window's beats, the last one partly in it");
    r.axi.set_fault(nc::AxiFault::SlvErr);
    d.clear();
    read_burst(r, kBase + 0x400, 1, &d, &resp);
    bool zero = d.size() == kBus;
    for (uint8_t b : d) {
      zero = zero && b == 0;
    }
    check(resp == 2 && zero, "SlvErr read: no data (zeros)");
  }
  {  // Protocol and window checks, faults.
    nc::AxiMemConfig c;
    c.latency = 3;
    Rig r(c);
    r.axi.set_allowed(0, kBase + 0x1000, 0x100);
    r.axi.set_allowed(1, kBase + 0x3000, 0x40);
    std::vector<uint8_t> d;
    uint32_t resp;
    read_burst(r, kBase + 0x1000, 16, &d, &resp);
    read_burst(r, kBase + 0x3000, 4, &d, &resp);
    check(r.axi.violations() == 0, "reads inside the slots");
    read_burst(r, kBase + 0x1000, 17, &d, &resp);
    check(r.axi.violations() == 1, "read past the window counted");
    read_burst(r, kBase + 0x1ff0, 2, &d, &resp);
    check(r.axi.violations() == 3, "4 KiB crossing and outside counted");
    std::vector<uint8_t> w(4 * kBus, 0xee);
    write_burst(r, kBase + 0x10f0, 1, w.data(), 1, false);
    check(r.axi.violations() == 3, "write inside");
    write_burst(r, kBase + 0x1100, 1, w.data(), 0, false);
    check(r.axi.violations() == 3, "write outside without strobes is no access");
    write_burst(r, kBase + 0x1100, 1, w.data(), 1, false);
    check(r.axi.violations() == 4, "write outside counted");
    write_burst(r, kBase + 0x1000, 2, w.data(), 0, true);
    check(r.axi.violations() == 6, "WLAST misplaced counted");
    check(!r.axi.first_violation().empty(), "first violation described");
    r.axi.set_fault(nc::AxiFault::SlvErr);
    d.clear();
    read_burst(r, kBase + 0x1000, 2, &d, &resp);
    check(resp == 2, "SlvErr read");
    check(write_burst(r, kBase + 0x1000, 1, w.data(), 1, false) == 2, "SlvErr write");
    d.clear();
    read_burst(r, kBase + kSize, 1, &d, &resp);
    check(resp == 2, "SlvErr has priority over DECERR");
    r.axi.set_fault(nc::AxiFault::None);
    r.axi.set_allowed(0, 0, 0);
    r.axi.set_allowed(1, 0, 0);
    read_burst(r, kBase + kSize, 1, &d, &resp);
    check(resp == 3, "DECERR outside the backing");
    r.axi.set_fault(nc::AxiFault::Hang);
    r.tick();
    check(!r.axi.outputs().arready && !r.axi.outputs().awready, "Hang accepts nothing");
  }
  std::printf("axi_mem: %d passed, %d failed\n", g_pass, g_fail);
  return g_fail == 0 ? 0 : 1;
}
