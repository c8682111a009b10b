// Failed-validation bursts per peer address: blocking, its end, and the
// window, against a FakeClock.
#include "gateway/peer_blocker.h"

#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

PeerBlockerOptions Options() {
  PeerBlockerOptions o;
  o.failure_burst = 5;
  o.window = absl::Seconds(10);
  o.block_duration = absl::Seconds(60);
  return o;
}

TEST(PeerBlockerTest, BurstWithinTheWindowBlocksForTheDuration) {
  FakeClock clock;
  PeerBlocker blocker(Options());
  for (int i = 0; i < 4; ++i) {
    EXPECT_FALSE(blocker.RecordFailure("10.0.0.7", clock.Now()).has_value());
    clock.Advance(absl::Seconds(1));
  }
  EXPECT_FALSE(blocker.IsBlocked("10.0.0.7", clock.Now()));
  std::optional<PeerBlocked> blocked =
      blocker.RecordFailure("10.0.0.7", clock.Now());
  ASSERT_TRUE(blocked.has_value());
  EXPECT_EQ(blocked->peer_ip, "10.0.0.7");
  EXPECT_EQ(blocked->failures, 5u);
  EXPECT_EQ(blocked->until, clock.Now() + absl::Seconds(60));
  EXPECT_TRUE(blocker.IsBlocked("10.0.0.7", clock.Now()));
  EXPECT_FALSE(blocker.IsBlocked("10.0.0.8", clock.Now()));
  EXPECT_EQ(blocker.blocked_peers(), 1u);

  clock.Advance(absl::Seconds(59));
  EXPECT_TRUE(blocker.IsBlocked("10.0.0.7", clock.Now()));
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(blocker.IsBlocked("10.0.0.7", clock.Now()));
  EXPECT_EQ(blocker.Sweep(clock.Now()), 0u);
  // Afresh: one failure after the block does not block again.
  EXPECT_FALSE(blocker.RecordFailure("10.0.0.7", clock.Now()).has_value());
  EXPECT_FALSE(blocker.IsBlocked("10.0.0.7", clock.Now()));
}

TEST(PeerBlockerTest, FailuresSpreadBeyondTheWindowDoNotBlock) {
  FakeClock clock;
  PeerBlocker blocker(Options());
  for (int i = 0; i < 50; ++i) {
    EXPECT_FALSE(blocker.RecordFailure("10.0.0.7", clock.Now()).has_value())
        << i;
    clock.Advance(absl::Seconds(3));  // ~3.3 per window
  }
}

TEST(PeerBlockerTest, SweepForgetsQuietPeers) {
  FakeClock clock;
  PeerBlocker blocker(Options());
  blocker.RecordFailure("10.0.0.1", clock.Now());
  for (int i = 0; i < 5; ++i) blocker.RecordFailure("10.0.0.2", clock.Now());
  EXPECT_EQ(blocker.Sweep(clock.Now()), 1u);
  clock.Advance(absl::Seconds(61));
  EXPECT_EQ(blocker.Sweep(clock.Now()), 0u);
  EXPECT_FALSE(blocker.IsBlocked("10.0.0.2", clock.Now()));
}

TEST(PeerBlockerTest, TableBoundIsHonoured) {
  FakeClock clock;
  PeerBlockerOptions o = Options();
  o.max_peers = 64;
  PeerBlocker blocker(o);
  for (int i = 0; i < 10000; ++i) {
    blocker.RecordFailure("10.1." + std::to_string(i), clock.Now());
  }
  EXPECT_GT(blocker.untracked_failures(), 0u);
}

}  // namespace
}  // namespace meshid::gateway
