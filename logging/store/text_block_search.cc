#include "logging/store/text_block_search.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "logging/store/trigram_bloom.h"
#include "storage/time_codec.h"

namespace meshid::logging {
namespace {

// Newest first by (time, id): the order of every page.
bool Newer(const LogRecord& a, const LogRecord& b) {
  const int64_t ta = absl::ToUnixMicros(a.time);
  const int64_t tb = absl::ToUnixMicros(b.time);
  if (ta != tb) return ta > tb;
  return a.id > b.id;
}

// The page being assembled from the row statements' answers.
class PageMerger {
 public:
  explicit PageMerger(int limit) : limit_(static_cast<size_t>(limit)) {}

  void Add(std::vector<LogRecord> rows) {
    for (LogRecord& row : rows) {
      // Ranges may overlap (text_blocks.h): one entry, one place.
      if (seen_.insert(row.id).second) page_.push_back(std::move(row));
    }
    std::sort(page_.begin(), page_.end(), Newer);
    if (page_.size() > limit_) page_.resize(limit_);
  }

  // True when no entry of a block whose latest time is at most
  // `unread_max_time_us` could enter the page.
  bool FinalBefore(int64_t unread_max_time_us) const {
    return page_.size() == limit_ &&
           absl::ToUnixMicros(page_.back().time) > unread_max_time_us;
  }

  size_t size() const { return page_.size(); }
  std::vector<LogRecord> Take() { return std::move(page_); }

 private:
  const size_t limit_;
  std::vector<LogRecord> page_;
  absl::flat_hash_set<int64_t> seen_;
};

}  // namespace

bool UsesTextBlocks(const LogQuery& query) {
  return query.filter.text_contains.size() >= kTrigramBytes;
}

absl::StatusOr<SqlStatement> BuildBlockSummarySql(
    const LogQuery& query, const std::optional<BlockCursor>& after, int limit) {
  const LogFilter& f = query.filter;
  std::vector<std::string> conditions;
  // Values are our own integers, written as literals.
  if (f.start_time.has_value()) {
    ASSIGN_OR_RETURN(int64_t start,
                     storage::TimeToMicros(*f.start_time, "start_time"));
    conditions.push_back(absl::StrCat("max_time_us >= ", start));
  }
  if (f.end_time.has_value()) {
    ASSIGN_OR_RETURN(int64_t end,
                     storage::TimeToMicros(*f.end_time, "end_time"));
    conditions.push_back(absl::StrCat("min_time_us < ", end));
  }
  if (query.after.has_value()) {
    conditions.push_back(
        absl::StrCat("min_time_us <= ", query.after->time_micros));
  }
  if (after.has_value()) {
    conditions.push_back(absl::StrCat("(max_time_us, first_id) < (",
                                      after->max_time_us, ", ", after->first_id,
                                      ")"));
  }
  SqlStatement statement;
  statement.sql =
      absl::StrCat("SELECT ", kTextBlockColumns, " FROM log_text_blocks");
  if (!conditions.empty()) {
    absl::StrAppend(&statement.sql, " WHERE ",
                    absl::StrJoin(conditions, " AND "));
  }
  absl::StrAppend(&statement.sql,
                  " ORDER BY max_time_us DESC, first_id DESC LIMIT ", limit);
  return statement;
}

absl::StatusOr<std::vector<LogRecord>> QueryThroughTextBlocks(
    const LogQuery& query, BlockReader read_blocks, RowReader read_rows,
    const TextSearchLimits& limits) {
  if (query.limit <= 0 || limits.blocks_per_read <= 0 ||
      limits.ranges_per_fetch <= 0 ||
      limits.max_blocks_per_read < limits.blocks_per_read ||
      limits.max_ranges_per_fetch < limits.ranges_per_fetch) {
    return absl::InvalidArgumentError("query and search limits must be > 0");
  }
  const TrigramProbe probe(query.filter.text_contains);
  PageMerger page(query.limit);
  std::vector<TextBlock> candidates;
  size_t fetch_size = limits.ranges_per_fetch;
  int64_t ranges_fetched = 0;
  auto fetch = [&]() -> absl::Status {
    if (candidates.empty()) return absl::OkStatus();
    ASSIGN_OR_RETURN(std::vector<LogRecord> rows, read_rows(candidates));
    page.Add(std::move(rows));
    ranges_fetched += static_cast<int64_t>(candidates.size());
    candidates.clear();
    // Enough ranges for the rest of the page at the rate seen so far, with
    // a quarter to spare; double when nothing matched yet.
    const double found = static_cast<double>(page.size());
    const double missing = static_cast<double>(query.limit) - found;
    double next = found > 0 ? 1.25 * missing * ranges_fetched / found
                            : 2.0 * static_cast<double>(fetch_size);
    next = std::max(next, static_cast<double>(limits.ranges_per_fetch));
    next = std::min(next, static_cast<double>(limits.max_ranges_per_fetch));
    fetch_size = static_cast<size_t>(next);
    return absl::OkStatus();
  };
  int read_size = limits.blocks_per_read;
  std::optional<BlockCursor> cursor;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<TextBlock> blocks,
                     read_blocks(cursor, read_size));
    for (TextBlock& block : blocks) {
      // Blocks come newest first: this block and every one after it are at
      // most this new (and fetched candidates leave nothing pending).
      if (candidates.empty() && page.FinalBefore(block.max_time_us)) {
        return page.Take();
      }
      cursor = BlockCursor{block.max_time_us, block.first_id};
      if (block.filter.has_value() && !probe.MayMatch(*block.filter)) {
        continue;
      }
      block.filter.reset();  // not needed past this point
      candidates.push_back(std::move(block));
      if (candidates.size() >= fetch_size) {
        RETURN_IF_ERROR(fetch());
      }
    }
    if (blocks.size() < static_cast<size_t>(read_size)) break;
    read_size = std::min(2 * read_size, limits.max_blocks_per_read);
  }
  RETURN_IF_ERROR(fetch());
  return page.Take();
}

}  // namespace meshid::logging
