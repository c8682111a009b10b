// LogStore: where the Log server keeps entries. One small interface, two
// implementations in logging/store/ that pass the same conformance tests
// (tests/logging/log_store_test.cc): SQLite, the embedded default
// ("sqlite:///var/lib/meshid/log.db"), and PostgreSQL
// ("postgresql://..."). OpenLogStore (logging/store/open_log_store.h)
// picks one by URL.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<LogStore> store,
//                    OpenLogStore("sqlite:///data/log.db", {}));
//   std::vector<LogRecord> batch = ...;   // checked with CheckEntry
//   RETURN_IF_ERROR(store->Append(batch));  // ids assigned, committed
//   LogQuery q;
//   q.filter.service = "careergpt-backend";
//   q.limit = 101;
//   ASSIGN_OR_RETURN(std::vector<LogRecord> page, store->Query(q));
//
// Contract:
//   - Append is one transaction: when it returns OK every entry is durable
//     (committed with the database's durability; SQLite synchronous=FULL)
//     and has its id; otherwise none is stored.
//   - Ids are unique, positive, never reused, and increase within one
//     Append.
//   - Query returns entries matching the filter (logging/log_filter.h,
//     Matches) strictly before `after` in (time, id) order, newest first,
//     at most `limit`.
//   - Store unreachable: UNAVAILABLE, and the next call reconnects. No
//     exception crosses this interface; no message holds the URL's
//     password.
//   - Thread-safe.
#ifndef MESHID_LOGGING_LOG_STORE_H_
#define MESHID_LOGGING_LOG_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "logging/log_filter.h"
#include "logging/log_record.h"
#include "logging/page_token.h"

namespace meshid::logging {

struct LogQuery {
  LogFilter filter;
  // Only entries strictly before this position (the previous page's last).
  std::optional<PageCursor> after;
  int limit = 100;  // > 0
};

class LogStore {
 public:
  virtual ~LogStore() = default;

  // Stores `records` (each already passed CheckEntry) in one transaction
  // and sets their ids. INVALID_ARGUMENT for an empty batch.
  virtual absl::Status Append(std::vector<LogRecord>& records) = 0;

  // See the contract above. INVALID_ARGUMENT for limit <= 0.
  virtual absl::StatusOr<std::vector<LogRecord>> Query(
      const LogQuery& query) = 0;

  // Deletes up to `max_rows` entries with time < `cutoff`; returns how many.
  // Small bounded deletes keep each transaction (and its locks) short.
  virtual absl::StatusOr<int64_t> DeleteOlderThan(absl::Time cutoff,
                                                  int max_rows) = 0;

  // "sqlite" or "postgresql", for logs and metrics.
  virtual absl::string_view dialect() const = 0;
};

struct LogStoreOptions {
  // PostgreSQL connections for queries and retention; SQLite read
  // connections. Writers have their own (see writer_connections).
  int pool_size = 4;
  // PostgreSQL connections reserved for Append, so that a burst of queries
  // never delays a commit. SQLite always writes through one connection.
  int writer_connections = 2;
  absl::Duration busy_timeout = absl::Seconds(5);
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_STORE_H_
