#include "gateway/latency_histogram.h"

#include <limits>

namespace meshid::gateway {

prometheus::ClientMetric::Histogram LatencyHistogram::Snapshot() const {
  prometheus::ClientMetric::Histogram out;
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    prometheus::ClientMetric::Bucket bucket;
    bucket.cumulative_count = cumulative;
    bucket.upper_bound = i < kBoundsNs.size()
                             ? static_cast<double>(kBoundsNs[i]) / 1e9
                             : std::numeric_limits<double>::infinity();
    out.bucket.push_back(bucket);
  }
  out.sample_count = cumulative;
  out.sample_sum =
      static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
  return out;
}

}  // namespace meshid::gateway
