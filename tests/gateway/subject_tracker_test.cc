// Per-subject token buckets and rate-spike detection, against a FakeClock.
#include "gateway/subject_tracker.h"

#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

SubjectTrackerOptions Options() {
  SubjectTrackerOptions o;
  o.spike_factor = 5;
  o.spike_window = absl::Seconds(10);
  o.baseline_window = absl::Minutes(10);
  o.spike_min_calls = 20;
  return o;
}

TEST(SubjectTrackerTest, EachSubjectHasItsOwnBucket) {
  FakeClock clock;
  SubjectTrackerOptions o = Options();
  o.per_subject = RateLimitSettings{10, 3};
  SubjectTracker tracker(o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(tracker.Admit("alice", clock.Now()), SubjectAdmission::kAdmitted);
  }
  EXPECT_EQ(tracker.Admit("alice", clock.Now()),
            SubjectAdmission::kRateLimited);
  EXPECT_EQ(tracker.Admit("bob", clock.Now()), SubjectAdmission::kAdmitted);
  clock.Advance(absl::Milliseconds(100));
  EXPECT_EQ(tracker.Admit("alice", clock.Now()), SubjectAdmission::kAdmitted);
}

TEST(SubjectTrackerTest, UnlimitedWithoutAPerSubjectLimit) {
  FakeClock clock;
  SubjectTracker tracker(Options());
  for (int i = 0; i < 10000; ++i) {
    ASSERT_EQ(tracker.Admit("alice", clock.Now()), SubjectAdmission::kAdmitted);
  }
}

// `per_second` calls per second for `span`, evenly spread.
void Drive(SubjectTracker& tracker, FakeClock& clock, const std::string& who,
           int per_second, absl::Duration span) {
  const int64_t calls =
      static_cast<int64_t>(per_second * absl::ToDoubleSeconds(span));
  const absl::Duration step = span / std::max<int64_t>(1, calls);
  for (int64_t i = 0; i < calls; ++i) {
    tracker.Admit(who, clock.Now());
    clock.Advance(step);
  }
}

TEST(SubjectTrackerTest, ASpikeOverTheBaselineIsReportedOnce) {
  FakeClock clock;
  SubjectTracker tracker(Options());
  // Steady 2/s for 10 minutes: the baseline.
  Drive(tracker, clock, "alice", 2, absl::Minutes(10));
  EXPECT_TRUE(tracker.ScanForSpikes(clock.Now()).empty());
  // 8/s is 4x: not a spike at factor 5.
  Drive(tracker, clock, "alice", 8, absl::Seconds(10));
  EXPECT_TRUE(tracker.ScanForSpikes(clock.Now()).empty());
  // 30/s is a spike.
  Drive(tracker, clock, "alice", 30, absl::Seconds(10));
  std::vector<RateSpike> spikes = tracker.ScanForSpikes(clock.Now());
  ASSERT_EQ(spikes.size(), 1u);
  EXPECT_EQ(spikes[0].subject, "alice");
  EXPECT_GT(spikes[0].spike_rate, 5 * spikes[0].baseline_rate);
  EXPECT_GE(spikes[0].spike_calls, 20u);
  // Still spiking: not reported again.
  Drive(tracker, clock, "alice", 30, absl::Seconds(2));
  EXPECT_TRUE(tracker.ScanForSpikes(clock.Now()).empty());
  // Back to normal, then a new spike is reported again.
  Drive(tracker, clock, "alice", 2, absl::Seconds(30));
  EXPECT_TRUE(tracker.ScanForSpikes(clock.Now()).empty());
  Drive(tracker, clock, "alice", 100, absl::Seconds(10));
  EXPECT_EQ(tracker.ScanForSpikes(clock.Now()).size(), 1u);
}

TEST(SubjectTrackerTest, FewCallsAreNoise) {
  FakeClock clock;
  SubjectTracker tracker(Options());
  // From nothing to 19 calls in the window: below rate_spike_min_calls.
  for (int i = 0; i < 19; ++i) tracker.Admit("quiet", clock.Now());
  EXPECT_TRUE(tracker.ScanForSpikes(clock.Now()).empty());
  tracker.Admit("quiet", clock.Now());
  EXPECT_EQ(tracker.ScanForSpikes(clock.Now()).size(), 1u);
}

TEST(SubjectTrackerTest, SweepForgetsIdleSubjects) {
  FakeClock clock;
  SubjectTrackerOptions o = Options();
  o.per_subject = RateLimitSettings{1, 1};
  SubjectTracker tracker(o);
  tracker.Admit("alice", clock.Now());
  tracker.Admit("bob", clock.Now());
  EXPECT_EQ(tracker.Sweep(clock.Now()), 2u);
  clock.Advance(absl::Minutes(11));
  EXPECT_EQ(tracker.Sweep(clock.Now()), 0u);
}

}  // namespace
}  // namespace meshid::gateway
