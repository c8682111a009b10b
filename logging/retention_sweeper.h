// RetentionSweeper: deletes entries older than the retention period, in the
// background, in small batches so no transaction holds the table for long.
//
//   RetentionSweeper sweeper(store, clock, {absl::Hours(24 * 30)});
//   sweeper.Start();            // a sweep every options.interval
//   ...
//   sweeper.Stop();
//
// Tests call SweepOnce() with a FakeClock instead of starting the thread.
// "Older" is by the entries' own time (the producer's clock), the time
// queries filter and sort on.
#ifndef MESHID_LOGGING_RETENTION_SWEEPER_H_
#define MESHID_LOGGING_RETENTION_SWEEPER_H_

#include <cstdint>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "logging/log_store.h"

namespace meshid::logging {

struct RetentionOptions {
  // Entries with time < now - retention are deleted. Zero keeps everything.
  absl::Duration retention = absl::Hours(24 * 30);
  // Time between sweeps (real time).
  absl::Duration interval = absl::Minutes(1);
  // Rows per delete statement (each its own transaction).
  int batch_rows = 10000;
};

// Counts deletions, for metrics. Thread-safe implementations.
class RetentionObserver {
 public:
  virtual ~RetentionObserver() = default;
  virtual void OnSwept(int64_t deleted) = 0;
  virtual void OnSweepFailed(const absl::Status& status) = 0;
};

class RetentionSweeper {
 public:
  // `store`, `clock` and `observer` (may be null) are not owned.
  RetentionSweeper(LogStore* store, const Clock* clock,
                   RetentionOptions options,
                   RetentionObserver* observer = nullptr);
  ~RetentionSweeper();  // Stop()

  // Starts the background sweeps (none when retention is zero).
  void Start();
  // Ends the background thread; a sweep in progress finishes its current
  // batch first. Idempotent.
  void Stop();

  // Deletes every entry older than now - retention, batch after batch, and
  // returns how many. 0 at once when retention is zero. Stops early (with
  // what it deleted so far) when Stop is called.
  absl::StatusOr<int64_t> SweepOnce();

 private:
  LogStore* const store_;
  const Clock* const clock_;
  const RetentionOptions options_;
  RetentionObserver* const observer_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_RETENTION_SWEEPER_H_
