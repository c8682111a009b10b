// SubjectTracker: what the gateway keeps per verified subject (`sub`):
//   - the per-subject token bucket (config limits.per_subject), and
//   - call counts for anomaly detection's second rule: a subject whose call
//     rate over rate_spike_window exceeds rate_spike_factor times its rate
//     over rate_baseline_window (with at least rate_spike_min_calls calls in
//     the short window) is flagged.
// Both live in one entry so a call costs one lookup: a shard reader lock,
// a hash probe, one compare-and-swap for the bucket and two for the counts.
//
//   SubjectTracker subjects(SubjectTrackerOptions::From(settings));
//   if (subjects.Admit(principal.subject, now) ==
//       SubjectAdmission::kRateLimited) { /* RESOURCE_EXHAUSTED */ }
//   for (const RateSpike& s : subjects.ScanForSpikes(now)) Report(s);  // ~1/s
//   subjects.Sweep(now);
//
// A spike is reported once when it starts; the subject is flagged again
// only after a scan found it back to normal. Rate-limited calls count
// towards the rate: the spike is about what the subject asks for. Subjects
// are verified principals, so the table grows with real callers only; it
// holds at most max_subjects, and calls of subjects beyond that are
// admitted without a bucket (counted by untracked_calls()) until Sweep
// forgets idle ones.
#ifndef MESHID_GATEWAY_SUBJECT_TRACKER_H_
#define MESHID_GATEWAY_SUBJECT_TRACKER_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/gateway_settings.h"
#include "gateway/sharded_table.h"
#include "gateway/slotted_counter.h"
#include "gateway/token_bucket.h"

namespace meshid::gateway {

struct SubjectTrackerOptions {
  RateLimitSettings per_subject;  // unlimited: no bucket
  double spike_factor = 5;
  absl::Duration spike_window = absl::Seconds(10);
  absl::Duration baseline_window = absl::Minutes(10);
  uint32_t spike_min_calls = 20;
  size_t max_subjects = 1'000'000;

  static SubjectTrackerOptions From(const GatewaySettings& settings);
};

enum class SubjectAdmission { kAdmitted, kRateLimited };

// A subject whose call rate just spiked.
struct RateSpike {
  std::string subject;
  uint64_t spike_calls = 0;     // within spike_window
  uint64_t baseline_calls = 0;  // within baseline_window
  double spike_rate = 0;        // calls per second
  double baseline_rate = 0;
};

class SubjectTracker {
 public:
  explicit SubjectTracker(const SubjectTrackerOptions& options);

  // Counts a call of `subject` at `now` and takes a token from its bucket.
  // Thread-safe.
  SubjectAdmission Admit(absl::string_view subject, absl::Time now);

  // The subjects whose spike began since the last scan. One scanner at a
  // time (the housekeeping thread); concurrent with Admit.
  std::vector<RateSpike> ScanForSpikes(absl::Time now);

  // Forgets subjects with a full bucket and no call in the baseline window.
  // Returns the number still tracked. Thread-safe.
  size_t Sweep(absl::Time now);

  size_t tracked_subjects() const { return subjects_.size(); }
  uint64_t untracked_calls() const {
    return untracked_.load(std::memory_order_relaxed);
  }

 private:
  struct SubjectState {
    std::atomic<int64_t> bucket{RateLimiter::kFullBucket};
    SlottedCounter recent;    // slots of spike_window / 16
    SlottedCounter baseline;  // slots of baseline_window / 16
    std::atomic<bool> in_spike{false};
  };

  const SubjectTrackerOptions options_;
  const std::optional<RateLimiter> limiter_;
  const int64_t recent_slot_ns_;
  const int64_t baseline_slot_ns_;
  ShardedTable<SubjectState> subjects_;
  std::atomic<uint64_t> untracked_{0};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_SUBJECT_TRACKER_H_
