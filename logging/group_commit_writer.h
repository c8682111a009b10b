// GroupCommitWriter: Append calls share transactions. Each call hands its
// (already checked) entries over with a completion callback and returns at
// once; writer threads take everything that is waiting, up to a group
// limit, commit it as one LogStore::Append, and then complete every call of
// the group with the outcome. While one group commits, the next one gathers,
// so under load a commit (and its fsync) serves many calls, and an idle
// server commits a lone call without waiting for company.
//
//   GroupCommitWriter writer(store, [&](std::vector<LogRecord> committed) {
//     tail_feeder.Offer(std::move(committed));
//   }, GroupCommitOptions{});
//   writer.Submit(std::move(records), [reactor](const absl::Status& s) {
//     reactor->Finish(ToGrpcStatus(s));  // only after the commit
//   });
//   ...
//   writer.Shutdown();  // commits what is waiting, then refuses
//
// A call is completed with OK only after its entries are committed; with
// the store's error otherwise (nothing of it stored). A group that fails
// for any reason but UNAVAILABLE is retried call by call, so one call's
// problem never fails the others. Waiting entries are bounded: beyond
// max_pending_entries a call is refused with RESOURCE_EXHAUSTED at once.
#ifndef MESHID_LOGGING_GROUP_COMMIT_WRITER_H_
#define MESHID_LOGGING_GROUP_COMMIT_WRITER_H_

#include <cstddef>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "logging/log_record.h"
#include "logging/log_store.h"

namespace meshid::logging {

struct GroupCommitOptions {
  // Threads committing groups side by side. SQLite has one writer: 1.
  // PostgreSQL: one per writer connection, so one group's COPY overlaps
  // another's commit.
  int writers = 1;
  // Entries in one transaction at most (a call is never split).
  size_t max_group_entries = 5000;
  // Entries waiting for a writer at most; beyond, RESOURCE_EXHAUSTED.
  size_t max_pending_entries = 50000;
};

// Counts what the writer does, for metrics. Thread-safe implementations.
class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  virtual void OnGroupCommitted(size_t entries, size_t calls,
                                absl::Duration took) = 0;
  virtual void OnGroupFailed(const absl::Status& status) = 0;
  virtual void OnOverloaded() = 0;
};

class GroupCommitWriter {
 public:
  using Done = std::function<void(const absl::Status&)>;
  using CommittedFn = std::function<void(std::vector<LogRecord> committed)>;

  // Starts the writer threads. `store` and `observer` (may be null) are not
  // owned and must outlive the writer. `on_committed` receives every
  // committed group, ids set, after its calls were completed; it must not
  // block (it runs on a writer thread).
  GroupCommitWriter(LogStore* store, CommittedFn on_committed,
                    GroupCommitOptions options,
                    CommitObserver* observer = nullptr);
  ~GroupCommitWriter();  // Shutdown()

  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  // Queues `records` (non-empty, each passed CheckEntry). `done` runs
  // exactly once: on a writer thread after the commit (or its failure), or
  // before Submit returns when refused (RESOURCE_EXHAUSTED when too much is
  // waiting, UNAVAILABLE after Shutdown). Thread-safe; never blocks.
  void Submit(std::vector<LogRecord> records, Done done);

  // Refuses new calls, commits every waiting one, and joins the threads.
  // Idempotent.
  void Shutdown();

  size_t pending_entries() const;

 private:
  struct PendingCall {
    std::vector<LogRecord> records;
    Done done;
  };

  void RunWriter();
  bool HasWorkOrStopping() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !pending_.empty() || stopping_;
  }
  // Commits `group` and completes its calls.
  void CommitGroup(std::vector<PendingCall> group, size_t entries);

  LogStore* const store_;
  const CommittedFn on_committed_;
  const GroupCommitOptions options_;
  CommitObserver* const observer_;

  mutable absl::Mutex mu_;
  std::deque<PendingCall> pending_ ABSL_GUARDED_BY(mu_);
  size_t pending_entries_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;

  absl::Mutex join_mu_;  // serialises Shutdown's joins
  std::vector<std::thread> threads_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_GROUP_COMMIT_WRITER_H_
