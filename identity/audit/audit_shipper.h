// AuditShipper: an AuditSink that ships committed audit events to the Log
// server in the background, so an admin call never waits for it.
//
// Publish only queues (bounded: when max_queued events wait, new ones are
// dropped, counted and logged — the store's audit table keeps them all).
// One thread sends batches in commit order through an AuditBatchSender and
// retries a failed batch with jittered exponential backoff until it is
// accepted or the shipper stops; Stop flushes what it can within a deadline.
//
//   AuditShipper shipper(std::make_unique<AuditLogClient>(...), {});
//   shipper.Start();
//   store = std::make_unique<AuditPublishingStore>(std::move(store), &shipper);
//   ...
//   shipper.Stop(absl::Seconds(2));
#ifndef MESHID_IDENTITY_AUDIT_AUDIT_SHIPPER_H_
#define MESHID_IDENTITY_AUDIT_AUDIT_SHIPPER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/keyset/backoff.h"
#include "identity/audit/audit_sink.h"

namespace meshid::identity {

// Delivers one batch; OK only when the receiver stored it. Called from the
// shipper's thread only.
class AuditBatchSender {
 public:
  virtual ~AuditBatchSender() = default;
  virtual absl::Status Send(const std::vector<AuditEvent>& batch) = 0;
};

struct AuditShipperOptions {
  size_t max_queued = 10000;
  size_t max_batch = 500;  // the Log server takes up to 1000 per Append
  keyset::BackoffOptions backoff;
};

class AuditShipper final : public AuditSink {
 public:
  explicit AuditShipper(std::unique_ptr<AuditBatchSender> sender,
                        AuditShipperOptions options = {});
  ~AuditShipper() override;  // Stop(0)

  // Starts the sending thread.
  void Start();
  // Sends what is queued for up to `flush_deadline`, then ends the thread;
  // what is still queued is dropped (and counted). Idempotent.
  void Stop(absl::Duration flush_deadline);

  void Publish(std::vector<AuditEvent> committed) override;

  int64_t shipped() const;
  int64_t dropped() const;
  size_t queued() const;

 private:
  void Run();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || stopping_;
  }
  bool Stopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; }

  const std::unique_ptr<AuditBatchSender> sender_;
  const AuditShipperOptions options_;

  mutable absl::Mutex mu_;
  std::deque<AuditEvent> queue_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Time flush_until_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  int64_t shipped_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  std::thread thread_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_AUDIT_AUDIT_SHIPPER_H_
