#include "identity/watch/watch_hub.h"

namespace meshid::identity {

WatchHub::WatchHub(const Clock* clock, absl::Duration heartbeat_interval,
                   size_t max_history)
    : clock_(clock),
      max_history_(max_history),
      snapshot_(std::make_shared<const IdentitySnapshot>()),
      heartbeats_(
          [this, heartbeat_interval] { RunHeartbeats(heartbeat_interval); }) {}

WatchHub::~WatchHub() {
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
  absl::MutexLock lock(&watchers_mu_);
  for (Watcher* w : watchers_) w->Wake();
}

void WatchHub::Add(Watcher* watcher) {
  absl::MutexLock lock(&watchers_mu_);
  watchers_.insert(watcher);
}

void WatchHub::Remove(Watcher* watcher) {
  absl::MutexLock lock(&watchers_mu_);
  watchers_.erase(watcher);
}

void WatchHub::Shutdown() {
  absl::MutexLock lock(&watchers_mu_);
  if (shutting_down_) return;
  shutting_down_ = true;
  for (Watcher* w : watchers_) w->Close();
}

bool WatchHub::shutting_down() const {
  absl::MutexLock lock(&watchers_mu_);
  return shutting_down_;
}

size_t WatchHub::watcher_count() const {
  absl::MutexLock lock(&watchers_mu_);
  return watchers_.size();
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
    absl::MutexLock lock(&watchers_mu_);
    for (Watcher* w : watchers_) w->Heartbeat();
  }
}

}  // namespace meshid::identity
