// nc::AxiMem: a cycle-based AXI4 slave memory for the RTL benches, the rtl harness and the
// SystemC bridge. Plain C++17, no Verilator dependency: the caller copies the DUT's master
// pins into an AxiReq before each rising edge and drives the AxiRsp outputs back.
//
// Timing: a read burst's first beat is ready `latency` cycles after its AR handshake and
// bursts pipeline (up to kMaxOutstanding of each kind accepted and unanswered); R and W beats
// share one bandwidth budget of `bytes_per_cycle` on average; a B response comes `latency`
// cycles after the burst's last W beat. Responses are in order of acceptance (legal for any
// ID assignment). Outputs depend only on state (registered), never on the same cycle's inputs.
//
// Checks, each counted in violations() with the first one described in first_violation():
// burst type not INCR, size not log2(bus_bytes), address not bus-aligned, a burst crossing
// 4 KiB, WLAST on the wrong beat, and accesses outside every allowed slot. Writes are
// checked per byte whose strobe is set; reads per beat, against the slots widened to whole
// beats (a DMA reading an unaligned row reads whole beats and drops the extra bytes). Until
// the first set_allowed() call every address is allowed.
#ifndef NEOCOG_SIM_RTL_AXI_MEM_H
#define NEOCOG_SIM_RTL_AXI_MEM_H

#include <cstddef>
#include <cstdint>
#include <string>

#include "neocog/nc_hw.h"

namespace nc {

struct AxiMemConfig {
  uint32_t latency = 100;                  // cycles from AR (or last W) to first R beat (B)
  uint32_t bytes_per_cycle = 16;           // average data bandwidth, R and W together
  uint32_t bus_bytes = NC_HW_BUS_BYTES;    // data width, power of two, 1..128
};

enum class AxiFault {
  None,    // normal operation
  Hang,    // accept nothing more and answer nothing more (a beat already shown stays)
  SlvErr,  // every R beat and B response carries SLVERR (2); writes change nothing
};

struct AxiReq {  // master outputs, sampled just before a rising edge
  bool arvalid;
  uint32_t arid;
  uint64_t araddr;
  uint32_t arlen, arsize, arburst;
  bool rready;
  bool awvalid;
  uint32_t awid;
  uint64_t awaddr;
  uint32_t awlen, awsize, awburst;
  bool wvalid;
  uint8_t wdata[128];
  uint64_t wstrb;
  bool wlast;
  bool bready;
};

struct AxiRsp {  // slave outputs for the current cycle
  bool arready, awready, wready;
  bool rvalid;
  uint32_t rid;
  uint8_t rdata[128];
  uint32_t rresp;
  bool rlast;
  bool bvalid;
  uint32_t bid;
  uint32_t bresp;
};

// Where the bytes live: a plain array, or a TLM-2.0 socket in SystemC.
class AxiMemBacking {
 public:
  virtual ~AxiMemBacking() = default;
  // false: nothing there (the beat answers DECERR).
  virtual bool read(uint64_t addr, uint8_t *dst, size_t len) = 0;
  // byte_enable may be NULL (all bytes); false: nothing there (DECERR).
  virtual bool write(uint64_t addr, const uint8_t *src, const uint8_t *byte_enable,
                     size_t len) = 0;
};

// [addr, addr + len) lies inside [base, base + size), without overflow.
inline bool range_within(uint64_t addr, uint64_t len, uint64_t base, uint64_t size) {
  return addr >= base && len <= size && addr - base <= size - len;
}

// The physical range [base, base + size) held in the caller's array (none until set, when
// default-constructed: every access is then a decode error).
class ArrayBacking : public AxiMemBacking {
 public:
  ArrayBacking() = default;
  ArrayBacking(uint8_t *mem, uint64_t base, uint64_t size) : mem_(mem), base_(base), size_(size) {}
  void set(uint8_t *mem, uint64_t base, uint64_t size) {
    mem_ = mem;
    base_ = base;
    size_ = size;
  }
  bool read(uint64_t addr, uint8_t *dst, size_t len) override;
  bool write(uint64_t addr, const uint8_t *src, const uint8_t *byte_enable, size_t len) override;

 private:
  bool inside(uint64_t addr, size_t len) const {
    return mem_ != nullptr && range_within(addr, len, base_, size_);
  }
  uint8_t *mem_ = nullptr;
  uint64_t base_ = 0, size_ = 0;
};

class AxiMem {
 public:
  static constexpr size_t kMaxOutstanding = 64;  // accepted bursts of each kind in flight

  AxiMem(const AxiMemConfig &cfg, AxiMemBacking *backing);
  AxiMem(const AxiMemConfig &cfg, AxiMemBacking &backing) : AxiMem(cfg, &backing) {}

  void set_allowed(int slot, uint64_t base, uint64_t size);  // slot 0 window, 1 ring; 0: none
  void set_fault(AxiFault f) { fault_ = f; }
  const AxiRsp &outputs() const { return out_; }  // drive onto the DUT before evaluating it
  void clock(const AxiReq &req);  // one rising edge: handshakes with the current outputs
  bool idle() const;              // nothing accepted and unanswered
  uint64_t violations() const { return violations_; }
  const std::string &first_violation() const { return first_violation_; }
  uint64_t bytes_read() const { return bytes_read_; }
  uint64_t bytes_written() const { return bytes_written_; }
  uint64_t cycle() const { return now_; }

 private:
  // Bursts in order of acceptance: a ring of kMaxOutstanding, which the ready signals keep
  // from overflowing.
  template <typename T>
  class Ring {
   public:
    bool empty() const { return n_ == 0; }
    size_t size() const { return n_; }
    T &front() { return v_[head_]; }
    const T &front() const { return v_[head_]; }
    void push_back(const T &x) { v_[(head_ + n_++) % kMaxOutstanding] = x; }
    void pop_front() {
      head_ = (head_ + 1) % kMaxOutstanding;
      n_--;
    }

   private:
    T v_[kMaxOutstanding];
    size_t head_ = 0, n_ = 0;
  };
  struct Burst {
    uint32_t id;
    uint64_t addr;
    uint32_t beats;   // arlen/awlen + 1
    uint32_t done;    // beats sent (R) or received (W)
    uint64_t ready;   // cycle the first R beat (B response) may go
    bool err;         // W: some beat failed (DECERR)
  };
  static constexpr int kSlots = 2;

  void violation(const std::string &what);
  void check_burst(const char *ch, uint64_t addr, uint32_t len, uint32_t size, uint32_t burst);
  bool byte_allowed(uint64_t addr) const;
  bool beat_allowed(uint64_t addr) const;
  bool range_in_slot(uint64_t addr, uint64_t len) const;
  void accept_w(const AxiReq &req);
  void next_outputs();

  AxiMemConfig cfg_;
  AxiMemBacking *backing_;
  AxiFault fault_ = AxiFault::None;
  AxiRsp out_{};
  uint64_t now_ = 0;
  uint32_t credit_ = 0;   // bytes of bandwidth available
  bool r_first_ = true;   // R before W when both want the last credit (alternates)
  Ring<Burst> rd_;  // accepted reads, in order; front is being answered
  Ring<Burst> aw_;  // accepted writes waiting for (more) W beats
  Ring<Burst> b_;   // writes with every beat in, waiting for their B
  bool slots_set_ = false;
  uint64_t slot_base_[kSlots] = {0, 0};
  uint64_t slot_size_[kSlots] = {0, 0};
  uint64_t violations_ = 0;
  std::string first_violation_;
  uint64_t bytes_read_ = 0, bytes_written_ = 0;
};

}  // namespace nc

#endif  // NEOCOG_SIM_RTL_AXI_MEM_H
