// The SELECT behind LogStore::Query, built once for both dialects: the same
// conditions, only the placeholders and two functions differ. Values are
// always parameters, never spliced into the text.
//
//   SqlStatement s = BuildQuerySql(query, storage::SqlDialect::kPostgres);
//   // s.sql: "SELECT ... WHERE service = $1 AND level >= 4 AND level >= 3
//   //         AND (time_us, id) < ($2, $3) ORDER BY time_us DESC, id DESC
//   //         LIMIT $4"
//   // s.params: {"careergpt-backend", 1700000000000000, 42, 101}
//
// Why each condition has the shape it has (with the indexes of
// sql/logging/*/0001_log_entries.sql):
//   - every index ends in time_us (and id), and the order is
//     (time_us DESC, id DESC) with a LIMIT, so the planner walks one index
//     backwards and stops after a page instead of sorting all matches;
//   - the page position is a row comparison, which both planners turn into
//     an index range;
//   - a method prefix is LIKE 'prefix%' (PostgreSQL, "C" collation: an
//     index range the planner weighs against the time order with its
//     statistics) or GLOB 'prefix*' (SQLite, case-sensitive, marked likely
//     so it walks the time order; see the .cc), with the pattern
//     characters of the prefix escaped;
//   - level and kind are literal numbers (our enum values), so the partial
//     indexes on warnings and audit entries can serve them;
//   - text_contains is strpos/instr, a plain case-sensitive substring test
//     (LIKE would treat '%' and '_' in the text as wildcards). No index
//     serves it: alone, it costs a walk until a page of matches is found,
//     short for common text, the whole table for text that is not there;
//     a time range or another filter bounds it. For a needle of 3 bytes or
//     more the stores first narrow the rows to the text blocks that may
//     hold it (text_blocks.h): `within` lists them, and each becomes an
//     (id, time) range of the primary key, ORed.
#ifndef MESHID_LOGGING_STORE_LOG_QUERY_SQL_H_
#define MESHID_LOGGING_STORE_LOG_QUERY_SQL_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "logging/log_store.h"
#include "logging/store/text_blocks.h"
#include "storage/migrations.h"

namespace meshid::logging {

// The columns every SELECT returns, in this order.
inline constexpr char kLogColumns[] =
    "id, time_us, service, level, kind, subject, client_id, method, "
    "status_code, latency_ns, peer, message, attributes";

// One parameter: an integer, or text when `is_text`.
struct SqlParam {
  bool is_text = false;
  int64_t number = 0;
  std::string text;

  static SqlParam Int(int64_t value) { return SqlParam{false, value, {}}; }
  static SqlParam Text(std::string value) {
    return SqlParam{true, 0, std::move(value)};
  }
  bool operator==(const SqlParam& o) const {
    return is_text == o.is_text && number == o.number && text == o.text;
  }
};

struct SqlStatement {
  std::string sql;
  std::vector<SqlParam> params;  // $1.. / ?1.. in order
};

// INVALID_ARGUMENT for limit <= 0 or a filter time the store cannot hold.
// A non-empty `within` keeps only rows inside one of those blocks' ranges.
absl::StatusOr<SqlStatement> BuildQuerySql(
    const LogQuery& query, storage::SqlDialect dialect,
    absl::Span<const TextBlock> within = {});

// LIKE pattern matching strings that start with `prefix` ('\' escapes).
std::string LikePrefixPattern(absl::string_view prefix);
// GLOB pattern matching strings that start with `prefix`.
std::string GlobPrefixPattern(absl::string_view prefix);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_LOG_QUERY_SQL_H_
