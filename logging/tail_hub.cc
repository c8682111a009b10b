#include "logging/tail_hub.h"

#include <utility>

namespace meshid::logging {

TailHub::Batch TailHub::Subscription::Take(size_t max) {
  Batch batch;
  absl::MutexLock lock(&mu_);
  while (!buffer_.empty() && batch.entries.size() < max) {
    batch.entries.push_back(std::move(buffer_.front()));
    buffer_.pop_front();
  }
  if (buffer_.empty() && end_.has_value()) batch.end = end_;
  return batch;
}

TailHub::Subscription::PushResult TailHub::Subscription::Push(
    const std::shared_ptr<const LogRecord>& entry) {
  absl::MutexLock lock(&mu_);
  if (end_.has_value()) return PushResult::kEnded;
  if (buffer_.size() >= capacity_) {
    // Dropped, not delivered late: the client learns of the gap from the
    // status and Queries it, instead of reading a stream with a hole.
    buffer_.clear();
    end_ = absl::ResourceExhaustedError(
        "this tail fell behind (its buffer is full); reconnect, and Query "
        "the entries after the last one received");
    return PushResult::kOverflowed;
  }
  buffer_.push_back(entry);
  return PushResult::kBuffered;
}

void TailHub::Subscription::End(absl::Status reason) {
  absl::MutexLock lock(&mu_);
  if (end_.has_value()) return;
  buffer_.clear();
  end_ = std::move(reason);
}

bool TailHub::Subscription::ended() const {
  absl::MutexLock lock(&mu_);
  return end_.has_value();
}

TailHub::TailHub(TailHubOptions options, TailObserver* observer)
    : options_(options), observer_(observer) {}

absl::StatusOr<std::shared_ptr<TailHub::Subscription>> TailHub::Subscribe(
    LogFilter filter, Listener* listener) {
  absl::MutexLock lock(&mu_);
  if (shut_down_) {
    return absl::UnavailableError("the server is shutting down");
  }
  if (tails_.size() >= options_.max_tails) {
    return absl::ResourceExhaustedError(
        "too many open tails on this server; retry later");
  }
  auto subscription = std::make_shared<Subscription>(
      std::move(filter), listener, options_.buffer_entries);
  tails_.insert(subscription);
  tail_count_.store(tails_.size());
  return subscription;
}

void TailHub::Unsubscribe(const std::shared_ptr<Subscription>& subscription) {
  // Publish and Shutdown call listeners under this lock (shared or
  // exclusive), so once it is ours none of those calls is in progress.
  absl::MutexLock lock(&mu_);
  tails_.erase(subscription);
  tail_count_.store(tails_.size());
}

void TailHub::Publish(const std::vector<LogRecord>& committed) {
  if (committed.empty()) return;
  // Each entry is copied once, and only when some tail wants it.
  std::vector<std::shared_ptr<const LogRecord>> shared(committed.size());
  size_t delivered = 0;
  absl::ReaderMutexLock lock(&mu_);
  for (const std::shared_ptr<Subscription>& tail : tails_) {
    if (tail->ended()) continue;
    bool woke = false;
    for (size_t i = 0; i < committed.size(); ++i) {
      if (!Matches(tail->filter_, committed[i])) continue;
      if (shared[i] == nullptr) {
        shared[i] = std::make_shared<const LogRecord>(committed[i]);
      }
      const Subscription::PushResult pushed = tail->Push(shared[i]);
      if (pushed == Subscription::PushResult::kEnded) break;
      woke = true;
      if (pushed == Subscription::PushResult::kOverflowed) {
        if (observer_ != nullptr) observer_->OnTailOverflow();
        break;
      }
      ++delivered;
    }
    if (woke) tail->listener_->OnReady();
  }
  if (observer_ != nullptr && delivered > 0) {
    observer_->OnTailEntries(delivered);
  }
}

void TailHub::EndAll(const absl::Status& reason) {
  absl::ReaderMutexLock lock(&mu_);
  for (const std::shared_ptr<Subscription>& tail : tails_) {
    if (tail->ended()) continue;
    tail->End(reason);
    if (observer_ != nullptr) observer_->OnTailOverflow();
    tail->listener_->OnReady();
  }
}

void TailHub::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
  for (const std::shared_ptr<Subscription>& tail : tails_) {
    tail->End(absl::UnavailableError(
        "the server is shutting down; reconnect to another one"));
    tail->listener_->OnReady();
  }
}

}  // namespace meshid::logging
