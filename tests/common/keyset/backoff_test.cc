#include "common/keyset/backoff.h"

#include "gtest/gtest.h"

namespace meshid::keyset {
namespace {

TEST(BackoffTest, GrowsByTheMultiplierUpToTheMax) {
  Backoff backoff(BackoffOptions{});  // 100ms, x2, max 10s, +-20%
  EXPECT_EQ(backoff.NextWithDraw(0.5), absl::Milliseconds(100));
  EXPECT_EQ(backoff.NextWithDraw(0.5), absl::Milliseconds(200));
  EXPECT_EQ(backoff.NextWithDraw(0.5), absl::Milliseconds(400));
  for (int i = 0; i < 20; ++i) backoff.NextWithDraw(0.5);
  EXPECT_EQ(backoff.NextWithDraw(0.5), absl::Seconds(10));
  backoff.Reset();
  EXPECT_EQ(backoff.NextWithDraw(0.5), absl::Milliseconds(100));
}

TEST(BackoffTest, JitterStaysWithinTwentyPercent) {
  Backoff low(BackoffOptions{});
  EXPECT_NEAR(absl::ToDoubleMilliseconds(low.NextWithDraw(0.0)), 80, 1e-6);
  Backoff high(BackoffOptions{});
  EXPECT_NEAR(absl::ToDoubleMilliseconds(high.NextWithDraw(1.0)), 120, 1e-6);
  for (int i = 0; i < 1000; ++i) {
    Backoff b(BackoffOptions{});
    const absl::Duration d = b.Next();
    ASSERT_GE(d, absl::Microseconds(79999));
    ASSERT_LE(d, absl::Microseconds(120001));
  }
}

TEST(BackoffTest, NonsenseOptionsAreTamed) {
  BackoffOptions options;
  options.initial = absl::Milliseconds(-5);
  options.multiplier = 0.1;
  options.jitter = 7;
  Backoff backoff(options);
  EXPECT_GE(backoff.Next(), absl::ZeroDuration());
  EXPECT_LE(backoff.base(), options.max);
}

}  // namespace
}  // namespace meshid::keyset
