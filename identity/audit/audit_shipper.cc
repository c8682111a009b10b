#include "identity/audit/audit_shipper.h"

#include <algorithm>
#include <utility>

#include "common/server/json_log.h"

namespace meshid::identity {

using server::Log;
using server::LogLevel;

AuditShipper::AuditShipper(std::unique_ptr<AuditBatchSender> sender,
                           AuditShipperOptions options)
    : sender_(std::move(sender)), options_(options) {}

AuditShipper::~AuditShipper() { Stop(absl::ZeroDuration()); }

void AuditShipper::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void AuditShipper::Publish(std::vector<AuditEvent> committed) {
  size_t dropped = 0;
  {
    absl::MutexLock lock(&mu_);
    for (AuditEvent& event : committed) {
      if (stopping_ || queue_.size() >= options_.max_queued) {
        ++dropped;
        continue;
      }
      queue_.push_back(std::move(event));
    }
    dropped_ += static_cast<int64_t>(dropped);
  }
  if (dropped > 0) {
    Log(LogLevel::kWarning, "audit_ship.dropped",
        {{"events", dropped},
         {"why", "queue full or stopping; the audit table still has them"}});
  }
}

void AuditShipper::Run() {
  keyset::Backoff backoff(options_.backoff);
  bool failing = false;
  while (true) {
    std::vector<AuditEvent> batch;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &AuditShipper::HasWorkOrStopping));
      if (queue_.empty() || (stopping_ && absl::Now() >= flush_until_)) {
        return;
      }
      const size_t n = std::min(queue_.size(), options_.max_batch);
      batch.assign(queue_.begin(), queue_.begin() + n);
    }
    const absl::Status sent = sender_->Send(batch);
    if (sent.ok()) {
      absl::MutexLock lock(&mu_);
      // Only this thread removes, so the front is still this batch.
      queue_.erase(queue_.begin(), queue_.begin() + batch.size());
      shipped_ += static_cast<int64_t>(batch.size());
      if (failing) {
        Log(LogLevel::kInfo, "audit_ship.recovered", {});
        failing = false;
      }
      backoff.Reset();
      continue;
    }
    // Logged once per outage, not once per retry.
    if (!failing) {
      Log(LogLevel::kWarning, "audit_ship.failed",
          {{"error", sent.message()}, {"queued", queued()}});
      failing = true;
    }
    const absl::Duration delay = backoff.Next();
    absl::MutexLock lock(&mu_);
    // Stopping while the receiver fails: give up now rather than spin
    // through the flush deadline.
    if (stopping_) return;
    mu_.AwaitWithTimeout(absl::Condition(this, &AuditShipper::Stopping), delay);
  }
}

void AuditShipper::Stop(absl::Duration flush_deadline) {
  int64_t left = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!stopping_) {
      stopping_ = true;
      flush_until_ = absl::Now() + flush_deadline;
    }
  }
  if (thread_.joinable()) thread_.join();
  {
    absl::MutexLock lock(&mu_);
    left = static_cast<int64_t>(queue_.size());
    dropped_ += left;
    queue_.clear();
  }
  if (left > 0) {
    Log(LogLevel::kWarning, "audit_ship.dropped",
        {{"events", left},
         {"why", "not shipped before shutdown; the audit table has them"}});
  }
}

int64_t AuditShipper::shipped() const {
  absl::MutexLock lock(&mu_);
  return shipped_;
}

int64_t AuditShipper::dropped() const {
  absl::MutexLock lock(&mu_);
  return dropped_;
}

size_t AuditShipper::queued() const {
  absl::MutexLock lock(&mu_);
  return queue_.size();
}

}  // namespace meshid::identity
