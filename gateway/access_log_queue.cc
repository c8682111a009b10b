#include "gateway/access_log_queue.h"

#include <algorithm>

namespace meshid::gateway {

AccessLogQueue::AccessLogQueue(size_t capacity)
    : capacity_(std::max<size_t>(1, capacity)), slots_(new Slot[capacity_]) {
  for (size_t i = 0; i < capacity_; ++i) {
    slots_[i].sequence.store(i, std::memory_order_relaxed);
  }
}

bool AccessLogQueue::TryPop(AccessRecord* out) {
  size_t pos = head_.load(std::memory_order_relaxed);
  Slot* slot;
  for (;;) {
    slot = &slots_[pos % capacity_];
    const size_t seq = slot->sequence.load(std::memory_order_acquire);
    const intptr_t turn =
        static_cast<intptr_t>(seq) - static_cast<intptr_t>(pos + 1);
    if (turn == 0) {
      if (head_.compare_exchange_weak(pos, pos + 1,
                                      std::memory_order_relaxed)) {
        break;
      }
    } else if (turn < 0) {
      return false;  // no producer has published this slot yet: empty
    } else {
      pos = head_.load(std::memory_order_relaxed);
    }
  }
  std::swap(*out, slot->record);
  slot->sequence.store(pos + capacity_, std::memory_order_release);
  return true;
}

size_t AccessLogQueue::ApproximateSize() const {
  const size_t tail = tail_.load(std::memory_order_relaxed);
  const size_t head = head_.load(std::memory_order_relaxed);
  return tail > head ? tail - head : 0;
}

}  // namespace meshid::gateway
