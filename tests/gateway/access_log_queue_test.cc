#include "gateway/access_log_queue.h"

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

bool Push(AccessLogQueue& queue, int code) {
  return queue.TryPush([&](AccessRecord& r) {
    r.status_code = code;
    r.method = "/m/" + std::to_string(code);
  });
}

TEST(AccessLogQueueTest, FifoAndBounded) {
  AccessLogQueue queue(3);
  EXPECT_TRUE(Push(queue, 1));
  EXPECT_TRUE(Push(queue, 2));
  EXPECT_TRUE(Push(queue, 3));
  EXPECT_FALSE(Push(queue, 4));  // full: refused, never blocks
  EXPECT_EQ(queue.ApproximateSize(), 3u);
  AccessRecord r;
  ASSERT_TRUE(queue.TryPop(&r));
  EXPECT_EQ(r.status_code, 1);
  EXPECT_EQ(r.method, "/m/1");
  EXPECT_TRUE(Push(queue, 5));
  for (int expected : {2, 3, 5}) {
    ASSERT_TRUE(queue.TryPop(&r));
    EXPECT_EQ(r.status_code, expected);
  }
  EXPECT_FALSE(queue.TryPop(&r));
  EXPECT_EQ(queue.ApproximateSize(), 0u);
}

TEST(AccessLogQueueTest, WrapsAroundManyTimes) {
  AccessLogQueue queue(7);
  AccessRecord r;
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(Push(queue, i));
    ASSERT_TRUE(queue.TryPop(&r));
    ASSERT_EQ(r.status_code, i);
  }
}

TEST(AccessLogQueueTest, ConcurrentProducersLoseNothingButWhatDoesNotFit) {
  AccessLogQueue queue(1024);
  std::atomic<int> accepted{0};
  std::atomic<bool> producing{true};
  std::set<int> seen;
  std::thread consumer([&] {
    AccessRecord r;
    for (;;) {
      if (queue.TryPop(&r)) {
        EXPECT_TRUE(seen.insert(r.status_code).second);
      } else if (!producing.load()) {
        if (!queue.TryPop(&r)) break;
        EXPECT_TRUE(seen.insert(r.status_code).second);
      }
    }
  });
  std::vector<std::thread> producers;
  for (int t = 0; t < 4; ++t) {
    producers.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        if (Push(queue, t * 1000000 + i)) accepted.fetch_add(1);
      }
    });
  }
  for (std::thread& p : producers) p.join();
  producing = false;
  consumer.join();
  EXPECT_EQ(static_cast<int>(seen.size()), accepted.load());
  EXPECT_GT(accepted.load(), 0);
}

}  // namespace
}  // namespace meshid::gateway
