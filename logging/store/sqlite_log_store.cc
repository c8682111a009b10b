#include "logging/store/sqlite_log_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "logging/store/log_migrations.h"
#include "logging/store/log_query_sql.h"
#include "logging/store/log_row_codec.h"
#include "logging/store/text_block_search.h"
#include "logging/store/text_blocks.h"
#include "storage/sqlite_file.h"
#include "storage/sqlite_migrator.h"
#include "storage/time_codec.h"

namespace meshid::logging {
namespace {

using storage::SqliteExec;
using storage::SqliteHandle;
using storage::SqliteStatement;

constexpr char kInsertSql[] =
    "INSERT INTO log_entries (time_us, service, level, kind, subject, "
    "client_id, method, status_code, latency_ns, peer, message, attributes) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

// Oldest first, so a bounded delete always removes the oldest rows.
constexpr char kDeleteSql[] =
    "DELETE FROM log_entries WHERE id IN (SELECT id FROM log_entries "
    "WHERE time_us < ?1 ORDER BY time_us LIMIT ?2)";

constexpr char kInsertBlockSql[] =
    "INSERT INTO log_text_blocks (first_id, last_id, min_time_us, "
    "max_time_us, filter) VALUES (?1, ?2, ?3, ?4, ?5)";

// Then the text blocks whose entries are all gone: those older than every
// entry left (an entry is never newer than its block's max_time_us). Rows
// go oldest first, so this lags the entries by at most a block or two, and
// the oldest entry is one step down log_entries_by_time.
constexpr char kDeleteBlocksSql[] =
    "DELETE FROM log_text_blocks WHERE max_time_us < "
    "min(?1, coalesce((SELECT min(time_us) FROM log_entries), ?1))";

absl::StatusOr<SqliteHandle> OpenConnection(const std::string& path,
                                            absl::Duration busy_timeout) {
  ASSIGN_OR_RETURN(SqliteHandle db,
                   storage::OpenSqlite(path, /*create=*/false, busy_timeout));
  // WAL's default is NORMAL in some builds, which may lose the last
  // commits on power loss; an acknowledged Append must not be lost.
  RETURN_IF_ERROR(SqliteExec(db.get(), "PRAGMA synchronous = FULL"));
  return db;
}

// Runs `body` between BEGIN IMMEDIATE and COMMIT, rolling back on error.
template <typename F>
absl::Status InWriteTransaction(sqlite3* db, F body) {
  RETURN_IF_ERROR(SqliteExec(db, "BEGIN IMMEDIATE"));
  absl::Status status = body();
  if (status.ok()) status = SqliteExec(db, "COMMIT");
  // SQLite may already have rolled back by itself (I/O error, disk full).
  if (!status.ok() && !sqlite3_get_autocommit(db)) {
    SqliteExec(db, "ROLLBACK").IgnoreError();
  }
  return status;
}

LogRow ReadRow(const SqliteStatement& stmt) {
  LogRow row;
  row.id = stmt.Int64(0);
  row.time_us = stmt.Int64(1);
  row.service = stmt.Text(2);
  row.level = stmt.Int64(3);
  row.kind = stmt.Int64(4);
  row.subject = stmt.Text(5);
  row.client_id = stmt.Text(6);
  row.method = stmt.Text(7);
  row.status_code = stmt.Int64(8);
  row.latency_ns = stmt.Int64(9);
  row.peer = stmt.Text(10);
  row.message = stmt.Text(11);
  row.attributes = stmt.Text(12);
  return row;
}

// Runs `sql` (log_query_sql.h's parameters) and hands each row to `on_row`.
template <typename F>
absl::Status RunSelect(sqlite3* db, const SqlStatement& sql, F on_row) {
  ASSIGN_OR_RETURN(SqliteStatement stmt, SqliteStatement::Prepare(db, sql.sql));
  for (size_t i = 0; i < sql.params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    const SqlParam& param = sql.params[i];
    if (param.is_text) {
      stmt.BindText(index, param.text);
    } else {
      stmt.BindInt64(index, param.number);
    }
  }
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return absl::OkStatus();
    RETURN_IF_ERROR(on_row(stmt));
  }
}

absl::StatusOr<std::vector<LogRecord>> ReadRecords(sqlite3* db,
                                                   const SqlStatement& sql) {
  std::vector<LogRecord> records;
  RETURN_IF_ERROR(
      RunSelect(db, sql, [&](const SqliteStatement& stmt) -> absl::Status {
        ASSIGN_OR_RETURN(LogRecord record, RecordFromRow(ReadRow(stmt)));
        records.push_back(std::move(record));
        return absl::OkStatus();
      }));
  return records;
}

absl::StatusOr<std::vector<TextBlock>> ReadTextBlocks(sqlite3* db,
                                                      const SqlStatement& sql) {
  std::vector<TextBlock> blocks;
  RETURN_IF_ERROR(
      RunSelect(db, sql, [&](const SqliteStatement& stmt) -> absl::Status {
        TextBlock block;
        block.first_id = stmt.Int64(0);
        block.last_id = stmt.Int64(1);
        block.min_time_us = stmt.Int64(2);
        block.max_time_us = stmt.Int64(3);
        if (!stmt.IsNull(4)) block.filter = stmt.Blob(4);
        blocks.push_back(std::move(block));
        return absl::OkStatus();
      }));
  return blocks;
}

// The text block search reads several statements: one read transaction
// (one WAL snapshot) for all, so a commit in between cannot make the page
// differ from one SELECT's.
absl::StatusOr<std::vector<LogRecord>> QueryThroughBlocks(
    sqlite3* db, const LogQuery& query) {
  RETURN_IF_ERROR(SqliteExec(db, "BEGIN"));
  absl::StatusOr<std::vector<LogRecord>> records = QueryThroughTextBlocks(
      query,
      [&](const std::optional<BlockCursor>& after,
          int limit) -> absl::StatusOr<std::vector<TextBlock>> {
        ASSIGN_OR_RETURN(SqlStatement sql,
                         BuildBlockSummarySql(query, after, limit));
        return ReadTextBlocks(db, sql);
      },
      [&](absl::Span<const TextBlock> within)
          -> absl::StatusOr<std::vector<LogRecord>> {
        ASSIGN_OR_RETURN(
            SqlStatement sql,
            BuildQuerySql(query, storage::SqlDialect::kSqlite, within));
        return ReadRecords(db, sql);
      });
  if (!sqlite3_get_autocommit(db)) SqliteExec(db, "COMMIT").IgnoreError();
  return records;
}

}  // namespace

SqliteLogStore::SqliteLogStore(std::string path, const LogStoreOptions& options,
                               SqliteHandle writer)
    : path_(std::move(path)),
      options_(options),
      max_readers_(options.pool_size < 1 ? 1 : options.pool_size),
      writer_(std::move(writer)) {}

absl::StatusOr<std::unique_ptr<LogStore>> SqliteLogStore::Open(
    const storage::ParsedStoreUrl& url, const LogStoreOptions& options) {
  RETURN_IF_ERROR(storage::CheckSqliteFolderExists(url.sqlite_path));
  ASSIGN_OR_RETURN(SqliteHandle writer,
                   storage::OpenSqlite(url.sqlite_path, /*create=*/true,
                                       options.busy_timeout));
  RETURN_IF_ERROR(storage::EnableSqliteWal(writer.get(), url.sqlite_path));
  RETURN_IF_ERROR(SqliteExec(writer.get(), "PRAGMA synchronous = FULL"));
  RETURN_IF_ERROR(
      storage::ApplySqliteMigrations(writer.get(), LogMigrations().sqlite));
  return std::unique_ptr<LogStore>(
      new SqliteLogStore(url.sqlite_path, options, std::move(writer)));
}

absl::Status SqliteLogStore::Append(std::vector<LogRecord>& records) {
  if (records.empty()) {
    return absl::InvalidArgumentError("nothing to append");
  }
  absl::MutexLock lock(&write_mu_);
  const absl::Status status = AppendLocked(records);
  if (!status.ok()) {
    for (LogRecord& record : records) record.id = 0;
  }
  return status;
}

absl::Status SqliteLogStore::AppendLocked(std::vector<LogRecord>& records) {
  sqlite3* db = writer_.get();
  if (!insert_.has_value()) {
    ASSIGN_OR_RETURN(SqliteStatement prepared,
                     SqliteStatement::Prepare(db, kInsertSql));
    insert_.emplace(std::move(prepared));
  }
  if (!insert_block_.has_value()) {
    ASSIGN_OR_RETURN(SqliteStatement prepared,
                     SqliteStatement::Prepare(db, kInsertBlockSql));
    insert_block_.emplace(std::move(prepared));
  }
  SqliteStatement& insert = *insert_;
  std::vector<int64_t> ids;
  ids.reserve(records.size());
  return InWriteTransaction(db, [&]() -> absl::Status {
    for (LogRecord& record : records) {
      ASSIGN_OR_RETURN(LogRow row, RowFromRecord(record));
      insert.Reset()
          .BindInt64(1, row.time_us)
          .BindText(2, row.service)
          .BindInt64(3, row.level)
          .BindInt64(4, row.kind)
          .BindText(5, row.subject)
          .BindText(6, row.client_id)
          .BindText(7, row.method)
          .BindInt64(8, row.status_code)
          .BindInt64(9, row.latency_ns)
          .BindText(10, row.peer)
          .BindText(11, row.message)
          .BindText(12, row.attributes);
      RETURN_IF_ERROR(insert.Run());
      record.id = sqlite3_last_insert_rowid(db);
      ids.push_back(record.id);
    }
    // The skip index of text_contains, in the same transaction.
    ASSIGN_OR_RETURN(std::vector<TextBlock> blocks,
                     BuildTextBlocks(records, ids));
    for (const TextBlock& block : blocks) {
      insert_block_->Reset()
          .BindInt64(1, block.first_id)
          .BindInt64(2, block.last_id)
          .BindInt64(3, block.min_time_us)
          .BindInt64(4, block.max_time_us)
          .BindBlob(5, block.filter.value_or(""));
      RETURN_IF_ERROR(insert_block_->Run());
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<SqliteHandle> SqliteLogStore::AcquireReader() {
  {
    absl::MutexLock lock(&read_mu_);
    read_mu_.Await(absl::Condition(this, &SqliteLogStore::ReaderAvailable));
    ++leased_readers_;
    if (!idle_readers_.empty()) {
      SqliteHandle reader = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return reader;
    }
  }
  absl::StatusOr<SqliteHandle> opened =
      OpenConnection(path_, options_.busy_timeout);
  if (!opened.ok()) {
    absl::MutexLock lock(&read_mu_);
    --leased_readers_;
  }
  return opened;
}

void SqliteLogStore::ReleaseReader(SqliteHandle reader) {
  absl::MutexLock lock(&read_mu_);
  --leased_readers_;
  if (reader != nullptr) idle_readers_.push_back(std::move(reader));
}

absl::StatusOr<std::vector<LogRecord>> SqliteLogStore::Query(
    const LogQuery& query) {
  ASSIGN_OR_RETURN(SqlStatement sql,
                   BuildQuerySql(query, storage::SqlDialect::kSqlite));
  ASSIGN_OR_RETURN(SqliteHandle reader, AcquireReader());
  absl::StatusOr<std::vector<LogRecord>> records =
      UsesTextBlocks(query) ? QueryThroughBlocks(reader.get(), query)
                            : ReadRecords(reader.get(), sql);
  ReleaseReader(std::move(reader));
  return records;
}

absl::StatusOr<int64_t> SqliteLogStore::DeleteOlderThan(absl::Time cutoff,
                                                        int max_rows) {
  if (max_rows <= 0) {
    return absl::InvalidArgumentError("max_rows must be > 0");
  }
  ASSIGN_OR_RETURN(int64_t cutoff_us,
                   storage::TimeToMicros(cutoff, "retention cutoff"));
  absl::MutexLock lock(&write_mu_);
  sqlite3* db = writer_.get();
  int64_t deleted = 0;
  RETURN_IF_ERROR(InWriteTransaction(db, [&]() -> absl::Status {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     SqliteStatement::Prepare(db, kDeleteSql));
    stmt.BindInt64(1, cutoff_us).BindInt64(2, max_rows);
    RETURN_IF_ERROR(stmt.Run());
    deleted = stmt.changes();
    ASSIGN_OR_RETURN(SqliteStatement blocks,
                     SqliteStatement::Prepare(db, kDeleteBlocksSql));
    blocks.BindInt64(1, cutoff_us);
    return blocks.Run();
  }));
  return deleted;
}

}  // namespace meshid::logging
