#include "gateway/subject_tracker.h"

#include <algorithm>

namespace meshid::gateway {
namespace {

int64_t SlotWidthNs(absl::Duration window) {
  return std::max<int64_t>(
      1, absl::ToInt64Nanoseconds(window) / SlottedCounter::kSlots);
}

std::optional<RateLimiter> LimiterFor(const RateLimitSettings& limit) {
  if (!limit.limited()) return std::nullopt;
  return RateLimiter(limit);
}

}  // namespace

SubjectTrackerOptions SubjectTrackerOptions::From(
    const GatewaySettings& settings) {
  SubjectTrackerOptions options;
  options.per_subject = settings.per_subject;
  options.spike_factor = settings.anomaly.rate_spike_factor;
  options.spike_window = settings.anomaly.rate_spike_window;
  options.baseline_window = settings.anomaly.rate_baseline_window;
  options.spike_min_calls = settings.anomaly.rate_spike_min_calls;
  return options;
}

SubjectTracker::SubjectTracker(const SubjectTrackerOptions& options)
    : options_(options),
      limiter_(LimiterFor(options.per_subject)),
      recent_slot_ns_(SlotWidthNs(options.spike_window)),
      baseline_slot_ns_(SlotWidthNs(options.baseline_window)),
      subjects_(options.max_subjects) {}

SubjectAdmission SubjectTracker::Admit(absl::string_view subject,
                                       absl::Time now) {
  SubjectAdmission admission = SubjectAdmission::kAdmitted;
  const bool tracked = subjects_.ReadOrCreate(subject, [&](SubjectState& s) {
    s.recent.Add(SlotOf(now, recent_slot_ns_));
    s.baseline.Add(SlotOf(now, baseline_slot_ns_));
    if (limiter_.has_value() && !limiter_->TryTake(s.bucket, now)) {
      admission = SubjectAdmission::kRateLimited;
    }
  });
  if (!tracked) untracked_.fetch_add(1, std::memory_order_relaxed);
  return admission;
}

std::vector<RateSpike> SubjectTracker::ScanForSpikes(absl::Time now) {
  const int64_t recent_slot = SlotOf(now, recent_slot_ns_);
  const int64_t baseline_slot = SlotOf(now, baseline_slot_ns_);
  const double spike_seconds = absl::ToDoubleSeconds(options_.spike_window);
  const double baseline_seconds =
      absl::ToDoubleSeconds(options_.baseline_window);
  std::vector<RateSpike> spikes;
  subjects_.ForEach([&](const std::string& subject, SubjectState& s) {
    const uint64_t recent = s.recent.Sum(recent_slot);
    const uint64_t baseline = s.baseline.Sum(baseline_slot);
    const double recent_rate = recent / spike_seconds;
    const double baseline_rate = baseline / baseline_seconds;
    const bool spiking = recent >= options_.spike_min_calls &&
                         recent_rate > options_.spike_factor * baseline_rate;
    const bool was_spiking = s.in_spike.load(std::memory_order_relaxed);
    if (spiking == was_spiking) return;
    s.in_spike.store(spiking, std::memory_order_relaxed);
    if (spiking) {
      spikes.push_back(
          RateSpike{subject, recent, baseline, recent_rate, baseline_rate});
    }
  });
  return spikes;
}

size_t SubjectTracker::Sweep(absl::Time now) {
  const int64_t baseline_slot = SlotOf(now, baseline_slot_ns_);
  subjects_.EraseIf([&](SubjectState& s) {
    const bool bucket_full =
        !limiter_.has_value() || limiter_->IsFull(s.bucket, now);
    return bucket_full && !s.in_spike.load(std::memory_order_relaxed) &&
           s.baseline.Sum(baseline_slot) == 0;
  });
  return subjects_.size();
}

}  // namespace meshid::gateway
