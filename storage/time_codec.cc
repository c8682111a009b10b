#include "storage/time_codec.h"

#include <cinttypes>
#include <cstdio>

#include "absl/strings/str_cat.h"

namespace meshid::storage {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999999Z.
constexpr int64_t kMinMicros = -62135596800LL * 1000000;
constexpr int64_t kMaxMicros = 253402300799LL * 1000000 + 999999;

}  // namespace

absl::StatusOr<int64_t> TimeToMicros(absl::Time t, absl::string_view what) {
  if (t == absl::InfinitePast() || t == absl::InfiniteFuture()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be set (a finite time)"));
  }
  const int64_t micros = absl::ToUnixMicros(t);
  if (micros < kMinMicros || micros > kMaxMicros) {
    return absl::InvalidArgumentError(absl::StrCat(
        what, " is outside the years 1..9999: ", absl::FormatTime(t)));
  }
  return micros;
}

absl::Time MicrosToTime(int64_t micros) { return absl::FromUnixMicros(micros); }

absl::StatusOr<std::optional<int64_t>> OptionalTimeToMicros(
    const std::optional<absl::Time>& t, absl::string_view what) {
  if (!t.has_value()) return std::optional<int64_t>();
  absl::StatusOr<int64_t> micros = TimeToMicros(*t, what);
  if (!micros.ok()) return micros.status();
  return std::optional<int64_t>(*micros);
}

std::optional<absl::Time> OptionalMicrosToTime(
    const std::optional<int64_t>& micros) {
  if (!micros.has_value()) return std::nullopt;
  return MicrosToTime(*micros);
}

std::string MicrosToPgTimestamp(int64_t micros) {
  const absl::Time t = absl::FromUnixMicros(micros);
  const absl::TimeZone::CivilInfo ci = absl::UTCTimeZone().At(t);
  const int64_t sub_micros = absl::ToInt64Microseconds(ci.subsecond);
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer),
                "%04" PRId64 "-%02d-%02d %02d:%02d:%02d.%06" PRId64 "+00",
                static_cast<int64_t>(ci.cs.year()), ci.cs.month(), ci.cs.day(),
                ci.cs.hour(), ci.cs.minute(), ci.cs.second(), sub_micros);
  return buffer;
}

std::string PgMicrosColumn(absl::string_view column) {
  return absl::StrCat("(EXTRACT(EPOCH FROM ", column, ") * 1000000)::int8");
}

}  // namespace meshid::storage
