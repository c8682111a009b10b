#include "common/server/json_log.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/json/json_writer.h"

namespace meshid::server {
namespace {

constexpr absl::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD
constexpr absl::string_view kTruncationMark = "...";
constexpr absl::string_view kRedacted = "[redacted]";

struct LoggerState {
  absl::Mutex mu;
  std::string service ABSL_GUARDED_BY(mu) = "meshid";
  const Clock* clock ABSL_GUARDED_BY(mu) = nullptr;
  std::function<void(absl::string_view)> sink ABSL_GUARDED_BY(mu);
};

LoggerState& State() {
  static LoggerState* const state = new LoggerState();
  return *state;
}

std::atomic<int> g_min_level{static_cast<int>(LogLevel::kInfo)};

// Length of the well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF) at the start of `s`, or 0.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  if (b0 < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() < len) return 0;
  const auto b1 = static_cast<unsigned char>(s[1]);
  if (b1 < lo || b1 > hi) return 0;
  for (size_t i = 2; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

// `value` as well-formed UTF-8 of at most kMaxLogValueBytes (plus the mark).
std::string SanitizeValue(absl::string_view value) {
  std::string out;
  out.reserve(std::min(value.size(), kMaxLogValueBytes));
  while (!value.empty()) {
    const size_t len = Utf8SequenceLength(value);
    const absl::string_view piece =
        len == 0 ? kReplacementChar : value.substr(0, len);
    if (out.size() + piece.size() > kMaxLogValueBytes) {
      out.append(kTruncationMark.data(), kTruncationMark.size());
      break;
    }
    out.append(piece.data(), piece.size());
    value.remove_prefix(len == 0 ? 1 : len);
  }
  return out;
}

bool NamesASecret(absl::string_view key) {
  const std::string lower = absl::AsciiStrToLower(key);
  return absl::StrContains(lower, "secret") ||
         absl::StrContains(lower, "password") ||
         absl::StrContains(lower, "authorization");
}

std::string UniqueKey(absl::string_view key,
                      const std::vector<std::string>& used) {
  std::string name = SanitizeValue(key);
  auto taken = [&used](const std::string& n) {
    for (const std::string& u : used) {
      if (u == n) return true;
    }
    return false;
  };
  while (taken(name)) name.insert(0, "_");
  return name;
}

void AppendField(const LogField& field, const std::string& key,
                 std::string* out) {
  out->push_back(',');
  json::AppendQuoted(key, out);
  out->push_back(':');
  const auto& value = field.value();
  if (const auto* s = absl::get_if<absl::string_view>(&value)) {
    if (NamesASecret(field.key())) {
      json::AppendQuoted(kRedacted, out);
    } else {
      json::AppendQuoted(SanitizeValue(*s), out);
    }
  } else if (const auto* i = absl::get_if<int64_t>(&value)) {
    absl::StrAppend(out, *i);
  } else if (const auto* u = absl::get_if<uint64_t>(&value)) {
    absl::StrAppend(out, *u);
  } else {
    out->append(absl::get<bool>(value) ? "true" : "false");
  }
}

std::string FormatLine(absl::Time now, absl::string_view service,
                       LogLevel level, absl::string_view event,
                       std::initializer_list<LogField> fields) {
  std::string line;
  line.reserve(128);
  line.append("{\"time\":");
  json::AppendQuoted(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone()),
      &line);
  line.append(",\"level\":");
  json::AppendQuoted(LogLevelName(level), &line);
  line.append(",\"service\":");
  json::AppendQuoted(SanitizeValue(service), &line);
  line.append(",\"event\":");
  json::AppendQuoted(SanitizeValue(event), &line);
  std::vector<std::string> used = {"time", "level", "service", "event"};
  used.reserve(used.size() + fields.size());
  for (const LogField& field : fields) {
    used.push_back(UniqueKey(field.key(), used));
    AppendField(field, used.back(), &line);
  }
  line.push_back('}');
  return line;
}

void WriteToStderr(absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // Nowhere left to report a logging failure.
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

}  // namespace

absl::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarning:
      return "warning";
    case LogLevel::kError:
      return "error";
  }
  return "error";
}

bool ParseLogLevel(absl::string_view text, LogLevel* level) {
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                     LogLevel::kError}) {
    if (text == LogLevelName(l)) {
      *level = l;
      return true;
    }
  }
  return false;
}

void Log(LogLevel level, absl::string_view event,
         std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) {
    return;
  }
  LoggerState& state = State();
  std::string service;
  absl::Time now;
  {
    absl::ReaderMutexLock lock(&state.mu);
    service = state.service;
    now = state.clock != nullptr ? state.clock->Now() : absl::Now();
  }
  std::string line = FormatLine(now, service, level, event, fields);
  absl::MutexLock lock(&state.mu);
  if (state.sink) {
    state.sink(line);
    return;
  }
  line.push_back('\n');
  WriteToStderr(line);
}

std::string FormatLogLine(absl::Time now, LogLevel level,
                          absl::string_view event,
                          std::initializer_list<LogField> fields) {
  LoggerState& state = State();
  std::string service;
  {
    absl::ReaderMutexLock lock(&state.mu);
    service = state.service;
  }
  return FormatLine(now, service, level, event, fields);
}

void SetLogServiceName(absl::string_view service) {
  LoggerState& state = State();
  absl::MutexLock lock(&state.mu);
  state.service = std::string(service);
}

void SetMinLogLevel(LogLevel level) {
  g_min_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel MinLogLevel() {
  return static_cast<LogLevel>(g_min_level.load(std::memory_order_relaxed));
}

void SetLogSinkForTesting(std::function<void(absl::string_view line)> sink) {
  LoggerState& state = State();
  absl::MutexLock lock(&state.mu);
  state.sink = std::move(sink);
}

void SetLogClockForTesting(const Clock* clock) {
  LoggerState& state = State();
  absl::MutexLock lock(&state.mu);
  state.clock = clock;
}

}  // namespace meshid::server
