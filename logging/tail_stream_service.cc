#include "logging/tail_stream_service.h"

#include <utility>

#include "common/grpc_status.h"
#include "logging/log_proto_convert.h"

namespace meshid::logging {

TailStreamReactor::TailStreamReactor(TailHub* hub, LogMetrics* metrics,
                                     LogFilter filter)
    : hub_(hub), metrics_(metrics) {
  // Subscribed without our lock: the hub calls OnReady with its own lock
  // held, and OnReady takes ours, so taking them the other way round here
  // could deadlock. An OnReady that comes before the assignment below finds
  // no subscription and returns; the pump after it catches up.
  absl::StatusOr<std::shared_ptr<TailHub::Subscription>> subscribed =
      hub_->Subscribe(std::move(filter), this);
  absl::MutexLock lock(&mu_);
  if (!subscribed.ok()) {
    FinishLocked(ToGrpcStatus(subscribed.status()));
    return;
  }
  subscription_ = *std::move(subscribed);
  if (metrics_ != nullptr) metrics_->OnTailOpened();
  StartSendInitialMetadata();
  PumpLocked();
}

void TailStreamReactor::OnReady() {
  absl::MutexLock lock(&mu_);
  PumpLocked();
}

void TailStreamReactor::PumpLocked() {
  if (finished_ || writing_ || subscription_ == nullptr) return;
  TailHub::Batch batch = subscription_->Take(1);
  if (!batch.entries.empty()) {
    message_.Clear();
    ToProto(*batch.entries.front(), &message_);
    writing_ = true;
    StartWrite(&message_);
    return;
  }
  if (batch.end.has_value()) FinishLocked(ToGrpcStatus(*batch.end));
}

void TailStreamReactor::FinishLocked(const grpc::Status& status) {
  if (finished_) return;
  if (writing_) {
    if (!finish_after_write_.has_value()) finish_after_write_ = status;
    return;
  }
  finished_ = true;
  Finish(status);
}

void TailStreamReactor::OnWriteDone(bool ok) {
  absl::MutexLock lock(&mu_);
  writing_ = false;
  if (!ok) {
    // The client went away; OnCancel/OnDone follow.
    FinishLocked(grpc::Status(grpc::StatusCode::UNAVAILABLE, "write failed"));
    return;
  }
  if (finish_after_write_.has_value()) {
    FinishLocked(*finish_after_write_);
    return;
  }
  PumpLocked();
}

void TailStreamReactor::OnCancel() {
  absl::MutexLock lock(&mu_);
  FinishLocked(grpc::Status::CANCELLED);
}

void TailStreamReactor::OnDone() {
  std::shared_ptr<TailHub::Subscription> subscription;
  {
    absl::MutexLock lock(&mu_);
    subscription = std::move(subscription_);
  }
  if (subscription != nullptr) {
    // After Unsubscribe returns the hub calls OnReady no more, so deleting
    // is safe.
    hub_->Unsubscribe(subscription);
    if (metrics_ != nullptr) metrics_->OnTailClosed();
  }
  delete this;
}

}  // namespace meshid::logging
