// The Prometheus metrics of meshid-log.
//
//   meshid_log_entries_total{result="accepted"|"rejected"}
//   meshid_log_append_calls_total{code}        gRPC code name of each Append
//   meshid_log_commit_groups_total              transactions committed
//   meshid_log_commit_group_entries (histogram) entries per transaction
//   meshid_log_commit_seconds (histogram)       time of one group's commit
//   meshid_log_commit_failures_total
//   meshid_log_overloaded_total                 Appends refused, queue full
//   meshid_log_queries_total{code}
//   meshid_log_query_seconds (histogram)
//   meshid_log_tails                            open tails (gauge)
//   meshid_log_tail_overflows_total             tails ended for falling behind
//   meshid_log_tail_entries_total               entries handed to tail buffers
//   meshid_log_retention_deleted_total
//   meshid_log_retention_failures_total
// (meshid_validations_total{result,reason} comes from the TokenValidator.)
// Every label value is a fixed word; no counter is created on a hot path.
#ifndef MESHID_LOGGING_LOG_METRICS_H_
#define MESHID_LOGGING_LOG_METRICS_H_

#include <array>

#include "absl/status/status.h"
#include "logging/group_commit_writer.h"
#include "logging/retention_sweeper.h"
#include "logging/tail_hub.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace meshid::logging {

// absl::StatusCode values 0..16, one counter each.
inline constexpr int kStatusCodeCount = 17;

class LogMetrics final : public CommitObserver,
                         public TailObserver,
                         public RetentionObserver {
 public:
  explicit LogMetrics(prometheus::Registry& registry);

  void OnAppend(absl::StatusCode code, int accepted, int rejected);
  void OnQuery(absl::StatusCode code, absl::Duration took);
  void OnTailOpened() { tails_.Increment(); }
  void OnTailClosed() { tails_.Decrement(); }

  void OnGroupCommitted(size_t entries, size_t calls,
                        absl::Duration took) override;
  void OnGroupFailed(const absl::Status& status) override;
  void OnOverloaded() override { overloaded_.Increment(); }
  void OnTailOverflow() override { tail_overflows_.Increment(); }
  void OnTailEntries(size_t delivered) override {
    tail_entries_.Increment(static_cast<double>(delivered));
  }
  void OnSwept(int64_t deleted) override {
    retention_deleted_.Increment(static_cast<double>(deleted));
  }
  void OnSweepFailed(const absl::Status& status) override {
    retention_failures_.Increment();
  }

 private:
  prometheus::Family<prometheus::Counter>& entries_;
  prometheus::Counter& accepted_;
  prometheus::Counter& rejected_;
  std::array<prometheus::Counter*, kStatusCodeCount> append_calls_{};
  prometheus::Counter& groups_;
  prometheus::Histogram& group_entries_;
  prometheus::Histogram& commit_seconds_;
  prometheus::Counter& commit_failures_;
  prometheus::Counter& overloaded_;
  std::array<prometheus::Counter*, kStatusCodeCount> queries_{};
  prometheus::Histogram& query_seconds_;
  prometheus::Gauge& tails_;
  prometheus::Counter& tail_overflows_;
  prometheus::Counter& tail_entries_;
  prometheus::Counter& retention_deleted_;
  prometheus::Counter& retention_failures_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_METRICS_H_
