// Retention: by the clock passed in (a FakeClock here), entries older than
// the period go, in bounded batches, and nothing else does.
#include "logging/retention_sweeper.h"

#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"
#include "tests/logging/memory_log_store.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging {
namespace {

using testing::BaseTime;
using testing::MemoryLogStore;
using testing::ValidRecord;

void AppendAt(MemoryLogStore& store, std::vector<int> seconds) {
  std::vector<LogRecord> batch;
  for (int s : seconds) batch.push_back(ValidRecord(s));
  ASSERT_OK(store.Append(batch));
}

TEST(RetentionSweeperTest, DeletesExactlyWhatIsOlderThanThePeriod) {
  MemoryLogStore store;
  AppendAt(store, {0, 10, 20, 30, 40});
  FakeClock clock(BaseTime() + absl::Seconds(100));
  RetentionOptions options;
  options.retention = absl::Seconds(80);  // cutoff: BaseTime() + 20s
  RetentionSweeper sweeper(&store, &clock, options);
  ASSERT_OK_AND_ASSIGN(int64_t deleted, sweeper.SweepOnce());
  EXPECT_EQ(deleted, 2) << "0 and 10; 20 is not older than the cutoff";
  EXPECT_EQ(store.size(), 3u);
  ASSERT_OK_AND_ASSIGN(deleted, sweeper.SweepOnce());
  EXPECT_EQ(deleted, 0);
  clock.Advance(absl::Seconds(15));  // cutoff: +35s
  ASSERT_OK_AND_ASSIGN(deleted, sweeper.SweepOnce());
  EXPECT_EQ(deleted, 2);
  EXPECT_EQ(store.size(), 1u);
}

TEST(RetentionSweeperTest, WorksInBoundedBatches) {
  MemoryLogStore store;
  std::vector<int> seconds(25, 0);
  AppendAt(store, seconds);
  FakeClock clock(BaseTime() + absl::Hours(1));
  RetentionOptions options;
  options.retention = absl::Minutes(1);
  options.batch_rows = 10;
  RetentionSweeper sweeper(&store, &clock, options);
  ASSERT_OK_AND_ASSIGN(int64_t deleted, sweeper.SweepOnce());
  EXPECT_EQ(deleted, 25);
  EXPECT_EQ(store.delete_calls(), 3) << "10 + 10 + 5";
}

TEST(RetentionSweeperTest, ZeroRetentionKeepsEverything) {
  MemoryLogStore store;
  AppendAt(store, {0});
  FakeClock clock(BaseTime() + absl::Hours(24 * 365));
  RetentionOptions options;
  options.retention = absl::ZeroDuration();
  RetentionSweeper sweeper(&store, &clock, options);
  sweeper.Start();  // no thread for a zero period
  ASSERT_OK_AND_ASSIGN(int64_t deleted, sweeper.SweepOnce());
  EXPECT_EQ(deleted, 0);
  EXPECT_EQ(store.delete_calls(), 0);
  sweeper.Stop();
}

}  // namespace
}  // namespace meshid::logging
