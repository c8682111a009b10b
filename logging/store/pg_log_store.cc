#include "logging/store/pg_log_store.h"

#include <pqxx/pqxx>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "logging/store/log_migrations.h"
#include "logging/store/log_query_sql.h"
#include "logging/store/log_row_codec.h"
#include "logging/store/pg_copy_lines.h"
#include "logging/store/text_block_search.h"
#include "logging/store/text_blocks.h"
#include "storage/pg_errors.h"
#include "storage/pg_migrator.h"
#include "storage/time_codec.h"

namespace meshid::logging {
namespace {

const std::vector<std::string> kCopyColumns = {
    "id",      "time_us",   "service",   "level",       "kind",
    "subject", "client_id", "method",    "status_code", "latency_ns",
    "peer",    "message",   "attributes"};

// Oldest first, so a bounded delete always removes the oldest rows.
constexpr char kDeleteSql[] =
    "DELETE FROM log_entries WHERE (time_us, id) IN (SELECT time_us, id "
    "FROM log_entries WHERE time_us < $1 ORDER BY time_us, id LIMIT $2)";

// Then the text blocks whose entries are all gone: those older than every
// entry left (an entry is never newer than its block's max_time_us). Rows
// go oldest first, so this lags the entries by at most a block or two, and
// the oldest entry is one step down the primary key.
constexpr char kDeleteBlocksSql[] =
    "DELETE FROM log_text_blocks WHERE max_time_us < "
    "LEAST($1, (SELECT min(time_us) FROM log_entries))";

// One call for every id of the batch, in increasing order, which also
// stores the batch's text blocks (text_blocks.h): a separate INSERT would
// cost each commit one more round trip, and with a couple of writer
// connections that latency is Append's throughput. Block k (from 1) holds
// rows ((k-1)*$5, min(k*$5, $1)], whose ids increase, so its first and last
// ids are two elements of the array; $2..$4 are the blocks' times and hex
// filters, computed before the ids are known. Prepared once per connection
// (kAllocateIdsName): planning it cost more than running it.
constexpr char kAllocateIdsName[] = "log_allocate_ids_and_blocks";
constexpr char kAllocateIdsSql[] =
    "WITH ids AS MATERIALIZED ("
    "SELECT array_agg(nextval('log_entries_id_seq') ORDER BY g) AS a "
    "FROM generate_series(1, $1::int) AS g), "
    "blocks AS (INSERT INTO log_text_blocks "
    "(first_id, last_id, min_time_us, max_time_us, filter) "
    "SELECT ids.a[(b.k - 1) * $5::int + 1], "
    "ids.a[least(b.k * $5::int, $1::int)], b.min_time_us, b.max_time_us, "
    "decode(b.filter, 'hex') "
    "FROM ids, unnest($2::bigint[], $3::bigint[], $4::text[]) WITH ORDINALITY "
    "AS b(min_time_us, max_time_us, filter, k)) "
    "SELECT unnest(a) FROM ids";

// The store always sends UTF-8 (CheckEntry), and the COPY escaping in
// pg_copy_lines.cc relies on it, so the connections say so whatever the
// server's default.
std::string WithUtf8(const std::string& conninfo) {
  if (absl::StrContains(conninfo, "client_encoding=")) return conninfo;
  const char* separator = absl::StrContains(conninfo, '?') ? "&" : "?";
  if (absl::EndsWith(conninfo, "?") || absl::EndsWith(conninfo, "&")) {
    separator = "";
  }
  return absl::StrCat(conninfo, separator, "client_encoding=UTF8");
}

LogRow ReadRow(const pqxx::row& r) {
  LogRow row;
  row.id = r[0].as<int64_t>();
  row.time_us = r[1].as<int64_t>();
  row.service = std::string(r[2].c_str(), r[2].size());
  row.level = r[3].as<int64_t>();
  row.kind = r[4].as<int64_t>();
  row.subject = std::string(r[5].c_str(), r[5].size());
  row.client_id = std::string(r[6].c_str(), r[6].size());
  row.method = std::string(r[7].c_str(), r[7].size());
  row.status_code = r[8].as<int64_t>();
  row.latency_ns = r[9].as<int64_t>();
  row.peer = std::string(r[10].c_str(), r[10].size());
  row.message = std::string(r[11].c_str(), r[11].size());
  row.attributes = std::string(r[12].c_str(), r[12].size());
  return row;
}

// libpqxx 6 binds a vector of parameters through prepare::make_dynamic_params.
pqxx::result ExecWithParams(pqxx::transaction_base& tx, const SqlStatement& s) {
  std::vector<std::string> values;
  values.reserve(s.params.size());
  for (const SqlParam& param : s.params) {
    values.push_back(param.is_text ? param.text : std::to_string(param.number));
  }
  return tx.exec_params(s.sql, pqxx::prepare::make_dynamic_params(values));
}

// The array literals of kAllocateIdsSql's block parameters: numbers and
// hex digits only, so nothing needs quoting.
struct BlockArrays {
  std::string min_times = "{";
  std::string max_times = "{";
  std::string filters = "{";
};

BlockArrays ToArrays(const std::vector<TextBlock>& blocks) {
  BlockArrays arrays;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const char* comma = i == 0 ? "" : ",";
    absl::StrAppend(&arrays.min_times, comma, blocks[i].min_time_us);
    absl::StrAppend(&arrays.max_times, comma, blocks[i].max_time_us);
    absl::StrAppend(&arrays.filters, comma,
                    absl::BytesToHexString(blocks[i].filter.value_or("")));
  }
  arrays.min_times += "}";
  arrays.max_times += "}";
  arrays.filters += "}";
  return arrays;
}

std::vector<TextBlock> ReadTextBlocks(const pqxx::result& result) {
  std::vector<TextBlock> blocks;
  blocks.reserve(result.size());
  for (const pqxx::row& r : result) {
    TextBlock block;
    block.first_id = r[0].as<int64_t>();
    block.last_id = r[1].as<int64_t>();
    block.min_time_us = r[2].as<int64_t>();
    block.max_time_us = r[3].as<int64_t>();
    if (!r[4].is_null()) block.filter = pqxx::binarystring(r[4]).str();
    blocks.push_back(std::move(block));
  }
  return blocks;
}

absl::StatusOr<std::vector<LogRecord>> ReadRecords(const pqxx::result& result) {
  std::vector<LogRecord> records;
  records.reserve(result.size());
  for (const pqxx::row& row : result) {
    ASSIGN_OR_RETURN(LogRecord record, RecordFromRow(ReadRow(row)));
    records.push_back(std::move(record));
  }
  return records;
}

constexpr storage::SqlDialect kDialect = storage::SqlDialect::kPostgres;

// The text block search reads several statements: one snapshot for all,
// so a commit in between cannot make the page differ from one SELECT's.
using SnapshotRead = pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>;

}  // namespace

PgLogStore::PgLogStore(const storage::ParsedStoreUrl& url,
                       const LogStoreOptions& options)
    : secrets_(url.secrets),
      writers_(WithUtf8(url.pg_conninfo), options.writer_connections,
               url.secrets),
      readers_(WithUtf8(url.pg_conninfo), options.pool_size, url.secrets) {}

absl::StatusOr<std::unique_ptr<LogStore>> PgLogStore::Open(
    const storage::ParsedStoreUrl& url, const LogStoreOptions& options) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<pqxx::connection> connection,
      storage::PgConnectionPool::Connect(url.pg_conninfo, url.secrets));
  RETURN_IF_ERROR(storage::ApplyPgMigrations(
      *connection, LogMigrations().postgres, url.secrets));
  return std::unique_ptr<LogStore>(new PgLogStore(url, options));
}

absl::Status PgLogStore::WithConnection(
    storage::PgConnectionPool& pool,
    absl::FunctionRef<absl::Status(pqxx::connection&, Attempt&)> body) {
  for (int tries = 0;; ++tries) {
    ASSIGN_OR_RETURN(storage::PgConnectionPool::Lease lease, pool.Acquire());
    Attempt attempt;
    absl::Status status;
    try {
      status = body(lease.connection(), attempt);
    } catch (...) {
      status = storage::CurrentPgExceptionToStatus(secrets_);
    }
    const bool broken =
        absl::IsUnavailable(status) || !lease.connection().is_open();
    if (broken) {
      lease.Discard();
      // Whatever broke this connection (a server restart, an operator
      // terminating backends) most likely broke its idle siblings too.
      pool.DropIdle();
    }
    if (broken && lease.reused() && !attempt.commit_started && tries == 0) {
      continue;
    }
    return status;
  }
}

absl::Status PgLogStore::Append(std::vector<LogRecord>& records) {
  if (records.empty()) {
    return absl::InvalidArgumentError("nothing to append");
  }
  std::vector<int64_t> ids(records.size());
  // The skip index of text_contains, stored by the id allocation below.
  ASSIGN_OR_RETURN(std::vector<TextBlock> blocks,
                   BuildTextBlocks(records, /*ids=*/{}));
  const BlockArrays arrays = ToArrays(blocks);
  const absl::Status status = WithConnection(
      writers_,
      [&](pqxx::connection& connection, Attempt& attempt) -> absl::Status {
        pqxx::work work(connection);
        connection.prepare(kAllocateIdsName, kAllocateIdsSql);  // once
        const pqxx::result allocated = work.exec_prepared(
            kAllocateIdsName, static_cast<int64_t>(records.size()),
            arrays.min_times, arrays.max_times, arrays.filters,
            static_cast<int64_t>(kMaxBlockEntries));
        for (size_t i = 0; i < records.size(); ++i) {
          ids[i] = allocated[i][0].as<int64_t>();
        }
        {
          PgCopyWriter copy(work, "log_entries", kCopyColumns);
          for (size_t i = 0; i < records.size(); ++i) {
            // An unstorable time is refused before anything commits: the
            // transaction is abandoned with the writer.
            RETURN_IF_ERROR(copy.Write(records[i], ids[i]));
          }
          copy.Complete();
        }
        attempt.commit_started = true;
        work.commit();
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  for (size_t i = 0; i < records.size(); ++i) records[i].id = ids[i];
  return absl::OkStatus();
}

absl::StatusOr<std::vector<LogRecord>> PgLogStore::Query(
    const LogQuery& query) {
  if (UsesTextBlocks(query)) return QueryThroughBlocks(query);
  ASSIGN_OR_RETURN(SqlStatement sql,
                   BuildQuerySql(query, storage::SqlDialect::kPostgres));
  std::vector<LogRecord> records;
  RETURN_IF_ERROR(WithConnection(
      readers_, [&](pqxx::connection& connection, Attempt&) -> absl::Status {
        pqxx::read_transaction read(connection);
        ASSIGN_OR_RETURN(records, ReadRecords(ExecWithParams(read, sql)));
        return absl::OkStatus();
      }));
  return records;
}

absl::StatusOr<std::vector<LogRecord>> PgLogStore::QueryThroughBlocks(
    const LogQuery& query) {
  std::vector<LogRecord> records;
  RETURN_IF_ERROR(WithConnection(
      readers_, [&](pqxx::connection& connection, Attempt&) -> absl::Status {
        SnapshotRead read(connection);
        ASSIGN_OR_RETURN(
            records,
            QueryThroughTextBlocks(
                query,
                [&](const std::optional<BlockCursor>& after,
                    int limit) -> absl::StatusOr<std::vector<TextBlock>> {
                  ASSIGN_OR_RETURN(SqlStatement sql,
                                   BuildBlockSummarySql(query, after, limit));
                  return ReadTextBlocks(ExecWithParams(read, sql));
                },
                [&](absl::Span<const TextBlock> within)
                    -> absl::StatusOr<std::vector<LogRecord>> {
                  ASSIGN_OR_RETURN(SqlStatement sql,
                                   BuildQuerySql(query, kDialect, within));
                  return ReadRecords(ExecWithParams(read, sql));
                }));
        return absl::OkStatus();
      }));
  return records;
}

absl::StatusOr<int64_t> PgLogStore::DeleteOlderThan(absl::Time cutoff,
                                                    int max_rows) {
  if (max_rows <= 0) {
    return absl::InvalidArgumentError("max_rows must be > 0");
  }
  ASSIGN_OR_RETURN(int64_t cutoff_us,
                   storage::TimeToMicros(cutoff, "retention cutoff"));
  int64_t deleted = 0;
  RETURN_IF_ERROR(WithConnection(
      readers_, [&](pqxx::connection& connection, Attempt& attempt) {
        pqxx::work work(connection);
        const pqxx::result result =
            work.exec_params(kDeleteSql, cutoff_us, max_rows);
        work.exec_params(kDeleteBlocksSql, cutoff_us);
        attempt.commit_started = true;
        work.commit();
        deleted = result.affected_rows();
        return absl::OkStatus();
      }));
  return deleted;
}

}  // namespace meshid::logging
