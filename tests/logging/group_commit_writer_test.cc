// Group commit: calls that arrive while a commit runs share the next one; a
// call completes only after its commit; failures reach exactly the calls
// they concern; the queue is bounded; shutdown commits what waits.
#include "logging/group_commit_writer.h"

#include <atomic>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"
#include "tests/logging/memory_log_store.h"

namespace meshid::logging {
namespace {

using testing::MemoryLogStore;
using testing::ValidRecord;

std::vector<LogRecord> Entries(int n, const std::string& message = "m") {
  return std::vector<LogRecord>(n, ValidRecord(0, message));
}

// Collects the outcome of one Submit.
struct Outcome {
  absl::Notification done;
  absl::Status status;
  GroupCommitWriter::Done Callback() {
    return [this](const absl::Status& s) {
      status = s;
      done.Notify();
    };
  }
};

TEST(GroupCommitWriterTest, ACallCompletesOnlyAfterItsCommit) {
  MemoryLogStore store;
  std::vector<int64_t> committed_ids;
  absl::Mutex mu;
  GroupCommitWriter writer(&store,
                           [&](std::vector<LogRecord> committed) {
                             absl::MutexLock lock(&mu);
                             for (const LogRecord& r : committed)
                               committed_ids.push_back(r.id);
                           },
                           {});
  store.SetBlocked(true);
  Outcome outcome;
  writer.Submit(Entries(3), outcome.Callback());
  ASSERT_TRUE(store.WaitForEntered(1, absl::Seconds(10)));
  EXPECT_FALSE(outcome.done.HasBeenNotified()) << "not before the commit";
  store.SetBlocked(false);
  ASSERT_TRUE(outcome.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(outcome.status.ok()) << outcome.status;
  EXPECT_EQ(store.size(), 3u);
  writer.Shutdown();
  absl::MutexLock lock(&mu);
  EXPECT_EQ(committed_ids, (std::vector<int64_t>{1, 2, 3}));
}

TEST(GroupCommitWriterTest, CallsArrivingDuringACommitShareTheNext) {
  MemoryLogStore store;
  GroupCommitWriter writer(&store, nullptr, {});
  store.SetBlocked(true);
  Outcome first;
  writer.Submit(Entries(1), first.Callback());
  ASSERT_TRUE(store.WaitForEntered(1, absl::Seconds(10)));
  std::vector<std::unique_ptr<Outcome>> later;
  for (int i = 0; i < 10; ++i) {
    later.push_back(std::make_unique<Outcome>());
    writer.Submit(Entries(100), later.back()->Callback());
  }
  store.SetBlocked(false);
  for (auto& outcome : later) {
    ASSERT_TRUE(
        outcome->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    EXPECT_TRUE(outcome->status.ok());
  }
  EXPECT_EQ(store.batch_sizes(), (std::vector<size_t>{1, 1000}))
      << "ten calls, one transaction";
}

TEST(GroupCommitWriterTest, GroupsStopAtTheEntryLimitWithoutSplittingCalls) {
  MemoryLogStore store;
  GroupCommitOptions options;
  options.max_group_entries = 250;
  GroupCommitWriter writer(&store, nullptr, options);
  store.SetBlocked(true);
  Outcome blocker;
  writer.Submit(Entries(1), blocker.Callback());
  ASSERT_TRUE(store.WaitForEntered(1, absl::Seconds(10)));
  std::vector<std::unique_ptr<Outcome>> calls;
  for (int i = 0; i < 5; ++i) {
    calls.push_back(std::make_unique<Outcome>());
    writer.Submit(Entries(100), calls.back()->Callback());
  }
  store.SetBlocked(false);
  for (auto& c : calls) {
    ASSERT_TRUE(c->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  }
  EXPECT_EQ(store.batch_sizes(), (std::vector<size_t>{1, 200, 200, 100}));
}

TEST(GroupCommitWriterTest, AStoreOutageFailsTheWholeGroupAndStoresNothing) {
  MemoryLogStore store;
  GroupCommitWriter writer(&store, nullptr, {});
  store.SetBlocked(true);
  Outcome first;
  writer.Submit(Entries(1), first.Callback());
  ASSERT_TRUE(store.WaitForEntered(1, absl::Seconds(10)));
  Outcome a, b;
  writer.Submit(Entries(2), a.Callback());
  writer.Submit(Entries(3), b.Callback());
  store.FailNextAppends(2, absl::UnavailableError("store down"));
  store.SetBlocked(false);
  for (Outcome* o : {&first, &a, &b}) {
    ASSERT_TRUE(o->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
    EXPECT_TRUE(absl::IsUnavailable(o->status)) << o->status;
  }
  EXPECT_EQ(store.size(), 0u);
}

TEST(GroupCommitWriterTest, OneBadCallDoesNotFailTheOthers) {
  MemoryLogStore store;
  GroupCommitWriter writer(&store, nullptr, {});
  store.SetBlocked(true);
  Outcome first;
  writer.Submit(Entries(1), first.Callback());
  ASSERT_TRUE(store.WaitForEntered(1, absl::Seconds(10)));
  Outcome good1, bad, good2;
  writer.Submit(Entries(2), good1.Callback());
  writer.Submit(Entries(1, MemoryLogStore::kPoison), bad.Callback());
  writer.Submit(Entries(3), good2.Callback());
  store.SetBlocked(false);
  for (Outcome* o : {&first, &good1, &bad, &good2}) {
    ASSERT_TRUE(o->done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  }
  EXPECT_TRUE(good1.status.ok());
  EXPECT_TRUE(good2.status.ok());
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status)) << bad.status;
  EXPECT_EQ(store.size(), 1u + 2u + 3u);
}

TEST(GroupCommitWriterTest, TooMuchWaitingIsRefusedAtOnce) {
  MemoryLogStore store;
  GroupCommitOptions options;
  options.max_pending_entries = 10;
  GroupCommitWriter writer(&store, nullptr, options);
  store.SetBlocked(true);
  Outcome first;
  writer.Submit(Entries(1), first.Callback());
  ASSERT_TRUE(store.WaitForEntered(1, absl::Seconds(10)));
  Outcome fits, refused;
  writer.Submit(Entries(10), fits.Callback());
  writer.Submit(Entries(1), refused.Callback());
  // Refused before Submit returned, without waiting for the store.
  ASSERT_TRUE(refused.done.HasBeenNotified());
  EXPECT_TRUE(absl::IsResourceExhausted(refused.status)) << refused.status;
  EXPECT_EQ(writer.pending_entries(), 10u);
  store.SetBlocked(false);
  ASSERT_TRUE(fits.done.WaitForNotificationWithTimeout(absl::Seconds(10)));
  EXPECT_TRUE(fits.status.ok());
}

TEST(GroupCommitWriterTest, ShutdownCommitsWhatWaitsThenRefuses) {
  MemoryLogStore store;
  GroupCommitWriter writer(&store, nullptr, {});
  store.SetBlocked(true);
  Outcome first, waiting;
  writer.Submit(Entries(1), first.Callback());
  ASSERT_TRUE(store.WaitForEntered(1, absl::Seconds(10)));
  writer.Submit(Entries(5), waiting.Callback());
  std::thread stopper([&] { writer.Shutdown(); });
  store.SetBlocked(false);
  stopper.join();
  EXPECT_TRUE(waiting.done.HasBeenNotified());
  EXPECT_TRUE(waiting.status.ok());
  EXPECT_EQ(store.size(), 6u);
  Outcome late;
  writer.Submit(Entries(1), late.Callback());
  ASSERT_TRUE(late.done.HasBeenNotified());
  EXPECT_TRUE(absl::IsUnavailable(late.status));
}

TEST(GroupCommitWriterTest, SeveralWritersCommitSideBySide) {
  MemoryLogStore store;
  GroupCommitOptions options;
  options.writers = 3;
  GroupCommitWriter writer(&store, nullptr, options);
  constexpr int kCalls = 200;
  std::atomic<int> ok{0};
  absl::BlockingCounter all(kCalls);
  for (int i = 0; i < kCalls; ++i) {
    writer.Submit(Entries(5), [&](const absl::Status& s) {
      if (s.ok()) ok.fetch_add(1);
      all.DecrementCount();
    });
  }
  all.Wait();
  EXPECT_EQ(ok.load(), kCalls);
  EXPECT_EQ(store.size(), 5u * kCalls);
}

}  // namespace
}  // namespace meshid::logging
