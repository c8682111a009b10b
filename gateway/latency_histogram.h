// LatencyHistogram: a Prometheus histogram of call durations without a
// lock. prometheus::Histogram takes a mutex in Observe, which every call
// through the gateway would contend on; here each bucket is an atomic
// counter and Observe is a short scan and two atomic adds.
//
//   LatencyHistogram histogram;
//   histogram.Observe(latency_ns);                 // any thread
//   ClientMetric::Histogram h = histogram.Snapshot();  // for Collect()
//
// Bounds, in seconds: 50 us to 10 s, roughly x2.5 apart (what a proxy adds
// is tens of microseconds; what an upstream takes may be seconds).
#ifndef MESHID_GATEWAY_LATENCY_HISTOGRAM_H_
#define MESHID_GATEWAY_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <cstdint>

#include "prometheus/client_metric.h"

namespace meshid::gateway {

class LatencyHistogram {
 public:
  static constexpr std::array<int64_t, 16> kBoundsNs = {
      50'000,      100'000,       250'000,       500'000,
      1'000'000,   2'500'000,     5'000'000,     10'000'000,
      25'000'000,  50'000'000,    100'000'000,   250'000'000,
      500'000'000, 1'000'000'000, 2'500'000'000, 10'000'000'000};

  // Thread-safe, lock-free. Negative values count as 0.
  void Observe(int64_t latency_ns) {
    if (latency_ns < 0) latency_ns = 0;
    size_t i = 0;
    while (i < kBoundsNs.size() && latency_ns > kBoundsNs[i]) ++i;
    counts_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(latency_ns),
                      std::memory_order_relaxed);
  }

  // Cumulative buckets (the last one +Inf), count and sum in seconds. Reads
  // are not one atomic snapshot; scrapes tolerate that.
  prometheus::ClientMetric::Histogram Snapshot() const;

 private:
  std::array<std::atomic<uint64_t>, kBoundsNs.size() + 1> counts_{};
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_LATENCY_HISTOGRAM_H_
