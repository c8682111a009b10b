// One Tail stream on the gRPC callback API: a ServerWriteReactor fed by the
// TailHub, with no thread of its own. Writes go out one at a time
// (StartWrite -> OnWriteDone); what the hub buffered meanwhile goes next.
//
// The stream sends its initial metadata as soon as the tail is subscribed:
// a client that waits for it (ClientReader::WaitForInitialMetadata) knows
// every entry committed from then on will reach it.
#ifndef MESHID_LOGGING_TAIL_STREAM_SERVICE_H_
#define MESHID_LOGGING_TAIL_STREAM_SERVICE_H_

#include <deque>
#include <memory>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "logging/log_filter.h"
#include "logging/log_metrics.h"
#include "logging/tail_hub.h"
#include "meshid/logging/v1/log.pb.h"

namespace meshid::logging {

class TailStreamReactor final : public grpc::ServerWriteReactor<v1::LogEntry>,
                                public TailHub::Listener {
 public:
  // `filter` passed CheckTailFilter. Deletes itself when the call is done.
  // `metrics` may be null.
  TailStreamReactor(TailHub* hub, LogMetrics* metrics, LogFilter filter);

  void OnReady() override;  // TailHub::Listener

  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  // Writes the next entry when none is in flight, or finishes once the
  // tail has ended and everything before the end was written.
  void PumpLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void FinishLocked(const grpc::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  TailHub* const hub_;
  LogMetrics* const metrics_;
  absl::Mutex mu_;
  // Null until subscribed (and when Subscribe was refused).
  std::shared_ptr<TailHub::Subscription> subscription_ ABSL_GUARDED_BY(mu_);
  v1::LogEntry message_ ABSL_GUARDED_BY(mu_);  // the write in flight
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  // Finish once the write in flight is done.
  std::optional<grpc::Status> finish_after_write_ ABSL_GUARDED_BY(mu_);
};

// A Tail refused before it started (bad token, missing scope, bad filter).
class RefusedTail final : public grpc::ServerWriteReactor<v1::LogEntry> {
 public:
  explicit RefusedTail(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_TAIL_STREAM_SERVICE_H_
