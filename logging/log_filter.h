// LogFilter: the conditions of a Query or a Tail, in plain C++; unset fields
// match everything, set fields combine with AND (log.proto LogFilter).
//
//   LogFilter f;
//   f.service = "careergpt-backend";
//   f.min_level = EntryLevel::kWarning;
//   RETURN_IF_ERROR(CheckQueryFilter(f));
//   if (Matches(f, record)) ...
//
// Matches() is the one definition of "matches"; the stores translate the
// same conditions to SQL, and the conformance tests hold them to it.
#ifndef MESHID_LOGGING_LOG_FILTER_H_
#define MESHID_LOGGING_LOG_FILTER_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "logging/log_record.h"

namespace meshid::logging {

// Longest service, subject, method prefix or text a filter may name.
inline constexpr size_t kMaxFilterFieldBytes = 256;

struct LogFilter {
  // Whole microseconds, the precision entries keep (see
  // RoundUpToMicrosecond): then "time >= start_time" in SQL on stored
  // microseconds and in Matches() pick the same entries.
  std::optional<absl::Time> start_time;             // time >= start_time
  std::optional<absl::Time> end_time;               // time < end_time
  std::string service;                              // exact
  std::string subject;                              // exact
  EntryLevel min_level = EntryLevel::kUnspecified;  // this level and above
  std::string method_prefix;
  std::string text_contains;  // case-sensitive substring of message
  EntryKind kind = EntryKind::kUnspecified;  // exact

  bool operator==(const LogFilter& other) const;
};

// The first whole microsecond at or after `t`: entries are kept to the
// microsecond, so an entry is at or after `t` exactly when it is at or after
// this (and before `t` exactly when before this).
absl::Time RoundUpToMicrosecond(absl::Time t);

// For Query: INVALID_ARGUMENT for start_time after end_time, a time outside
// the years 1..9999, an unknown level or kind, or a field longer than
// kMaxFilterFieldBytes or not UTF-8 without NUL bytes.
absl::Status CheckQueryFilter(const LogFilter& filter);

// For Tail: the same, and the time range must be unset (a tail follows new
// entries; the past is Query's).
absl::Status CheckTailFilter(const LogFilter& filter);

// True when `record` satisfies every set condition of `filter`.
bool Matches(const LogFilter& filter, const LogRecord& record);

// A byte string equal for equal filters and different for different ones,
// for binding page tokens to the filter they were made for.
std::string CanonicalFilterBytes(const LogFilter& filter);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_FILTER_H_
