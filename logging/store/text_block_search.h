// Query with a `text_contains` of 3 bytes or more, through the text blocks
// (text_blocks.h), for both stores: the store only runs statements.
//
//   if (UsesTextBlocks(query)) {
//     return QueryThroughTextBlocks(query, read_blocks, read_rows);
//   }
//
// How: read block summaries newest first (by their latest time), keep those
// whose filter may hold the needle, and every few dozen of them run
// the usual SELECT restricted to their ranges (log_query_sql.h, `within`),
// with the usual LIMIT. The union of those pages, newest first and without
// duplicates, is the answer as soon as its last entry is newer than every
// block not read yet (an entry of an unread block is at most as new as
// that block's latest time); otherwise read on. The result is the same
// page the plain SELECT returns, as long as the store runs all statements
// in one snapshot.
#ifndef MESHID_LOGGING_STORE_TEXT_BLOCK_SEARCH_H_
#define MESHID_LOGGING_STORE_TEXT_BLOCK_SEARCH_H_

#include <optional>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "logging/log_store.h"
#include "logging/store/log_query_sql.h"
#include "logging/store/text_blocks.h"

namespace meshid::logging {

// How many summaries each statement reads and how many block ranges each
// row statement holds. Both start small, so a common needle costs one
// short statement, and grow, so a rare one costs few statements: reads
// double; a fetch is sized from the matches per block seen so far (each
// range makes PostgreSQL's plan longer, so it is capped).
struct TextSearchLimits {
  int blocks_per_read = 512;
  int max_blocks_per_read = 4096;
  int ranges_per_fetch = 32;
  int max_ranges_per_fetch = 160;
};

// The columns of a summary SELECT, in this order (filter NULL for a block
// without one).
inline constexpr char kTextBlockColumns[] =
    "first_id, last_id, min_time_us, max_time_us, filter";

// True when `query` can use the text blocks: a needle of 3 bytes or more.
bool UsesTextBlocks(const LogQuery& query);

// Where the previous summary read stopped.
struct BlockCursor {
  int64_t max_time_us = 0;
  int64_t first_id = 0;
};

// The next `limit` summaries newest first, after `after`, of blocks that
// can hold entries the query's time range and page position allow. The
// same text for both dialects (no parameters: our own integers).
absl::StatusOr<SqlStatement> BuildBlockSummarySql(
    const LogQuery& query, const std::optional<BlockCursor>& after, int limit);

// The next `limit` summaries after `after` (BuildBlockSummarySql).
using BlockReader = absl::FunctionRef<absl::StatusOr<std::vector<TextBlock>>(
    const std::optional<BlockCursor>& after, int limit)>;
// The query's page among the rows inside `within` (BuildQuerySql).
using RowReader = absl::FunctionRef<absl::StatusOr<std::vector<LogRecord>>(
    absl::Span<const TextBlock> within)>;

absl::StatusOr<std::vector<LogRecord>> QueryThroughTextBlocks(
    const LogQuery& query, BlockReader read_blocks, RowReader read_rows,
    const TextSearchLimits& limits = TextSearchLimits());

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_TEXT_BLOCK_SEARCH_H_
