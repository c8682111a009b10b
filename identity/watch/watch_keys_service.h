// The WatchKeys stream on the gRPC callback API: one ServerWriteReactor per
// watcher, no thread of its own. Writes go out one at a time (StartWrite ->
// OnWriteDone); whatever the hub published meanwhile is sent next. Writes
// start outside the reactor's mutex, so OnWriteDone never waits for a
// sendmsg in progress.
#ifndef MESHID_IDENTITY_WATCH_WATCH_KEYS_SERVICE_H_
#define MESHID_IDENTITY_WATCH_WATCH_KEYS_SERVICE_H_

#include <deque>
#include <optional>
#include <string>

#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "identity/watch/watch_hub.h"

namespace meshid::identity {

class WatchKeysReactor final : public grpc::ServerWriteReactor<WatchMessage>,
                               public WatchHub::Watcher {
 public:
  // `audience` is the watcher's own name (its token's subject). Deletes
  // itself when the call is done.
  WatchKeysReactor(WatchHub* hub, std::string audience, int64_t since_version);

  void Wake() override;
  void Heartbeat() override;
  void Close() override;

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Claims the next queued message for writing when none is in flight
  // (null: nothing to write).
  const WatchMessage* NextWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Starts what NextWriteLocked claimed; called without mu_.
  void StartPendingWrite(const WatchMessage* message) ABSL_LOCKS_EXCLUDED(mu_);
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  WatchHub* const hub_;
  const std::string audience_;
  absl::Mutex mu_;
  int64_t version_ ABSL_GUARDED_BY(mu_);
  std::deque<WatchMessage> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // Finish once the write in flight is done.
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mu_);
};

// A stream refused before it started (bad token, missing scope).
class RefusedWatch final : public grpc::ServerWriteReactor<WatchMessage> {
 public:
  explicit RefusedWatch(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_WATCH_WATCH_KEYS_SERVICE_H_
