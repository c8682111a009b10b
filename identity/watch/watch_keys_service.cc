#include "identity/watch/watch_keys_service.h"

namespace meshid::identity {

WatchKeysReactor::WatchKeysReactor(WatchHub* hub, std::string audience,
                                   int64_t since_version)
    : hub_(hub), audience_(std::move(audience)), version_(since_version) {
  hub_->Add(this);
  if (hub_->shutting_down()) {
    absl::MutexLock lock(&mu_);
    FinishLocked(
        grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
    return;
  }
  Wake();
}

void WatchKeysReactor::Wake() {
  const WatchMessage* write = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    std::vector<WatchMessage> messages;
    hub_->Catchup(audience_, &version_, &messages);
    for (WatchMessage& m : messages) queue_.push_back(std::move(m));
    write = NextWriteLocked();
  }
  StartPendingWrite(write);
}

void WatchKeysReactor::Heartbeat() {
  const WatchMessage* write = nullptr;
  {
    absl::MutexLock lock(&mu_);
    if (finished_ || writing_ || !queue_.empty()) return;  // busy is alive
    queue_.push_back(hub_->Heartbeat());
    write = NextWriteLocked();
  }
  StartPendingWrite(write);
}

void WatchKeysReactor::Close() {
  absl::MutexLock lock(&mu_);
  // UNAVAILABLE: the watcher should reconnect, to this replica's successor
  // or another one, and resume from its version.
  FinishLocked(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "server is shutting down"));
}

const WatchMessage* WatchKeysReactor::NextWriteLocked() {
  if (finished_ || writing_ || queue_.empty()) return nullptr;
  writing_ = true;
  // No buffer hint on all but the last message: a hinted write completes
  // only once something flushes the transport, and with one write in flight
  // nothing would (streams stalled when tried).
  return &queue_.front();
}

void WatchKeysReactor::StartPendingWrite(const WatchMessage* message) {
  // Outside mu_: the write may run the transport (sendmsg) inline, and
  // OnWriteDone should not wait for it. The message stays put: only
  // OnWriteDone pops the queue, and writing_ defers any Finish until then.
  if (message != nullptr) StartWrite(message);
}

void WatchKeysReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  if (writing_) {
    finish_after_write_ = status;
    return;
  }
  finished_ = true;
  queue_.clear();
  Finish(status);
}

void WatchKeysReactor::OnWriteDone(bool ok) {
  const WatchMessage* write = nullptr;
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!queue_.empty()) queue_.pop_front();
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
      return;
    }
    if (finish_after_write_.has_value()) {
      FinishLocked(*finish_after_write_);
      return;
    }
    write = NextWriteLocked();
  }
  StartPendingWrite(write);
}

void WatchKeysReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status::CANCELLED);
}

void WatchKeysReactor::OnDone() {
  // After Remove returns the hub holds no pointer to us and calls none of
  // our methods, so deleting is safe.
  hub_->Remove(this);
  delete this;
}

}  // namespace meshid::identity
