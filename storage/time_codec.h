// How times cross the store boundary: whole microseconds since the Unix epoch,
// the precision both dialects keep (SQLite INTEGER, PostgreSQL timestamptz).
#ifndef MESHID_STORAGE_TIME_CODEC_H_
#define MESHID_STORAGE_TIME_CODEC_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace meshid::storage {

// Microseconds since the epoch, rounded down: sub-microsecond parts are
// dropped, so callers that need exact round trips store truncated times.
// INVALID_ARGUMENT for an infinite time or one outside the years 1..9999
// (what both dialects and the text form below can represent); `what` names
// the field in the message.
absl::StatusOr<int64_t> TimeToMicros(absl::Time t, absl::string_view what);

absl::Time MicrosToTime(int64_t micros);

// The same for nullable columns: nullopt is NULL.
absl::StatusOr<std::optional<int64_t>> OptionalTimeToMicros(
    const std::optional<absl::Time>& t, absl::string_view what);
std::optional<absl::Time> OptionalMicrosToTime(
    const std::optional<int64_t>& micros);

// "YYYY-MM-DD HH:MM:SS.ffffff+00", which PostgreSQL parses into exactly this
// instant. Sent as text because every numeric route (to_timestamp, interval
// arithmetic) goes through a double and may round. Requires a value
// TimeToMicros accepted.
std::string MicrosToPgTimestamp(int64_t micros);

// The SQL expression reading timestamptz `column` back as int8 microseconds.
// EXTRACT returns numeric since PostgreSQL 14, so this is exact; NULL stays
// NULL.
std::string PgMicrosColumn(absl::string_view column);

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_TIME_CODEC_H_
