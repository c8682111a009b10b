// The limits of log.proto, enforced on plain LogRecords: what one entry may
// hold, and how many entries one Append may carry.
//
//   RETURN_IF_ERROR(CheckAppendSize(request.entries_size()));  // all or none
//   for (const LogRecord& r : records) {
//     if (!CheckEntry(r).ok()) ++rejected;  // dropped, counted
//   }
//
// Besides the documented limits, an entry must be storable as it is (UTF-8
// without NUL bytes, a time in the years 1..9999) and make sense (a status
// code 0..16, a latency of 0 to a year): PostgreSQL would refuse the first
// kind, and the second could only be a producer bug.
#ifndef MESHID_LOGGING_ENTRY_LIMITS_H_
#define MESHID_LOGGING_ENTRY_LIMITS_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "logging/log_record.h"

namespace meshid::logging {

inline constexpr size_t kMaxMessageBytes = 8 * 1024;
inline constexpr size_t kMaxAttributes = 32;
inline constexpr size_t kMaxAttributeKeyBytes = 64;
inline constexpr size_t kMaxAttributeValueBytes = 1024;
// service, subject, client_id, method, peer.
inline constexpr size_t kMaxFieldBytes = 256;
inline constexpr int32_t kMaxStatusCode = 16;
inline constexpr absl::Duration kMaxLatency = absl::Hours(24 * 365);
inline constexpr size_t kMaxEntriesPerAppend = 1000;

// OK, or INVALID_ARGUMENT naming the first violated limit (never quoting
// the offending value: it may be anything a producer sent).
absl::Status CheckEntry(const LogRecord& record);

// OK for 1 to kMaxEntriesPerAppend entries; INVALID_ARGUMENT otherwise.
absl::Status CheckAppendSize(size_t entries);

// OK when `text` is at most `max_bytes` of UTF-8 without NUL bytes;
// INVALID_ARGUMENT naming `what` otherwise. Shared with the filter checks.
absl::Status CheckBoundedText(absl::string_view text, size_t max_bytes,
                              absl::string_view what);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_ENTRY_LIMITS_H_
