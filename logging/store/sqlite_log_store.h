// The SQLite LogStore: one write connection (SQLite has one writer anyway;
// Append batches arrive already grouped by the GroupCommitWriter) and a few
// read connections, in WAL mode so queries never wait for a commit and a
// commit never waits for a query. Each Append also stores its text blocks
// (text_blocks.h) in the same transaction. synchronous=FULL: a committed Append
// survives a power cut.
//
//   ASSIGN_OR_RETURN(auto store, SqliteLogStore::Open(parsed_url, options));
#ifndef MESHID_LOGGING_STORE_SQLITE_LOG_STORE_H_
#define MESHID_LOGGING_STORE_SQLITE_LOG_STORE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "logging/log_store.h"
#include "storage/sqlite_db.h"
#include "storage/store_url.h"

namespace meshid::logging {

class SqliteLogStore final : public LogStore {
 public:
  // Opens (creating the file, never its folder) and applies pending
  // migrations.
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(
      const storage::ParsedStoreUrl& url, const LogStoreOptions& options);

  absl::Status Append(std::vector<LogRecord>& records) override;
  absl::StatusOr<std::vector<LogRecord>> Query(const LogQuery& query) override;
  absl::StatusOr<int64_t> DeleteOlderThan(absl::Time cutoff,
                                          int max_rows) override;
  absl::string_view dialect() const override { return "sqlite"; }

 private:
  SqliteLogStore(std::string path, const LogStoreOptions& options,
                 storage::SqliteHandle writer);

  absl::Status AppendLocked(std::vector<LogRecord>& records)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(write_mu_);
  // A read connection, opened on first need; back to the pool afterwards.
  absl::StatusOr<storage::SqliteHandle> AcquireReader();
  void ReleaseReader(storage::SqliteHandle reader);
  bool ReaderAvailable() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(read_mu_) {
    return leased_readers_ < max_readers_;
  }

  const std::string path_;
  const LogStoreOptions options_;
  const int max_readers_;

  absl::Mutex write_mu_;
  storage::SqliteHandle writer_ ABSL_GUARDED_BY(write_mu_);
  // Prepared once on the write connection.
  std::optional<storage::SqliteStatement> insert_ ABSL_GUARDED_BY(write_mu_);
  std::optional<storage::SqliteStatement> insert_block_
      ABSL_GUARDED_BY(write_mu_);

  absl::Mutex read_mu_;
  std::vector<storage::SqliteHandle> idle_readers_ ABSL_GUARDED_BY(read_mu_);
  int leased_readers_ ABSL_GUARDED_BY(read_mu_) = 0;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_SQLITE_LOG_STORE_H_
