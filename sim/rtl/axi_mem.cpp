// nc::AxiMem: see axi_mem.h for the timing and the checks.
#include "neocog/axi_mem.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

namespace nc {

namespace {

constexpr uint32_t kBurstIncr = 1;
constexpr uint64_t k4K = 4096;

uint32_t log2u(uint32_t v) {
  uint32_t r = 0;
  while ((1u << r) < v) {
    r++;
  }
  return r;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

}  // namespace

bool ArrayBacking::read(uint64_t addr, uint8_t *dst, size_t len) {
  if (!inside(addr, len)) {
    return false;
  }
  std::memcpy(dst, mem_ + (addr - base_), len);
  return true;
}

bool ArrayBacking::write(uint64_t addr, const uint8_t *src, const uint8_t *byte_enable,
                         size_t len) {
  if (!inside(addr, len)) {
    return false;
  }
  uint8_t *p = mem_ + (addr - base_);
  if (byte_enable == nullptr) {
    std::memcpy(p, src, len);
    return true;
  }
  for (size_t i = 0; i < len; i++) {
    if (byte_enable[i] != 0) {
      p[i] = src[i];
    }
  }
  return true;
}

AxiMem::AxiMem(const AxiMemConfig &cfg, AxiMemBacking *backing) : cfg_(cfg), backing_(backing) {
  // A width outside 1..128 or not a power of two cannot be driven; clamp instead of failing
  // later on an out-of-range array index.
  if (cfg_.bus_bytes < 1 || cfg_.bus_bytes > 128 || (cfg_.bus_bytes & (cfg_.bus_bytes - 1)) != 0) {
    cfg_.bus_bytes = NC_HW_BUS_BYTES;
  }
  if (cfg_.bytes_per_cycle < 1) {
    cfg_.bytes_per_cycle = 1;
  }
  next_outputs();
}

void AxiMem::set_allowed(int slot, uint64_t base, uint64_t size) {
  if (slot < 0 || slot >= kSlots) {
    return;
  }
  slots_set_ = true;
  slot_base_[slot] = base;
  slot_size_[slot] = size;
}

bool AxiMem::idle() const {
  return rd_.empty() && aw_.empty() && b_.empty() && !out_.rvalid && !out_.bvalid;
}

void AxiMem::violation(const std::string &what) {
  if (violations_ == 0) {
    first_violation_ = "cycle " + std::to_string(now_) + ": " + what;
  }
  violations_++;
}

void AxiMem::check_burst(const char *ch, uint64_t addr, uint32_t len, uint32_t size,
                         uint32_t burst) {
  const uint64_t bytes = uint64_t{len + 1} * cfg_.bus_bytes;
  const bool bad_burst = burst != kBurstIncr;
  const bool bad_size = size != log2u(cfg_.bus_bytes);
  const bool unaligned = addr % cfg_.bus_bytes != 0;
  const bool too_long = len > 255;
  const bool crosses = (addr % k4K) + bytes > k4K;
  if (!(bad_burst || bad_size || unaligned || too_long || crosses)) {
    return;  // the message is built only for a burst that breaks a rule
  }
  std::string at = std::string(ch) + " " + hex(addr) + " len " + std::to_string(len);
  if (bad_burst) {
    violation(at + ": burst type " + std::to_string(burst) + ", not INCR");
  }
  if (bad_size) {
    violation(at + ": size " + std::to_string(size) + ", not the bus width");
  }
  if (unaligned) {
    violation(at + ": address not aligned to the bus width");
  }
  if (too_long) {
    violation(at + ": more than 256 beats");
  }
  if (crosses) {
    violation(at + ": crosses a 4 KiB boundary");
  }
}

bool AxiMem::byte_allowed(uint64_t addr) const {
  return range_in_slot(addr, 1);
}

bool AxiMem::beat_allowed(uint64_t addr) const {
  if (!slots_set_) {
    return true;
  }
  const uint64_t bb = cfg_.bus_bytes;
  for (int s = 0; s < kSlots; s++) {
    if (slot_size_[s] == 0) {
      continue;
    }
    const uint64_t lo = slot_base_[s] / bb * bb;
    const uint64_t hi = (slot_base_[s] + slot_size_[s] + bb - 1) / bb * bb;
    if (addr >= lo && addr + bb <= hi) {
      return true;
    }
  }
  return false;
}

// [addr, addr + len) inside one allowed slot (every address allowed before set_allowed()).
bool AxiMem::range_in_slot(uint64_t addr, uint64_t len) const {
  if (!slots_set_) {
    return true;
  }
  for (int s = 0; s < kSlots; s++) {
    if (slot_size_[s] != 0 && range_within(addr, len, slot_base_[s], slot_size_[s])) {
      return true;
    }
  }
  return false;
}

void AxiMem::accept_w(const AxiReq &req) {
  Burst &w = aw_.front();
  const uint32_t bb = cfg_.bus_bytes;
  const uint64_t addr = w.addr + uint64_t{w.done} * bb;
  const bool last = w.done + 1 == w.beats;
  if (req.wlast != last) {
    violation("write " + hex(w.addr) + ": WLAST " + (req.wlast ? "on" : "missing on") +
              " beat " + std::to_string(w.done) + " of " + std::to_string(w.beats));
  }
  const uint64_t all = bb >= 64 ? ~uint64_t{0} : (uint64_t{1} << bb) - 1;
  uint32_t n = 0;
  if (bb <= 64 && (req.wstrb & all) == all && range_in_slot(addr, bb)) {
    // The common beat: every byte strobed, the whole beat in one allowed slot.
    n = bb;
    if (fault_ != AxiFault::SlvErr && (backing_ == nullptr || !backing_->write(addr, req.wdata,
                                                                                nullptr, bb))) {
      w.err = true;
    }
  } else {
    uint8_t be[128];
    bool outside = false;
    for (uint32_t i = 0; i < bb; i++) {
      be[i] = static_cast<uint8_t>((req.wstrb >> i) & 1u);
      if (be[i] != 0) {
        n++;
        outside = outside || !byte_allowed(addr + i);
      }
    }
    if (outside) {
      violation("write beat " + hex(addr) + " has strobed bytes outside every allowed range");
    }
    if (n != 0 && fault_ != AxiFault::SlvErr) {
      if (backing_ == nullptr || !backing_->write(addr, req.wdata, be, bb)) {
        w.err = true;
      }
    }
  }
  bytes_written_ += n;
  w.done++;
  if (last) {
    w.ready = now_ + cfg_.latency;
    b_.push_back(w);
    aw_.pop_front();
  }
}

void AxiMem::clock(const AxiReq &req) {
  const uint32_t bb = cfg_.bus_bytes;
  // Handshakes against the outputs the DUT saw this cycle.
  if (out_.arready && req.arvalid) {
    check_burst("read", req.araddr, req.arlen, req.arsize, req.arburst);
    Burst r{req.arid, req.araddr, req.arlen + 1, 0, now_ + cfg_.latency, false};
    // A burst inside one slot needs no beat-by-beat check.
    if (!range_in_slot(r.addr, uint64_t{r.beats} * bb)) {
      for (uint32_t i = 0; i < r.beats; i++) {
        if (!beat_allowed(r.addr + uint64_t{i} * bb)) {
          violation("read " + hex(r.addr) + " len " + std::to_string(req.arlen) + ": beat " +
                    hex(r.addr + uint64_t{i} * bb) + " outside every allowed range");
          break;
        }
      }
    }
    rd_.push_back(r);
  }
  if (out_.rvalid && req.rready) {
    bytes_read_ += bb;
    Burst &r = rd_.front();
    r.done++;
    if (r.done == r.beats) {
      rd_.pop_front();
    }
    out_.rvalid = false;
  }
  if (out_.awready && req.awvalid) {
    check_burst("write", req.awaddr, req.awlen, req.awsize, req.awburst);
    aw_.push_back(Burst{req.awid, req.awaddr, req.awlen + 1, 0, 0, false});
  }
  if (out_.wready) {
    if (req.wvalid) {
      accept_w(req);
    } else {
      credit_ += bb;  // the budget held for a beat that did not come
    }
  }
  if (out_.bvalid && req.bready) {
    b_.pop_front();
    out_.bvalid = false;
  }
  credit_ = std::min(credit_ + cfg_.bytes_per_cycle, std::max(bb, cfg_.bytes_per_cycle));
  next_outputs();
  now_++;
}

void AxiMem::next_outputs() {
  const uint32_t bb = cfg_.bus_bytes;
  const bool run = fault_ != AxiFault::Hang;
  out_.arready = run && rd_.size() < kMaxOutstanding;
  out_.awready = run && aw_.size() + b_.size() < kMaxOutstanding;
  // A beat shown stays until taken (AXI: VALID never drops before READY).
  const bool r_want = run && !out_.rvalid && !rd_.empty() && now_ >= rd_.front().ready;
  const bool w_want = run && !aw_.empty();
  bool r_go = false, w_go = false;
  if (r_want && w_want && credit_ < 2 * bb) {
    if (credit_ >= bb) {
      r_go = r_first_;
      w_go = !r_first_;
      r_first_ = !r_first_;
    }
  } else {
    r_go = r_want && credit_ >= bb;
    w_go = w_want && credit_ >= (r_go ? 2 * bb : bb);
  }
  if (r_go) {
    credit_ -= bb;
    const Burst &r = rd_.front();
    const uint64_t addr = r.addr + uint64_t{r.done} * bb;
    out_.rvalid = true;
    out_.rid = r.id;
    out_.rlast = r.done + 1 == r.beats;
    if (fault_ == AxiFault::SlvErr) {
      std::memset(out_.rdata, 0, sizeof out_.rdata);
      out_.rresp = 2;
    } else if (backing_ == nullptr || !backing_->read(addr, out_.rdata, bb)) {
      std::memset(out_.rdata, 0, sizeof out_.rdata);
      out_.rresp = 3;
    } else {
      out_.rresp = 0;
    }
  }
  out_.wready = w_go;
  if (w_go) {
    credit_ -= bb;
  }
  if (run && !out_.bvalid && !b_.empty() && now_ >= b_.front().ready) {
    const Burst &b = b_.front();
    out_.bvalid = true;
    out_.bid = b.id;
    out_.bresp = fault_ == AxiFault::SlvErr ? 2u : (b.err ? 3u : 0u);
  }
}

}  // namespace nc
