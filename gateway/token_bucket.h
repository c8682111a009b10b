// Token buckets without locks, as the generic cell rate algorithm (GCRA):
// the whole state of a bucket is one atomic int64, the "theoretical arrival
// time" (TAT) of the next call. A call at `now` is admitted when
//   max(TAT, now) + interval - now <= burst * interval
// and then moves TAT to max(TAT, now) + interval, with one compare-and-swap.
// That admits exactly what a bucket of `burst` tokens refilled at `rate`
// per second would: `burst` calls at once from a full bucket, then one per
// 1/rate seconds.
//
//   RateLimiter limiter(RateLimitSettings{100, 20});  // 100/s, burst 20
//   std::atomic<int64_t> state{RateLimiter::kFullBucket};
//   if (!limiter.TryTake(state, clock->Now())) { /* RESOURCE_EXHAUSTED */ }
//
//   TokenBucket bucket(RateLimitSettings{100, 20});   // limiter + state
//   bucket.TryTake(clock->Now());
//
// Time comes from the caller (a Clock), so tests step a FakeClock.
#ifndef MESHID_GATEWAY_TOKEN_BUCKET_H_
#define MESHID_GATEWAY_TOKEN_BUCKET_H_

#include <atomic>
#include <cstdint>
#include <limits>

#include "absl/time/time.h"
#include "gateway/gateway_settings.h"

namespace meshid::gateway {

// The parameters of a bucket; the state lives with whoever owns it (one
// atomic per subject, per route, ...).
class RateLimiter {
 public:
  // A state that has never been used: the bucket is full.
  static constexpr int64_t kFullBucket = std::numeric_limits<int64_t>::min();

  // `limit` must be limited() (rate > 0, burst >= 1).
  explicit RateLimiter(const RateLimitSettings& limit);

  // Takes one token from the bucket whose state is `state` at `now`. True
  // when admitted. Lock-free; thread-safe for concurrent callers of the
  // same state.
  bool TryTake(std::atomic<int64_t>& state, absl::Time now) const;

  // True when the bucket of `state` is full again at `now` (so forgetting
  // the state changes nothing).
  bool IsFull(const std::atomic<int64_t>& state, absl::Time now) const;

  int64_t interval_ns() const { return interval_ns_; }

 private:
  int64_t interval_ns_;   // 1/rate
  int64_t tolerance_ns_;  // burst * interval
};

// One bucket: a RateLimiter with its own state.
class TokenBucket {
 public:
  explicit TokenBucket(const RateLimitSettings& limit) : limiter_(limit) {}
  bool TryTake(absl::Time now) { return limiter_.TryTake(state_, now); }

 private:
  RateLimiter limiter_;
  std::atomic<int64_t> state_{RateLimiter::kFullBucket};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_TOKEN_BUCKET_H_
