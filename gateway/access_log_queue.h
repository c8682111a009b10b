// AccessLogQueue: the bounded queue between the request path and the
// access-log shipper. Producers never block and never allocate once the
// slots are warm: a full queue refuses the record (the caller counts the
// drop). A lock-free multi-producer ring in the style of Dmitry Vyukov's
// bounded MPMC queue: each slot carries a sequence number that says whose
// turn it is, so a producer claims a slot with one compare-and-swap on the
// tail and publishes it with one release store.
//
//   AccessLogQueue queue(settings.access_log.queue_bound);
//   // request path:
//   if (!queue.TryPush([&](AccessRecord& r) { r.status_code = 0; ... })) {
//     metrics.OnAccessLogDropped();
//   }
//   // shipper thread:
//   AccessRecord record;
//   while (queue.TryPop(&record)) { ... }
//
// Records are filled and emptied in place: TryPush hands the slot's record
// to the filler (its strings keep their capacity from earlier use), and
// TryPop swaps it with the consumer's, so buffers circulate instead of
// being freed and allocated.
#ifndef MESHID_GATEWAY_ACCESS_LOG_QUEUE_H_
#define MESHID_GATEWAY_ACCESS_LOG_QUEUE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

#include "gateway/access_record.h"

namespace meshid::gateway {

class AccessLogQueue {
 public:
  // Holds at most `capacity` (>= 1) records; all slots are allocated here.
  explicit AccessLogQueue(size_t capacity);

  AccessLogQueue(const AccessLogQueue&) = delete;
  AccessLogQueue& operator=(const AccessLogQueue&) = delete;

  // Claims a free slot, calls fill(AccessRecord&) to write it, publishes
  // it. False (fill not called) when the queue is full. Thread-safe,
  // lock-free; `fill` must not touch the queue.
  template <typename Fill>
  bool TryPush(Fill&& fill) {
    size_t pos = tail_.load(std::memory_order_relaxed);
    Slot* slot;
    for (;;) {
      slot = &slots_[pos % capacity_];
      const size_t seq = slot->sequence.load(std::memory_order_acquire);
      const intptr_t turn =
          static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos);
      if (turn == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1,
                                        std::memory_order_relaxed)) {
          break;
        }
      } else if (turn < 0) {
        return false;  // the consumer has not freed this slot: full
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
    fill(slot->record);
    slot->sequence.store(pos + 1, std::memory_order_release);
    return true;
  }

  // Moves the oldest record into *out (swapping buffers with it); false
  // when empty. Thread-safe (one consumer is the intended use).
  bool TryPop(AccessRecord* out);

  // Records waiting; exact when nothing runs concurrently.
  size_t ApproximateSize() const;
  size_t capacity() const { return capacity_; }

 private:
  struct alignas(64) Slot {
    std::atomic<size_t> sequence{0};
    AccessRecord record;
  };

  const size_t capacity_;
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<size_t> tail_{0};  // next position to fill
  alignas(64) std::atomic<size_t> head_{0};  // next position to empty
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_ACCESS_LOG_QUEUE_H_
