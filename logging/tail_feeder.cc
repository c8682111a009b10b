#include "logging/tail_feeder.h"

#include <utility>

namespace meshid::logging {

TailFeeder::TailFeeder(TailHub* hub, TailFeederOptions options)
    : hub_(hub), options_(options), thread_([this] { Run(); }) {}

TailFeeder::~TailFeeder() { Stop(); }

void TailFeeder::Offer(std::vector<LogRecord> committed) {
  // The common case, nobody tailing, costs one atomic read.
  if (committed.empty() || hub_->tail_count() == 0) return;
  absl::MutexLock lock(&mu_);
  if (stopping_ || overflowed_) return;  // dropped (see the header)
  if (queue_.size() >= options_.max_batches) {
    overflowed_ = true;
    return;
  }
  queue_.push_back(std::move(committed));
}

void TailFeeder::Run() {
  while (true) {
    std::vector<LogRecord> batch;
    bool end_all = false;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &TailFeeder::HasWorkOrStopping));
      if (!queue_.empty()) {
        batch = std::move(queue_.front());
        queue_.pop_front();
      } else if (overflowed_) {
        end_all = true;
        overflowed_ = false;
      } else {
        return;  // stopping, and nothing left
      }
    }
    if (end_all) {
      hub_->EndAll(absl::ResourceExhaustedError(
          "the server could not keep up with its tails; reconnect, and Query "
          "the entries after the last one received"));
    } else {
      hub_->Publish(batch);
    }
  }
}

void TailFeeder::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock join(&join_mu_);
  if (thread_.joinable()) thread_.join();
}

}  // namespace meshid::logging
