#include "gateway/token_bucket.h"

#include <algorithm>
#include <cmath>

namespace meshid::gateway {

RateLimiter::RateLimiter(const RateLimitSettings& limit) {
  // Rounded to the nanosecond: at 1e9 calls/s that is exact, and at
  // ordinary rates the error is far below a part per million.
  const double interval = 1e9 / limit.rate_per_second;
  interval_ns_ = std::max<int64_t>(1, std::llround(interval));
  const int64_t burst = std::max<int64_t>(1, limit.burst);
  tolerance_ns_ = interval_ns_ * burst;
}

bool RateLimiter::TryTake(std::atomic<int64_t>& state, absl::Time now) const {
  const int64_t now_ns = absl::ToUnixNanos(now);
  int64_t tat = state.load(std::memory_order_relaxed);
  for (;;) {
    const int64_t next = std::max(tat, now_ns) + interval_ns_;
    if (next - now_ns > tolerance_ns_) return false;
    if (state.compare_exchange_weak(tat, next, std::memory_order_relaxed)) {
      return true;
    }
  }
}

bool RateLimiter::IsFull(const std::atomic<int64_t>& state,
                         absl::Time now) const {
  return state.load(std::memory_order_relaxed) <= absl::ToUnixNanos(now);
}

}  // namespace meshid::gateway
