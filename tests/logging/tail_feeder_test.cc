// The tail feeder: committed batches reach the tails off the writer's
// thread; with no tail nothing is queued; when the feeder falls behind,
// every tail is ended instead of anyone waiting.
#include "logging/tail_feeder.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"

namespace meshid::logging {
namespace {

using testing::ValidRecord;

// Counts wake-ups; the first one can be made to wait for `release`.
class GateListener : public TailHub::Listener {
 public:
  explicit GateListener(bool block_first) : block_first_(block_first) {}
  void OnReady() override {
    const bool first = calls_.fetch_add(1) == 0;
    if (first && block_first_) {
      entered_.Notify();
      release_.WaitForNotification();
    }
    if (first) woke_.Notify();
  }
  absl::Notification entered_, release_, woke_;

 private:
  const bool block_first_;
  std::atomic<int> calls_{0};
};

TEST(TailFeederTest, DeliversOffTheCallersThread) {
  TailHub hub;
  GateListener listener(/*block_first=*/false);
  auto tail = hub.Subscribe(LogFilter(), &listener);
  ASSERT_TRUE(tail.ok());
  TailFeeder feeder(&hub, {});
  feeder.Offer({ValidRecord(1), ValidRecord(2)});
  ASSERT_TRUE(listener.woke_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_EQ((*tail)->Take(10).entries.size(), 2u);
  feeder.Stop();
}

TEST(TailFeederTest, FallingBehindEndsEveryTailWithoutWaiting) {
  TailHub hub;
  GateListener stuck(/*block_first=*/true);
  auto tail = hub.Subscribe(LogFilter(), &stuck);
  ASSERT_TRUE(tail.ok());
  TailFeederOptions options;
  options.max_batches = 3;
  TailFeeder feeder(&hub, options);
  feeder.Offer({ValidRecord(0)});  // the feeder's thread is now stuck in it
  ASSERT_TRUE(stuck.entered_.WaitForNotificationWithTimeout(absl::Seconds(10)));
  for (int i = 1; i <= 3; ++i) feeder.Offer({ValidRecord(i)});  // queued
  feeder.Offer({ValidRecord(4)});  // one too many: dropped, at once
  feeder.Offer({ValidRecord(5)});  // after a drop: dropped too
  stuck.release_.Notify();
  // What was queued before the drop is delivered, then the tail ends: it
  // never sees an entry past the hole.
  feeder.Stop();
  TailHub::Batch batch = (*tail)->Take(100);
  ASSERT_TRUE(batch.end.has_value());
  EXPECT_TRUE(absl::IsResourceExhausted(*batch.end)) << *batch.end;
  EXPECT_TRUE(batch.entries.empty()) << "an ended tail's buffer is dropped";
}

TEST(TailFeederTest, WithoutTailsNothingIsQueued) {
  TailHub hub;
  TailFeederOptions options;
  options.max_batches = 1;
  TailFeeder feeder(&hub, options);
  // Far more than the queue holds, and no tail to end: all dropped at once.
  for (int i = 0; i < 100; ++i) feeder.Offer({ValidRecord(i)});
  GateListener later(/*block_first=*/false);
  auto tail = hub.Subscribe(LogFilter(), &later);
  ASSERT_TRUE(tail.ok());
  TailHub::Batch batch = (*tail)->Take(100);
  EXPECT_TRUE(batch.entries.empty());
  EXPECT_FALSE(batch.end.has_value());
  feeder.Stop();
}

}  // namespace
}  // namespace meshid::logging
