#include "logging/retention_sweeper.h"

#include "common/server/json_log.h"

namespace meshid::logging {

RetentionSweeper::RetentionSweeper(LogStore* store, const Clock* clock,
                                   RetentionOptions options,
                                   RetentionObserver* observer)
    : store_(store), clock_(clock), options_(options), observer_(observer) {}

RetentionSweeper::~RetentionSweeper() { Stop(); }

void RetentionSweeper::Start() {
  if (options_.retention <= absl::ZeroDuration() || thread_.joinable()) {
    return;
  }
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(options_.interval)) {
      absl::StatusOr<int64_t> deleted = SweepOnce();
      if (!deleted.ok()) {
        server::Log(server::LogLevel::kWarning, "retention.sweep_failed",
                    {{"error", deleted.status().message()}});
      } else if (*deleted > 0) {
        server::Log(server::LogLevel::kInfo, "retention.swept",
                    {{"deleted", *deleted}});
      }
    }
  });
}

void RetentionSweeper::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

absl::StatusOr<int64_t> RetentionSweeper::SweepOnce() {
  if (options_.retention <= absl::ZeroDuration()) return 0;
  const absl::Time cutoff = clock_->Now() - options_.retention;
  int64_t total = 0;
  while (!stop_.HasBeenNotified()) {
    absl::StatusOr<int64_t> deleted =
        store_->DeleteOlderThan(cutoff, options_.batch_rows);
    if (!deleted.ok()) {
      if (observer_ != nullptr) observer_->OnSweepFailed(deleted.status());
      return deleted.status();
    }
    total += *deleted;
    if (observer_ != nullptr && *deleted > 0) observer_->OnSwept(*deleted);
    if (*deleted < options_.batch_rows) break;
  }
  return total;
}

}  // namespace meshid::logging
