// WatchHub: where committed changes meet the open WatchKeys streams.
//
// IdentityViews publishes each new snapshot here with the change events it
// applied. The hub keeps the latest snapshot and a bounded history of
// changes, and wakes every watcher; a watcher then asks Catchup() for what
// it has not seen: one message per changed record after its version, or a
// full snapshot when its version is 0 or older than the history. A heartbeat
// thread wakes idle watchers every interval so their streams stay alive and
// they learn the version.
//
// Publish() only records the snapshot and signals the fan-out threads: the
// committing RPC replies after its commit, not after writing to every
// watcher. The watchers are split into shards, one fan-out thread each
// (a handful, never one per watcher), so the wake-ups run on every core.
// Publishes that arrive while a pass is running are served by one more pass:
// a watcher's Catchup always brings it to the latest snapshot.
//
// Thread-safe. Watchers are not owned; Remove() returns only when no call
// into that watcher is in progress, so a watcher may delete itself after.
#ifndef MESHID_IDENTITY_WATCH_WATCH_HUB_H_
#define MESHID_IDENTITY_WATCH_WATCH_HUB_H_

#include <atomic>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "identity/identity_snapshot.h"
#include "identity/watch/watch_messages.h"

namespace meshid::identity {

class WatchHub {
 public:
  class Watcher {
   public:
    virtual ~Watcher() = default;
    // Something was published: call Catchup(). Must not block.
    virtual void Wake() = 0;
    // The heartbeat interval passed.
    virtual void Heartbeat() = 0;
    // The server is stopping: finish the stream.
    virtual void Close() = 0;
  };

  // `fanout_threads` 0 means one per hardware thread (at most 8).
  WatchHub(const Clock* clock, absl::Duration heartbeat_interval,
           size_t max_history = 100000, int fanout_threads = 0);
  ~WatchHub();  // stops the fan-out and heartbeat threads

  // Records the snapshot and returns; the watchers are woken on the fan-out
  // threads.
  void Publish(const std::shared_ptr<const IdentitySnapshot>& snapshot,
               const std::vector<ChangeEvent>& changes, bool full_load);

  void Add(Watcher* watcher);
  void Remove(Watcher* watcher);
  // Closes every stream and refuses new ones. Idempotent.
  void Shutdown();
  bool shutting_down() const;
  size_t watcher_count() const;

  // Appends to `out` what a watcher for `audience` at `*version` has not
  // seen, and moves `*version` to the version that brings it to.
  void Catchup(absl::string_view audience, int64_t* version,
               std::vector<WatchMessage>* out) const;
  WatchMessage Heartbeat() const;

 private:
  struct Shard {
    absl::Mutex mu;
    absl::flat_hash_set<Watcher*> watchers ABSL_GUARDED_BY(mu);
  };

  Shard& ShardOf(Watcher* watcher);
  void RunFanout(Shard* shard);
  void RunHeartbeats(absl::Duration interval);

  const Clock* const clock_;
  const size_t max_history_;

  mutable absl::Mutex state_mu_;
  std::shared_ptr<const IdentitySnapshot> snapshot_ ABSL_GUARDED_BY(state_mu_);
  std::deque<ChangeEvent> history_ ABSL_GUARDED_BY(state_mu_);
  // Changes after this version are all in history_.
  int64_t history_base_ ABSL_GUARDED_BY(state_mu_) = 0;

  std::vector<std::unique_ptr<Shard>> shards_;
  std::atomic<bool> shutting_down_{false};
  absl::Mutex shutdown_mu_;  // serialises Shutdown

  // Fan-out signal: bumped by every Publish; each fan-out thread runs a pass
  // whenever it differs from the value its last pass started at.
  absl::Mutex publish_mu_;
  int64_t publish_count_ ABSL_GUARDED_BY(publish_mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(publish_mu_) = false;
  std::vector<std::thread> fanout_;

  absl::Notification stop_;
  std::thread heartbeats_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_WATCH_WATCH_HUB_H_
