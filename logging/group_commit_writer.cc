#include "logging/group_commit_writer.h"

#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"

namespace meshid::logging {

GroupCommitWriter::GroupCommitWriter(LogStore* store, CommittedFn on_committed,
                                     GroupCommitOptions options,
                                     CommitObserver* observer)
    : store_(store),
      on_committed_(std::move(on_committed)),
      options_(options),
      observer_(observer) {
  const int writers = options_.writers < 1 ? 1 : options_.writers;
  for (int i = 0; i < writers; ++i) {
    threads_.emplace_back([this] { RunWriter(); });
  }
}

GroupCommitWriter::~GroupCommitWriter() { Shutdown(); }

void GroupCommitWriter::Submit(std::vector<LogRecord> records, Done done) {
  absl::Status refused;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) {
      refused = absl::UnavailableError(
          "the server is shutting down; nothing was stored, retry on "
          "another server");
    } else if (pending_entries_ + records.size() >
               options_.max_pending_entries) {
      refused = absl::ResourceExhaustedError(
          "the Log server is over capacity (too many entries waiting to be "
          "stored); nothing was stored, retry with backoff");
    } else {
      pending_entries_ += records.size();
      pending_.push_back(PendingCall{std::move(records), std::move(done)});
      return;
    }
  }
  if (absl::IsResourceExhausted(refused) && observer_ != nullptr) {
    observer_->OnOverloaded();
  }
  done(refused);
}

void GroupCommitWriter::RunWriter() {
  while (true) {
    std::vector<PendingCall> group;
    size_t entries = 0;
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(this, &GroupCommitWriter::HasWorkOrStopping));
      if (pending_.empty()) return;  // stopping, and nothing left
      // Whole calls, oldest first, while they fit; a call larger than the
      // group limit still goes alone.
      while (!pending_.empty() &&
             (group.empty() || entries + pending_.front().records.size() <=
                                   options_.max_group_entries)) {
        entries += pending_.front().records.size();
        group.push_back(std::move(pending_.front()));
        pending_.pop_front();
      }
      pending_entries_ -= entries;
    }
    CommitGroup(std::move(group), entries);
  }
}

void GroupCommitWriter::CommitGroup(std::vector<PendingCall> group,
                                    size_t entries) {
  std::vector<LogRecord> all;
  all.reserve(entries);
  for (PendingCall& call : group) {
    std::move(call.records.begin(), call.records.end(),
              std::back_inserter(all));
  }
  const absl::Time started = absl::Now();
  const absl::Status status = store_->Append(all);
  if (status.ok()) {
    if (observer_ != nullptr) {
      observer_->OnGroupCommitted(entries, group.size(), absl::Now() - started);
    }
    for (PendingCall& call : group) call.done(status);
    if (on_committed_) on_committed_(std::move(all));
    return;
  }
  if (observer_ != nullptr) observer_->OnGroupFailed(status);
  // The store is down: every call fails the same way, and each client may
  // retry. Anything else might be one call's doing: give each its own try.
  if (absl::IsUnavailable(status) || group.size() == 1) {
    for (PendingCall& call : group) call.done(status);
    return;
  }
  size_t offset = 0;
  for (PendingCall& call : group) {
    const size_t n = call.records.size();
    std::vector<LogRecord> own(
        std::make_move_iterator(all.begin() + offset),
        std::make_move_iterator(all.begin() + offset + n));
    offset += n;
    const absl::Status alone = store_->Append(own);
    call.done(alone);
    if (alone.ok() && on_committed_) on_committed_(std::move(own));
  }
}

void GroupCommitWriter::Shutdown() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  absl::MutexLock join(&join_mu_);
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

size_t GroupCommitWriter::pending_entries() const {
  absl::MutexLock lock(&mu_);
  return pending_entries_;
}

}  // namespace meshid::logging
