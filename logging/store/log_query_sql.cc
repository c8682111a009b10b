#include "logging/store/log_query_sql.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "storage/time_codec.h"

namespace meshid::logging {
namespace {

// The level of log_entries_warnings's predicate (sql/logging/*/0001).
constexpr int kWarningsIndexLevel = 3;

// Collects conditions and their parameters, numbering placeholders.
class ConditionBuilder {
 public:
  explicit ConditionBuilder(storage::SqlDialect dialect) : dialect_(dialect) {}

  // The placeholder for a new parameter holding `value`.
  std::string Param(SqlParam value) {
    params_.push_back(std::move(value));
    return absl::StrCat(dialect_ == storage::SqlDialect::kPostgres ? "$" : "?",
                        params_.size());
  }
  void Add(std::string condition) {
    conditions_.push_back(std::move(condition));
  }

  std::vector<std::string>& conditions() { return conditions_; }
  std::vector<SqlParam>& params() { return params_; }
  bool postgres() const { return dialect_ == storage::SqlDialect::kPostgres; }

 private:
  const storage::SqlDialect dialect_;
  std::vector<std::string> conditions_;
  std::vector<SqlParam> params_;
};

}  // namespace

std::string LikePrefixPattern(absl::string_view prefix) {
  std::string pattern;
  pattern.reserve(prefix.size() + 8);
  for (const char c : prefix) {
    if (c == '\\' || c == '%' || c == '_') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

std::string GlobPrefixPattern(absl::string_view prefix) {
  std::string pattern;
  pattern.reserve(prefix.size() + 8);
  for (const char c : prefix) {
    // Inside brackets a metacharacter stands for itself; ']' outside
    // brackets already does.
    if (c == '*' || c == '?' || c == '[') {
      absl::StrAppend(&pattern, "[", absl::string_view(&c, 1), "]");
    } else {
      pattern.push_back(c);
    }
  }
  pattern.push_back('*');
  return pattern;
}

absl::StatusOr<SqlStatement> BuildQuerySql(const LogQuery& query,
                                           storage::SqlDialect dialect,
                                           absl::Span<const TextBlock> within) {
  if (query.limit <= 0) {
    return absl::InvalidArgumentError("a query limit must be > 0");
  }
  const LogFilter& f = query.filter;
  ConditionBuilder b(dialect);
  if (f.start_time.has_value()) {
    ASSIGN_OR_RETURN(int64_t start,
                     storage::TimeToMicros(*f.start_time, "start_time"));
    b.Add(absl::StrCat("time_us >= ", b.Param(SqlParam::Int(start))));
  }
  if (f.end_time.has_value()) {
    ASSIGN_OR_RETURN(int64_t end,
                     storage::TimeToMicros(*f.end_time, "end_time"));
    b.Add(absl::StrCat("time_us < ", b.Param(SqlParam::Int(end))));
  }
  if (!f.service.empty()) {
    b.Add(absl::StrCat("service = ", b.Param(SqlParam::Text(f.service))));
  }
  if (!f.subject.empty()) {
    b.Add(absl::StrCat("subject = ", b.Param(SqlParam::Text(f.subject))));
  }
  // Level and kind are written as numbers, not parameters: they are our own
  // enum values (checked by CheckQueryFilter), and the partial indexes on
  // rare levels and kinds are only usable when the planner sees the value.
  // SQLite matches a partial index's predicate term by term, so a level
  // above WARNING also states "level >= 3" in the index's own words.
  if (f.min_level != EntryLevel::kUnspecified) {
    const int level = static_cast<int>(f.min_level);
    b.Add(absl::StrCat("level >= ", level));
    if (level > kWarningsIndexLevel) {
      b.Add(absl::StrCat("level >= ", kWarningsIndexLevel));
    }
  }
  if (f.kind != EntryKind::kUnspecified) {
    b.Add(absl::StrCat("kind = ", static_cast<int>(f.kind)));
  }
  if (!f.method_prefix.empty()) {
    if (b.postgres()) {
      b.Add(absl::StrCat(
          "method LIKE ",
          b.Param(SqlParam::Text(LikePrefixPattern(f.method_prefix)))));
    } else {
      // SQLite has no statistics to tell how much a prefix matches, and for
      // a prefix it would read every match from the method index and sort
      // them. A prefix usually names a service or a method that is a good
      // part of the traffic, so "likely true" steers it to walk the time
      // order and stop after a page (a rare prefix then costs a longer walk).
      b.Add(absl::StrCat(
          "likelihood(method GLOB ",
          b.Param(SqlParam::Text(GlobPrefixPattern(f.method_prefix))),
          ", 0.9)"));
    }
  }
  if (!f.text_contains.empty()) {
    b.Add(absl::StrCat(b.postgres() ? "strpos(message, " : "instr(message, ",
                       b.Param(SqlParam::Text(f.text_contains)), ") > 0"));
  }
  if (query.after.has_value()) {
    const std::string time = b.Param(SqlParam::Int(query.after->time_micros));
    const std::string id = b.Param(SqlParam::Int(query.after->id));
    b.Add(absl::StrCat("(time_us, id) < (", time, ", ", id, ")"));
  }
  if (!within.empty()) {
    std::vector<std::string> ranges;
    ranges.reserve(within.size());
    for (const TextBlock& block : within) {
      // Numbers we read from our own table: literals let each range be an
      // index range the planner can see, like the level above.
      ranges.push_back(absl::StrCat("(time_us >= ", block.min_time_us,
                                    " AND time_us <= ", block.max_time_us,
                                    " AND id >= ", block.first_id,
                                    " AND id <= ", block.last_id, ")"));
    }
    b.Add(absl::StrCat("(", absl::StrJoin(ranges, " OR "), ")"));
  }
  SqlStatement statement;
  statement.sql = absl::StrCat("SELECT ", kLogColumns, " FROM log_entries");
  if (!within.empty() && !b.postgres()) {
    // Left to itself SQLite prefers walking the time index for the ORDER
    // BY over a few dozen ORed ranges, and that walk is the whole table for
    // a rare needle. The ranges are rowid ranges, which NOT INDEXED still
    // allows: read them (a few thousand rows at most) and sort.
    absl::StrAppend(&statement.sql, " NOT INDEXED");
  }
  if (!b.conditions().empty()) {
    absl::StrAppend(&statement.sql, " WHERE ",
                    absl::StrJoin(b.conditions(), " AND "));
  }
  const std::string limit = b.Param(SqlParam::Int(query.limit));
  absl::StrAppend(&statement.sql, " ORDER BY time_us DESC, id DESC LIMIT ",
                  limit);
  statement.params = std::move(b.params());
  return statement;
}

}  // namespace meshid::logging
