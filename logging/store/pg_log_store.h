// The PostgreSQL LogStore: connection pools for writing and for reading,
// Append as one COPY per batch (ids allocated from the sequence first, so
// the tail hub and the caller learn them without reading rows back; the
// same statement stores the batch's text blocks, text_blocks.h), and
// queries whose shape lets the planner walk one index and stop after a page
// (log_query_sql.h).
//
//   ASSIGN_OR_RETURN(auto store, PgLogStore::Open(parsed_url, options));
#ifndef MESHID_LOGGING_STORE_PG_LOG_STORE_H_
#define MESHID_LOGGING_STORE_PG_LOG_STORE_H_

#include <memory>
#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "logging/log_store.h"
#include "storage/pg_connection_pool.h"
#include "storage/store_url.h"

namespace meshid::logging {

class PgLogStore final : public LogStore {
 public:
  // Connects once, applies pending migrations, then keeps up to
  // options.writer_connections + options.pool_size connections.
  static absl::StatusOr<std::unique_ptr<LogStore>> Open(
      const storage::ParsedStoreUrl& url, const LogStoreOptions& options);

  absl::Status Append(std::vector<LogRecord>& records) override;
  absl::StatusOr<std::vector<LogRecord>> Query(const LogQuery& query) override;
  absl::StatusOr<int64_t> DeleteOlderThan(absl::Time cutoff,
                                          int max_rows) override;
  absl::string_view dialect() const override { return "postgresql"; }

 private:
  PgLogStore(const storage::ParsedStoreUrl& url,
             const LogStoreOptions& options);

  // Query for a needle of 3 bytes or more (text_block_search.h).
  absl::StatusOr<std::vector<LogRecord>> QueryThroughBlocks(
      const LogQuery& query);

  // What one run of a body did, for the retry decision.
  struct Attempt {
    // Set by the body just before it commits: from then on a broken
    // connection leaves the outcome unknown, and nothing may be re-run.
    bool commit_started = false;
  };
  // Runs `body` on a leased connection of `pool`; libpqxx exceptions become
  // a Status here. A pooled connection that died while idle (a server
  // restart) fails with UNAVAILABLE before anything committed: it is
  // dropped with its idle siblings, and `body` runs once more on a fresh
  // connection.
  absl::Status WithConnection(
      storage::PgConnectionPool& pool,
      absl::FunctionRef<absl::Status(pqxx::connection&, Attempt&)> body);

  const std::vector<std::string> secrets_;
  storage::PgConnectionPool writers_;
  storage::PgConnectionPool readers_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_PG_LOG_STORE_H_
