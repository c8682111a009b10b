// TailFeeder: hands committed batches to the TailHub on a thread of its
// own, so the writer that committed them goes straight back to committing.
// Matching every entry against every tail's filter is work proportional to
// entries x tails; on the writer's thread it would slow ingestion as tails
// are added. Here it cannot: Offer never waits (one atomic read when nobody
// tails, one short lock otherwise). When the feeder itself falls behind
// (max_batches waiting), every open tail has fallen behind too: from then
// on batches are dropped, and once the feeder has delivered what was queued
// before the first drop, it ends every tail with RESOURCE_EXHAUSTED. So a
// tail never sees an entry after a hole: what it received is complete up to
// its last entry, and it Queries the rest.
//
//   TailFeeder feeder(&hub, {});
//   GroupCommitWriter writer(store, [&](std::vector<LogRecord> committed) {
//     feeder.Offer(std::move(committed));
//   }, {});
//   ...
//   feeder.Stop();
#ifndef MESHID_LOGGING_TAIL_FEEDER_H_
#define MESHID_LOGGING_TAIL_FEEDER_H_

#include <cstddef>
#include <deque>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "logging/log_record.h"
#include "logging/tail_hub.h"

namespace meshid::logging {

struct TailFeederOptions {
  // Committed batches waiting for the feeder at most.
  size_t max_batches = 64;
};

class TailFeeder {
 public:
  // `hub` (not owned) must outlive the feeder. Starts the thread.
  TailFeeder(TailHub* hub, TailFeederOptions options);
  ~TailFeeder();  // Stop()

  TailFeeder(const TailFeeder&) = delete;
  TailFeeder& operator=(const TailFeeder&) = delete;

  // Queues a committed batch for the tails; with no tail open it is dropped
  // at once. Never waits. Thread-safe.
  void Offer(std::vector<LogRecord> committed);

  // Delivers what is queued, then ends the thread. Idempotent.
  void Stop();

 private:
  void Run();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !queue_.empty() || overflowed_ || stopping_;
  }

  TailHub* const hub_;
  const TailFeederOptions options_;
  absl::Mutex mu_;
  std::deque<std::vector<LogRecord>> queue_ ABSL_GUARDED_BY(mu_);
  // Set when a batch was dropped; cleared once the tails were ended.
  bool overflowed_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  absl::Mutex join_mu_;
  std::thread thread_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_TAIL_FEEDER_H_
