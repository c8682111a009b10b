// The tail hub: matching entries reach each tail in order; a tail that does
// not drain is ended with RESOURCE_EXHAUSTED at once and never holds
// Publish back; the others go on; shutdown ends every tail.
#include "logging/tail_hub.h"

#include <atomic>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"

namespace meshid::logging {
namespace {

using testing::ValidRecord;

class CountingListener : public TailHub::Listener {
 public:
  void OnReady() override { ready_calls.fetch_add(1); }
  std::atomic<int> ready_calls{0};
};

std::vector<LogRecord> Batch(int n, const std::string& service) {
  std::vector<LogRecord> batch;
  for (int i = 0; i < n; ++i) {
    LogRecord r = ValidRecord(i, "entry " + std::to_string(i));
    r.service = service;
    r.id = i + 1;
    batch.push_back(r);
  }
  return batch;
}

TEST(TailHubTest, DeliversMatchingEntriesInOrder) {
  TailHub hub;
  CountingListener listener;
  LogFilter filter;
  filter.service = "a";
  auto tail = hub.Subscribe(filter, &listener);
  ASSERT_TRUE(tail.ok());
  hub.Publish(Batch(3, "a"));
  hub.Publish(Batch(2, "b"));  // not for this tail
  EXPECT_EQ(listener.ready_calls.load(), 1) << "woken once per batch";
  TailHub::Batch got = (*tail)->Take(10);
  ASSERT_EQ(got.entries.size(), 3u);
  EXPECT_EQ(got.entries[0]->message, "entry 0");
  EXPECT_EQ(got.entries[2]->message, "entry 2");
  EXPECT_FALSE(got.end.has_value());
  EXPECT_TRUE((*tail)->Take(10).entries.empty());
  hub.Unsubscribe(*tail);
  EXPECT_EQ(hub.tail_count(), 0u);
}

TEST(TailHubTest, ASlowTailIsEndedAndNeverSlowsPublish) {
  TailHubOptions options;
  options.buffer_entries = 5;
  TailHub hub(options);
  CountingListener slow_listener, fast_listener;
  auto slow = hub.Subscribe(LogFilter(), &slow_listener);
  auto fast = hub.Subscribe(LogFilter(), &fast_listener);
  ASSERT_TRUE(slow.ok() && fast.ok());

  // The slow tail never takes anything; the fast one drains as it goes.
  const absl::Time started = absl::Now();
  int fast_received = 0;
  for (int round = 0; round < 100; ++round) {
    hub.Publish(Batch(3, "a"));
    fast_received += static_cast<int>((*fast)->Take(100).entries.size());
  }
  // 100 publishes against a stuck reader: no waiting involved at all.
  EXPECT_LT(absl::Now() - started, absl::Seconds(5));
  EXPECT_EQ(fast_received, 300);

  TailHub::Batch ended = (*slow)->Take(100);
  EXPECT_TRUE(ended.entries.empty()) << "the buffer is dropped, not sent late";
  ASSERT_TRUE(ended.end.has_value());
  EXPECT_TRUE(absl::IsResourceExhausted(*ended.end)) << *ended.end;
  // Ended once, and Publish stopped waking it after that.
  const int calls = slow_listener.ready_calls.load();
  hub.Publish(Batch(3, "a"));
  EXPECT_EQ(slow_listener.ready_calls.load(), calls);
  EXPECT_FALSE((*fast)->Take(100).end.has_value());
}

TEST(TailHubTest, ExactlyTheBufferFitsBeforeTheEnd) {
  TailHubOptions options;
  options.buffer_entries = 4;
  TailHub hub(options);
  CountingListener listener;
  auto tail = hub.Subscribe(LogFilter(), &listener);
  ASSERT_TRUE(tail.ok());
  hub.Publish(Batch(4, "a"));
  TailHub::Batch got = (*tail)->Take(100);
  EXPECT_EQ(got.entries.size(), 4u);
  EXPECT_FALSE(got.end.has_value());
  hub.Publish(Batch(5, "a"));
  EXPECT_TRUE((*tail)->Take(100).end.has_value());
}

TEST(TailHubTest, ShutdownEndsTailsAndRefusesNewOnes) {
  TailHub hub;
  CountingListener listener;
  auto tail = hub.Subscribe(LogFilter(), &listener);
  ASSERT_TRUE(tail.ok());
  hub.Shutdown();
  TailHub::Batch got = (*tail)->Take(1);
  ASSERT_TRUE(got.end.has_value());
  EXPECT_TRUE(absl::IsUnavailable(*got.end));
  EXPECT_GE(listener.ready_calls.load(), 1);
  EXPECT_TRUE(
      absl::IsUnavailable(hub.Subscribe(LogFilter(), &listener).status()));
}

TEST(TailHubTest, TailCountIsBounded) {
  TailHubOptions options;
  options.max_tails = 2;
  TailHub hub(options);
  CountingListener listener;
  auto a = hub.Subscribe(LogFilter(), &listener);
  auto b = hub.Subscribe(LogFilter(), &listener);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(absl::IsResourceExhausted(
      hub.Subscribe(LogFilter(), &listener).status()));
  hub.Unsubscribe(*a);
  EXPECT_TRUE(hub.Subscribe(LogFilter(), &listener).ok());
}

}  // namespace
}  // namespace meshid::logging
