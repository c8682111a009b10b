// JSON-lines logging to stderr: one JSON object per line, one write(2) per
// line, safe to call from any thread.
//
// A line carries the time (RFC 3339, UTC, milliseconds), the level, the
// service name set once at startup, an event name, and the fields the caller
// names explicitly. There is no printf-style message on purpose: every value
// is a named field a log pipeline can filter on, and a secret cannot slip in
// through a format string.
//
//   SetLogServiceName("meshid-identity");  // once, first thing in main
//   Log(LogLevel::kInfo, "key.rotated", {{"kid", kid}, {"slot", slot}});
//   // {"time":"2024-05-01T12:00:00.123Z","level":"info",
//   //  "service":"meshid-identity","event":"key.rotated","kid":"...",...}
//
// Values are escaped (json::AppendQuoted); invalid UTF-8 becomes U+FFFD and
// strings longer than kMaxLogValueBytes are cut, so a line is always valid
// JSON for the strict json::JsonDocument. As defence in depth, the value of a
// field whose name contains "secret", "password" or "authorization" is
// written as "[redacted]"; callers must still never pass secrets.
#ifndef MESHID_COMMON_SERVER_JSON_LOG_H_
#define MESHID_COMMON_SERVER_JSON_LOG_H_

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <type_traits>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"  // common/clock.h uses absl::Now
#include "absl/time/time.h"
#include "absl/types/variant.h"
#include "common/clock.h"

namespace meshid::server {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning", "error".
absl::string_view LogLevelName(LogLevel level);

// Longest string value written as is; longer ones are cut at a UTF-8
// boundary and end in "...".
inline constexpr size_t kMaxLogValueBytes = 2048;

// One named value of a log line: a string, an integer or a bool. The views
// must stay valid for the duration of the Log call, which the usual
// `{{"kid", kid}}` brace initialisation guarantees.
class LogField {
 public:
  LogField(absl::string_view key, absl::string_view value)
      : key_(key), value_(value) {}
  LogField(absl::string_view key, const char* value)
      : key_(key), value_(absl::string_view(value == nullptr ? "" : value)) {}
  LogField(absl::string_view key, bool value) : key_(key), value_(value) {}
  template <typename Int, std::enable_if_t<std::is_integral_v<Int> &&
                                               !std::is_same_v<Int, bool> &&
                                               !std::is_same_v<Int, char>,
                                           int> = 0>
  LogField(absl::string_view key, Int value) : key_(key) {
    if constexpr (std::is_signed_v<Int>) {
      value_ = static_cast<int64_t>(value);
    } else {
      value_ = static_cast<uint64_t>(value);
    }
  }

  absl::string_view key() const { return key_; }
  const absl::variant<absl::string_view, int64_t, uint64_t, bool>& value()
      const {
    return value_;
  }

 private:
  absl::string_view key_;
  absl::variant<absl::string_view, int64_t, uint64_t, bool> value_;
};

// Writes one line when `level` is at or above the threshold. Field names
// "time", "level", "service" and "event" are reserved; a field using one (or
// repeating an earlier field's name) is written with a leading '_' so the
// line never has duplicate members. Thread-safe.
void Log(LogLevel level, absl::string_view event,
         std::initializer_list<LogField> fields = {});

// Builds the line Log would write at `now`, without the trailing newline.
// Exposed for tests and for code that ships the same line elsewhere.
std::string FormatLogLine(absl::Time now, LogLevel level,
                          absl::string_view event,
                          std::initializer_list<LogField> fields);

// Sets the `service` value of every later line. Call once at startup, before
// other threads log; later calls are allowed but racy lines may carry either
// name. The default is "meshid".
void SetLogServiceName(absl::string_view service);

// Lines below `level` are dropped. The default is kInfo. Thread-safe.
void SetMinLogLevel(LogLevel level);
LogLevel MinLogLevel();

// Parses "debug", "info", "warning" or "error" (for a --log_level flag).
bool ParseLogLevel(absl::string_view text, LogLevel* level);

// Test hooks. With a sink set, each line (without its newline) goes to the
// sink instead of stderr; an empty function restores stderr. The sink is
// called under the logger's lock, so it must not log. `clock` (not owned,
// nullptr restores the system clock) supplies the time of every line.
void SetLogSinkForTesting(std::function<void(absl::string_view line)> sink);
void SetLogClockForTesting(const Clock* clock);

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_JSON_LOG_H_
