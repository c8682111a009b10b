// MemoryLogStore: a LogStore in memory, defined by the reference semantics
// (Matches, newest first by (time, id)). Unit tests use it where the SQL
// stores would only add I/O; tests can make Append fail or wait.
//
//   MemoryLogStore store;
//   store.FailNextAppends(1, absl::UnavailableError("down"));
//   GroupCommitWriter writer(&store, nullptr, {});
#ifndef MESHID_TESTS_LOGGING_MEMORY_LOG_STORE_H_
#define MESHID_TESTS_LOGGING_MEMORY_LOG_STORE_H_

#include <algorithm>
#include <cstdint>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "logging/log_store.h"

namespace meshid::logging::testing {

class MemoryLogStore final : public LogStore {
 public:
  absl::Status Append(std::vector<LogRecord>& records) override {
    absl::MutexLock lock(&mu_);
    ++entered_;
    mu_.Await(absl::Condition(
        +[](bool* blocked) { return !*blocked; }, &blocked_));
    ++append_calls_;
    batch_sizes_.push_back(records.size());
    if (failures_left_ > 0) {
      --failures_left_;
      return failure_;
    }
    for (LogRecord& record : records) {
      if (record.message == kPoison) {
        return absl::InvalidArgumentError("poisoned entry");
      }
    }
    for (LogRecord& record : records) {
      record.id = ++last_id_;
      rows_.push_back(record);
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<LogRecord>> Query(const LogQuery& q) override {
    absl::MutexLock lock(&mu_);
    std::vector<LogRecord> out;
    for (const LogRecord& r : rows_) {
      if (!Matches(q.filter, r)) continue;
      if (q.after.has_value() && !Before(r, *q.after)) continue;
      out.push_back(r);
    }
    std::sort(
        out.begin(), out.end(), [](const LogRecord& a, const LogRecord& b) {
          return std::make_pair(a.time, a.id) > std::make_pair(b.time, b.id);
        });
    if (static_cast<int>(out.size()) > q.limit) out.resize(q.limit);
    return out;
  }

  absl::StatusOr<int64_t> DeleteOlderThan(absl::Time cutoff,
                                          int max_rows) override {
    absl::MutexLock lock(&mu_);
    ++delete_calls_;
    int64_t deleted = 0;
    for (auto it = rows_.begin(); it != rows_.end() && deleted < max_rows;) {
      if (it->time < cutoff) {
        it = rows_.erase(it);
        ++deleted;
      } else {
        ++it;
      }
    }
    return deleted;
  }

  absl::string_view dialect() const override { return "memory"; }

  // The next `n` Appends fail with `status` (nothing stored).
  void FailNextAppends(int n, absl::Status status) {
    absl::MutexLock lock(&mu_);
    failures_left_ = n;
    failure_ = std::move(status);
  }
  // While blocked, Append waits (to let calls pile up behind a commit).
  void SetBlocked(bool blocked) {
    absl::MutexLock lock(&mu_);
    blocked_ = blocked;
  }
  size_t size() const {
    absl::MutexLock lock(&mu_);
    return rows_.size();
  }
  // Appends begun, including one waiting while blocked.
  int entered() const {
    absl::MutexLock lock(&mu_);
    return entered_;
  }
  // Waits until `n` Appends have begun; false after `timeout`.
  bool WaitForEntered(int n, absl::Duration timeout) const {
    struct Target {
      const MemoryLogStore* store;
      int n;
    } target{this, n};
    absl::MutexLock lock(&mu_);
    return mu_.AwaitWithTimeout(
        absl::Condition(
            +[](Target* t) ABSL_NO_THREAD_SAFETY_ANALYSIS {
              return t->store->entered_ >= t->n;
            },
            &target),
        timeout);
  }
  int append_calls() const {
    absl::MutexLock lock(&mu_);
    return append_calls_;
  }
  std::vector<size_t> batch_sizes() const {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }
  int delete_calls() const {
    absl::MutexLock lock(&mu_);
    return delete_calls_;
  }

  // A message that makes any Append holding it fail with INVALID_ARGUMENT.
  static constexpr char kPoison[] = "poison";

 private:
  static bool Before(const LogRecord& r, const PageCursor& c) {
    const int64_t t = absl::ToUnixMicros(r.time);
    return t < c.time_micros || (t == c.time_micros && r.id < c.id);
  }

  mutable absl::Mutex mu_;
  std::vector<LogRecord> rows_ ABSL_GUARDED_BY(mu_);
  int64_t last_id_ ABSL_GUARDED_BY(mu_) = 0;
  int failures_left_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
  bool blocked_ ABSL_GUARDED_BY(mu_) = false;
  int append_calls_ ABSL_GUARDED_BY(mu_) = 0;
  int entered_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<size_t> batch_sizes_ ABSL_GUARDED_BY(mu_);
  int delete_calls_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace meshid::logging::testing

#endif  // MESHID_TESTS_LOGGING_MEMORY_LOG_STORE_H_
