#include "identity/watch/watch_hub.h"

#include <algorithm>

#include "absl/hash/hash.h"

namespace meshid::identity {
namespace {

constexpr int kMaxFanoutThreads = 8;

int FanoutThreads(int requested) {
  if (requested > 0) return requested;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  return std::clamp(cores, 1, kMaxFanoutThreads);
}

}  // namespace

WatchHub::WatchHub(const Clock* clock, absl::Duration heartbeat_interval,
                   size_t max_history, int fanout_threads)
    : clock_(clock),
      max_history_(max_history),
      snapshot_(std::make_shared<const IdentitySnapshot>()) {
  const int threads = FanoutThreads(fanout_threads);
  for (int i = 0; i < threads; ++i) {
    shards_.push_back(std::make_unique<Shard>());
  }
  for (auto& shard : shards_) {
    fanout_.emplace_back([this, s = shard.get()] { RunFanout(s); });
  }
  heartbeats_ = std::thread(
      [this, heartbeat_interval] { RunHeartbeats(heartbeat_interval); });
}

WatchHub::~WatchHub() {
  {
    absl::MutexLock lock(&publish_mu_);
    stopping_ = true;
  }
  for (std::thread& t : fanout_) t.join();
  stop_.Notify();
  heartbeats_.join();
}

void WatchHub::Publish(const std::shared_ptr<const IdentitySnapshot>& snapshot,
                       const std::vector<ChangeEvent>& changes,
                       bool full_load) {
  {
    absl::MutexLock lock(&state_mu_);
    snapshot_ = snapshot;
    if (full_load) {
      // A reload has no change list: watchers older than it get a snapshot.
      history_.clear();
      history_base_ = snapshot->version();
    }
    for (const ChangeEvent& change : changes) history_.push_back(change);
    while (history_.size() > max_history_) {
      history_base_ = history_.front().version;
      history_.pop_front();
    }
  }
  absl::MutexLock lock(&publish_mu_);
  ++publish_count_;
}

void WatchHub::RunFanout(Shard* shard) {
  int64_t served = 0;
  while (true) {
    {
      absl::MutexLock lock(&publish_mu_);
      auto work = [this, &served]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(publish_mu_) {
        return stopping_ || publish_count_ != served;
      };
      publish_mu_.Await(absl::Condition(&work));
      if (stopping_) return;
      // Everything published up to here is in the snapshot this pass reads.
      served = publish_count_;
    }
    absl::MutexLock lock(&shard->mu);
    for (Watcher* w : shard->watchers) w->Wake();
  }
}

WatchHub::Shard& WatchHub::ShardOf(Watcher* watcher) {
  return *shards_[absl::Hash<Watcher*>()(watcher) % shards_.size()];
}

void WatchHub::Add(Watcher* watcher) {
  Shard& shard = ShardOf(watcher);
  absl::MutexLock lock(&shard.mu);
  shard.watchers.insert(watcher);
}

void WatchHub::Remove(Watcher* watcher) {
  Shard& shard = ShardOf(watcher);
  absl::MutexLock lock(&shard.mu);
  shard.watchers.erase(watcher);
}

void WatchHub::Shutdown() {
  absl::MutexLock serial(&shutdown_mu_);
  // Set before the shards are walked: a watcher added after its shard was
  // closed sees the flag (it checks after Add) and finishes itself.
  if (shutting_down_.exchange(true)) return;
  for (auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    for (Watcher* w : shard->watchers) w->Close();
  }
}

bool WatchHub::shutting_down() const { return shutting_down_.load(); }

size_t WatchHub::watcher_count() const {
  size_t count = 0;
  for (const auto& shard : shards_) {
    absl::MutexLock lock(&shard->mu);
    count += shard->watchers.size();
  }
  return count;
}

void WatchHub::Catchup(absl::string_view audience, int64_t* version,
                       std::vector<WatchMessage>* out) const {
  absl::ReaderMutexLock lock(&state_mu_);
  const int64_t current = snapshot_->version();
  if (*version > current) return;  // this replica lags; it will catch up
  if (*version == 0 || *version < history_base_) {
    out->push_back(SnapshotMessage(*snapshot_, audience));
    *version = current;
    return;
  }
  // The history is ordered by version; skip what the watcher has seen.
  auto first = std::upper_bound(
      history_.begin(), history_.end(), *version,
      [](int64_t v, const ChangeEvent& c) { return v < c.version; });
  // Messages describe the current state, so a record changed several times
  // since (a rotation touches the new key twice) needs one message: the one
  // at its latest version. Walk back, keep the first sight of each record.
  std::vector<const ChangeEvent*> latest;
  absl::flat_hash_set<std::pair<ChangeKind, absl::string_view>> seen;
  for (auto it = history_.end(); it != first;) {
    --it;
    if (seen.insert({it->kind, it->subject_id}).second) latest.push_back(&*it);
  }
  for (auto it = latest.rbegin(); it != latest.rend(); ++it) {
    AppendChangeMessages(*snapshot_, **it, audience, out);
  }
  *version = current;
}

WatchMessage WatchHub::Heartbeat() const {
  absl::ReaderMutexLock lock(&state_mu_);
  return HeartbeatMessage(snapshot_->version(), clock_->Now());
}

void WatchHub::RunHeartbeats(absl::Duration interval) {
  while (!stop_.WaitForNotificationWithTimeout(interval)) {
    for (auto& shard : shards_) {
      absl::MutexLock lock(&shard->mu);
      for (Watcher* w : shard->watchers) w->Heartbeat();
    }
  }
}

}  // namespace meshid::identity
