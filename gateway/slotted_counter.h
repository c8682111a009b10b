// SlottedCounter: how many events happened in the last kSlots time slots,
// lock-free. Time is cut into slots of a fixed width (window / kSlots, chosen
// by the owner); each slot keeps its own count, stamped with the slot's
// number so that a slot reused one lap later starts again from zero.
//
//   const int64_t width_ns = absl::ToInt64Nanoseconds(window) / kSlots;
//   SlottedCounter failures;
//   failures.Add(SlotOf(now, width_ns));
//   if (failures.Sum(SlotOf(now, width_ns)) >= burst) { ... }
//
// A sum covers the current slot and the kSlots - 1 before it, so the window
// it measures is between (kSlots - 1) and kSlots slot widths long: within
// 1/16 of the configured window. Memory is fixed (kSlots words) whatever the
// event rate, which matters for tables keyed by callers.
#ifndef MESHID_GATEWAY_SLOTTED_COUNTER_H_
#define MESHID_GATEWAY_SLOTTED_COUNTER_H_

#include <array>
#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace meshid::gateway {

// The number of the slot `now` falls in.
inline int64_t SlotOf(absl::Time now, int64_t slot_width_ns) {
  return absl::ToUnixNanos(now) / slot_width_ns;
}

class SlottedCounter {
 public:
  static constexpr int kSlots = 16;

  // Counts `n` events in slot `slot`. Thread-safe, lock-free. An event for
  // a slot older than what its cell holds (a racing caller with an older
  // clock reading) is counted in the newer slot.
  void Add(int64_t slot, uint32_t n = 1) {
    std::atomic<uint64_t>& cell = cells_[Index(slot)];
    const uint32_t stamp = static_cast<uint32_t>(slot);
    uint64_t old = cell.load(std::memory_order_relaxed);
    for (;;) {
      const uint32_t old_stamp = static_cast<uint32_t>(old >> 32);
      uint64_t next;
      if (old_stamp == stamp) {
        next = Pack(stamp, SaturatingAdd(Count(old), n));
      } else if (Count(old) == 0 ||
                 static_cast<int32_t>(stamp - old_stamp) > 0) {
        next = Pack(stamp, n);  // an empty cell, or one from a lap ago
      } else {
        next = Pack(old_stamp, SaturatingAdd(Count(old), n));
      }
      if (cell.compare_exchange_weak(old, next, std::memory_order_relaxed)) {
        return;
      }
    }
  }

  // Events in slots (current_slot - kSlots, current_slot]. Thread-safe.
  uint64_t Sum(int64_t current_slot) const {
    const uint32_t current = static_cast<uint32_t>(current_slot);
    uint64_t total = 0;
    for (const std::atomic<uint64_t>& cell : cells_) {
      const uint64_t v = cell.load(std::memory_order_relaxed);
      const uint32_t age = current - static_cast<uint32_t>(v >> 32);
      if (age < kSlots) total += Count(v);
    }
    return total;
  }

  void Clear() {
    for (std::atomic<uint64_t>& cell : cells_) {
      cell.store(0, std::memory_order_relaxed);
    }
  }

 private:
  static size_t Index(int64_t slot) {
    return static_cast<size_t>(static_cast<uint64_t>(slot) % kSlots);
  }
  static uint64_t Pack(uint32_t stamp, uint32_t count) {
    return (uint64_t{stamp} << 32) | count;
  }
  static uint32_t Count(uint64_t v) { return static_cast<uint32_t>(v); }
  static uint32_t SaturatingAdd(uint32_t a, uint32_t b) {
    const uint64_t sum = uint64_t{a} + b;
    return sum > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(sum);
  }

  // High 32 bits: the slot number (mod 2^32); low 32: the count. A zero
  // word is slot 0 with no events, which Sum ignores once time has moved on.
  std::array<std::atomic<uint64_t>, kSlots> cells_{};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_SLOTTED_COUNTER_H_
