// LogRecord: one log entry as the Log server keeps it, in plain C++ (the
// proto LogEntry is converted at the gRPC edge, log_proto_convert.h).
//
//   LogRecord r;
//   r.time = clock->Now();
//   r.service = "careergpt-backend";
//   r.level = EntryLevel::kInfo;
//   r.kind = EntryKind::kApp;
//   r.message = "started";
//   r.attributes = {{"region", "eu"}};
#ifndef MESHID_LOGGING_LOG_RECORD_H_
#define MESHID_LOGGING_LOG_RECORD_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace meshid::logging {

// Severity; the numbers are log.proto's LogLevel, and the order matters: a
// filter's level matches that level and the ones above.
enum class EntryLevel : int {
  kUnspecified = 0,
  kDebug = 1,
  kInfo = 2,
  kWarning = 3,
  kError = 4,
};
inline constexpr int kMaxEntryLevel = 4;

// What an entry records; the numbers are log.proto's LogKind.
enum class EntryKind : int {
  kUnspecified = 0,
  kAccess = 1,
  kAudit = 2,
  kApp = 3,
};
inline constexpr int kMaxEntryKind = 3;

// "debug", "info", "warning", "error" ("unspecified" for 0).
absl::string_view EntryLevelName(EntryLevel level);
// "access", "audit", "app" ("unspecified" for 0).
absl::string_view EntryKindName(EntryKind kind);

using Attribute = std::pair<std::string, std::string>;

struct LogRecord {
  // Assigned by the store when the entry is committed; 0 before.
  int64_t id = 0;
  // When the event happened (the producer's clock), to the microsecond.
  absl::Time time = absl::UnixEpoch();
  std::string service;  // the verified `sub` of the producer
  EntryLevel level = EntryLevel::kUnspecified;
  EntryKind kind = EntryKind::kUnspecified;
  std::string subject;
  std::string client_id;
  std::string method;
  int32_t status_code = 0;
  absl::Duration latency = absl::ZeroDuration();
  std::string peer;
  std::string message;
  // Sorted by key, keys unique (the proto map has no order; a fixed one
  // makes stored rows and comparisons stable).
  std::vector<Attribute> attributes;

  bool operator==(const LogRecord& other) const;
  bool operator!=(const LogRecord& other) const { return !(*this == other); }
};

// Sorts `attributes` by key (keys must already be unique).
void SortAttributes(std::vector<Attribute>& attributes);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_RECORD_H_
