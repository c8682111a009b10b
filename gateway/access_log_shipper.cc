#include "gateway/access_log_shipper.h"

#include <unistd.h>

#include <cerrno>
#include <utility>

#include "common/server/json_log.h"
#include "gateway/access_log_format.h"

namespace meshid::gateway {
namespace {

namespace logv1 = ::meshid::logging::v1;
using server::Log;
using server::LogLevel;

bool IsRetryable(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kUnauthenticated:  // our token may be renewed
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
      return true;
    default:
      return false;
  }
}

}  // namespace

void WriteToStderr(absl::string_view chunk) {
  while (!chunk.empty()) {
    const ssize_t n = write(STDERR_FILENO, chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // nowhere to report a broken stderr
    chunk.remove_prefix(static_cast<size_t>(n));
  }
}

AccessLogShipper::AccessLogShipper(AccessLogQueue* queue,
                                   LogBatchSender* sender, LineWriter writer,
                                   AccessLogShipperOptions options,
                                   const Clock* clock,
                                   AccessLogShipperMetrics metrics)
    : queue_(queue),
      sender_(sender),
      writer_(std::move(writer)),
      options_(std::move(options)),
      clock_(clock != nullptr ? clock : SystemClock::Get()),
      metrics_(std::move(metrics)),
      formatter_(options_.service_name),
      backoff_(options_.retry_backoff),
      completion_(std::make_shared<Completion>()) {}

AccessLogShipper::~AccessLogShipper() {
  if (thread_.joinable()) Stop(absl::ZeroDuration());
}

void AccessLogShipper::Poll(absl::Time now) {
  CollectCompletion(now);
  TakeRecords(now);
  FlushLines();
  MaybeSend(now);
  if (metrics_.on_queue_depth) {
    metrics_.on_queue_depth(queue_->ApproximateSize() + pending_.size());
  }
}

void AccessLogShipper::TakeRecords(absl::Time now) {
  for (size_t i = 0; i < options_.max_records_per_poll; ++i) {
    if (!queue_->TryPop(&scratch_)) break;
    formatter_.Append(scratch_, &lines_);
    if (lines_.size() >= kMaxLineChunkBytes) FlushLines();
    if (!options_.ship) continue;
    if (pending_.size() >= options_.max_pending) {
      DropPending(1);
      continue;
    }
    if (pending_.empty()) oldest_pending_since_ = now;
    FillLogEntry(scratch_, &pending_.emplace_back());
  }
}

void AccessLogShipper::FlushLines() {
  // Chunks end at line boundaries and stay within PIPE_BUF where possible,
  // so lines written by other threads through json_log never land inside
  // one of ours.
  absl::string_view rest = lines_;
  while (!rest.empty()) {
    size_t cut = rest.size();
    if (cut > kMaxLineChunkBytes) {
      const size_t last_newline = rest.rfind('\n', kMaxLineChunkBytes - 1);
      cut = last_newline == absl::string_view::npos ? rest.find('\n') + 1
                                                    : last_newline + 1;
      if (cut == 0) cut = rest.size();  // no newline at all
    }
    writer_(rest.substr(0, cut));
    rest.remove_prefix(cut);
  }
  lines_.clear();
}

void AccessLogShipper::CollectCompletion(absl::Time now) {
  if (in_flight_ == nullptr || waiting_for_retry_) return;
  absl::Status status;
  {
    absl::MutexLock lock(&completion_->mu);
    if (!completion_->ready) return;
    completion_->ready = false;
    status = completion_->status;
  }
  const uint64_t entries = static_cast<uint64_t>(in_flight_->entries_size());
  if (status.ok()) {
    if (metrics_.on_shipped) metrics_.on_shipped(entries);
    in_flight_.reset();
    attempts_ = 0;
    backoff_.Reset();
    return;
  }
  if (IsRetryable(status.code()) && attempts_ < options_.max_attempts) {
    waiting_for_retry_ = true;
    retry_at_ = now + backoff_.Next();
    Log(LogLevel::kWarning, "gateway.access_log_retry",
        {{"code", static_cast<int>(status.code())},
         {"error", status.message()},
         {"attempt", attempts_},
         {"entries", entries}});
    return;
  }
  Log(LogLevel::kWarning, "gateway.access_log_dropped",
      {{"code", static_cast<int>(status.code())},
       {"error", status.message()},
       {"attempts", attempts_},
       {"entries", entries}});
  if (metrics_.on_dropped_unshipped) metrics_.on_dropped_unshipped(entries);
  in_flight_.reset();
  attempts_ = 0;
}

void AccessLogShipper::MaybeSend(absl::Time now) {
  if (!options_.ship || sender_ == nullptr) return;
  if (in_flight_ != nullptr) {
    if (waiting_for_retry_ && (flushing_ || now >= retry_at_)) {
      waiting_for_retry_ = false;
      SendInFlight();
    }
    return;
  }
  if (pending_.empty()) return;
  const bool full_batch = pending_.size() >= options_.batch_size;
  const bool overdue =
      flushing_ || now - oldest_pending_since_ >= options_.flush_interval;
  if (!full_batch && !overdue) return;
  auto batch = std::make_shared<logv1::AppendRequest>();
  const size_t n = std::min(pending_.size(), options_.batch_size);
  batch->mutable_entries()->Reserve(static_cast<int>(n));
  for (size_t i = 0; i < n; ++i) {
    *batch->add_entries() = std::move(pending_.front());
    pending_.pop_front();
  }
  oldest_pending_since_ = pending_.empty() ? absl::InfiniteFuture() : now;
  in_flight_ = std::move(batch);
  attempts_ = 0;
  SendInFlight();
}

void AccessLogShipper::SendInFlight() {
  ++attempts_;
  std::shared_ptr<Completion> completion = completion_;
  sender_->Send(in_flight_, [completion](absl::Status status) {
    absl::MutexLock lock(&completion->mu);
    completion->ready = true;
    completion->status = std::move(status);
    completion->cv.SignalAll();
  });
}

void AccessLogShipper::DropPending(uint64_t n) {
  if (metrics_.on_dropped_unshipped) metrics_.on_dropped_unshipped(n);
}

void AccessLogShipper::Start() {
  thread_ = std::thread([this] {
    for (;;) {
      {
        absl::MutexLock lock(&thread_mu_);
        thread_mu_.AwaitWithTimeout(absl::Condition(&stopping_),
                                    options_.poll_interval);
        if (stopping_) return;
      }
      Poll(clock_->Now());
    }
  });
}

void AccessLogShipper::WaitForCompletion(absl::Time deadline) {
  absl::MutexLock lock(&completion_->mu);
  while (!completion_->ready) {
    if (completion_->cv.WaitWithDeadline(&completion_->mu, deadline)) return;
  }
}

void AccessLogShipper::Stop(absl::Duration flush_timeout) {
  {
    absl::MutexLock lock(&thread_mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  // Drain what is left: everything to stderr, and batches to the Log
  // server until it is all sent or the time is up. Waiting for retries is
  // skipped: at shutdown a failing server gets one more try per batch.
  const absl::Time deadline = absl::Now() + flush_timeout;
  flushing_ = true;
  for (;;) {
    Poll(clock_->Now());
    const bool done = queue_->ApproximateSize() == 0 && pending_.empty() &&
                      in_flight_ == nullptr;
    if (done || absl::Now() >= deadline) break;
    if (in_flight_ != nullptr && !waiting_for_retry_) {
      WaitForCompletion(deadline);
    }
  }
  const uint64_t unsent =
      pending_.size() +
      (in_flight_ != nullptr ? in_flight_->entries_size() : 0);
  if (unsent > 0) {
    Log(LogLevel::kWarning, "gateway.access_log_unsent", {{"entries", unsent}});
    DropPending(unsent);
  }
}

}  // namespace meshid::gateway
