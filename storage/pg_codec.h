// Small conversions between record fields and libpqxx parameters/fields,
// shared by the PostgreSQL repositories.
#ifndef MESHID_STORAGE_PG_CODEC_H_
#define MESHID_STORAGE_PG_CODEC_H_

#include <cstdint>
#include <optional>
#include <pqxx/binarystring>
#include <pqxx/field>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/status_macros.h"
#include "storage/time_codec.h"

namespace meshid::storage {

// A time as a timestamptz text parameter (see MicrosToPgTimestamp).
inline absl::StatusOr<std::string> PgTime(absl::Time t,
                                          absl::string_view what) {
  ASSIGN_OR_RETURN(int64_t micros, TimeToMicros(t, what));
  return MicrosToPgTimestamp(micros);
}

inline absl::StatusOr<std::optional<std::string>> PgOptionalTime(
    const std::optional<absl::Time>& t, absl::string_view what) {
  if (!t.has_value()) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string text, PgTime(*t, what));
  return std::optional<std::string>(std::move(text));
}

// libpqxx 6 sends a null const char* as SQL NULL.
inline const char* PgNullable(const std::optional<std::string>& value) {
  return value.has_value() ? value->c_str() : nullptr;
}

inline std::string PgText(const pqxx::field& f) {
  return std::string(f.c_str(), f.size());
}

inline std::string PgBytes(const pqxx::field& f) {
  return pqxx::binarystring(f).str();
}

// A column read through PgMicrosColumn.
inline absl::Time PgTimeField(const pqxx::field& f) {
  return MicrosToTime(f.as<int64_t>());
}

inline std::optional<absl::Time> PgOptionalTimeField(const pqxx::field& f) {
  if (f.is_null()) return std::nullopt;
  return PgTimeField(f);
}

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_PG_CODEC_H_
