// WatchHub without gRPC: Publish hands the fan-out to the hub's own threads
// (the committing RPC does not wait for the watchers), every watcher ends
// at the latest version however the publishes and passes interleave, and
// Shutdown reaches the watchers of every shard.
#include "identity/watch/watch_hub.h"

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"
#include "identity/snapshot_builder.h"

namespace meshid::identity {
namespace {

constexpr absl::Duration kWait = absl::Seconds(10);
// Longer than any test: heartbeats stay out of the way.
constexpr absl::Duration kNoHeartbeat = absl::Hours(1);

std::shared_ptr<const IdentitySnapshot> SnapshotAt(int64_t version) {
  return SnapshotBuilder(IdentitySnapshot(), nullptr)
      .Build(version, absl::InfinitePast());
}

// Catches up on every Wake, as WatchKeysReactor does. Optionally stalls in
// its first Wake until released, like a watcher whose write cannot go out.
class FakeWatcher final : public WatchHub::Watcher {
 public:
  FakeWatcher(WatchHub* hub, int64_t version, bool stall_first_wake)
      : hub_(hub), version_(version), stall_(stall_first_wake) {}

  void Wake() override {
    if (stall_.exchange(false)) {
      in_stall_.Notify();
      release_.WaitForNotification();
    }
    absl::MutexLock lock(&mu_);
    std::vector<WatchMessage> messages;
    hub_->Catchup("watcher", &version_, &messages);
    ++wakes_;
  }
  void Heartbeat() override {}
  void Close() override {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  bool WaitForVersion(int64_t version) {
    absl::MutexLock lock(&mu_);
    auto reached = [this, version]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return version_ >= version;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&reached), kWait);
  }
  bool closed() {
    absl::MutexLock lock(&mu_);
    return closed_;
  }

  absl::Notification in_stall_;
  absl::Notification release_;

 private:
  WatchHub* const hub_;
  absl::Mutex mu_;
  int64_t version_ ABSL_GUARDED_BY(mu_);
  int wakes_ ABSL_GUARDED_BY(mu_) = 0;
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> stall_;
};

TEST(WatchHubTest, PublishReturnsWhileAWatcherIsStalled) {
  FakeClock clock;
  // One fan-out thread: the healthy watcher waits behind the stalled one.
  WatchHub hub(&clock, kNoHeartbeat, 100, /*fanout_threads=*/1);
  hub.Publish(SnapshotAt(1), {}, /*full_load=*/true);
  FakeWatcher stalled(&hub, 1, /*stall_first_wake=*/true);
  FakeWatcher healthy(&hub, 1, /*stall_first_wake=*/false);
  hub.Add(&stalled);
  hub.Add(&healthy);

  // Publish is what the committing RPC calls: it must return although a
  // watcher cannot be written to.
  absl::Notification published;
  std::thread commit([&] {
    hub.Publish(SnapshotAt(2),
                {{2, ChangeKind::kKeyChanged, "kid-2", absl::Now()}}, false);
    published.Notify();
  });
  EXPECT_TRUE(stalled.in_stall_.WaitForNotificationWithTimeout(kWait));
  EXPECT_TRUE(published.WaitForNotificationWithTimeout(kWait))
      << "Publish waited for a stalled watcher";
  stalled.release_.Notify();
  commit.join();
  EXPECT_TRUE(stalled.WaitForVersion(2));
  EXPECT_TRUE(healthy.WaitForVersion(2));
  hub.Remove(&stalled);
  hub.Remove(&healthy);
}

TEST(WatchHubTest, EveryWatcherOfEveryShardReachesTheLatestVersion) {
  FakeClock clock;
  WatchHub hub(&clock, kNoHeartbeat, 100, /*fanout_threads=*/3);
  hub.Publish(SnapshotAt(1), {}, /*full_load=*/true);
  std::vector<std::unique_ptr<FakeWatcher>> watchers;
  for (int i = 0; i < 20; ++i) {
    watchers.push_back(std::make_unique<FakeWatcher>(&hub, 1, false));
    hub.Add(watchers.back().get());
  }
  EXPECT_EQ(hub.watcher_count(), 20u);
  // Publishes that land during a pass are served by the next one.
  for (int64_t v = 2; v <= 50; ++v) {
    hub.Publish(SnapshotAt(v),
                {{v, ChangeKind::kKeyChanged, "kid", absl::Now()}}, false);
  }
  for (auto& w : watchers) EXPECT_TRUE(w->WaitForVersion(50));
  for (auto& w : watchers) hub.Remove(w.get());
  EXPECT_EQ(hub.watcher_count(), 0u);
}

TEST(WatchHubTest, ShutdownClosesTheWatchersOfEveryShard) {
  FakeClock clock;
  WatchHub hub(&clock, kNoHeartbeat, 100, /*fanout_threads=*/4);
  std::vector<std::unique_ptr<FakeWatcher>> watchers;
  for (int i = 0; i < 12; ++i) {
    watchers.push_back(std::make_unique<FakeWatcher>(&hub, 0, false));
    hub.Add(watchers.back().get());
  }
  EXPECT_FALSE(hub.shutting_down());
  hub.Shutdown();
  hub.Shutdown();  // idempotent
  EXPECT_TRUE(hub.shutting_down());
  for (auto& w : watchers) EXPECT_TRUE(w->closed());
  for (auto& w : watchers) hub.Remove(w.get());
}

}  // namespace
}  // namespace meshid::identity
