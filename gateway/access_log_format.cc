#include "gateway/access_log_format.h"

#include "absl/strings/str_cat.h"
#include "common/json/json_writer.h"
#include "common/server/json_log.h"
#include "gateway/status_code_names.h"

namespace meshid::gateway {
namespace {

namespace logv1 = ::meshid::logging::v1;
using server::LogLevel;

constexpr size_t kMaxEntryStringBytes = 256;
constexpr size_t kMaxEntryMessageBytes = 8 * 1024;

LogLevel LevelOf(const AccessRecord& record) {
  // A call the gateway refused is worth a look; an upstream's own error
  // code is the upstream's business.
  if (record.kind == RecordKind::kAudit || !record.reason.empty()) {
    return LogLevel::kWarning;
  }
  return LogLevel::kInfo;
}

// Length of the valid UTF-8 sequence at the start of `s`, 0 if invalid.
size_t Utf8SequenceLength(absl::string_view s) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return 1;
  size_t n;
  unsigned char min_second = 0x80, max_second = 0xbf;
  if (lead >= 0xc2 && lead <= 0xdf) {
    n = 2;
  } else if (lead >= 0xe0 && lead <= 0xef) {
    n = 3;
    if (lead == 0xe0) min_second = 0xa0;  // no overlong forms
    if (lead == 0xed) max_second = 0x9f;  // no surrogates
  } else if (lead >= 0xf0 && lead <= 0xf4) {
    n = 4;
    if (lead == 0xf0) min_second = 0x90;
    if (lead == 0xf4) max_second = 0x8f;  // at most U+10FFFF
  } else {
    return 0;
  }
  if (s.size() < n) return 0;
  if (byte(1) < min_second || byte(1) > max_second) return 0;
  for (size_t i = 2; i < n; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return n;
}

}  // namespace

std::string BoundedUtf8(absl::string_view text, size_t max_bytes) {
  std::string out;
  out.reserve(std::min(text.size(), max_bytes));
  while (!text.empty()) {
    size_t n = Utf8SequenceLength(text);
    absl::string_view piece = n == 0 ? "?" : text.substr(0, n);
    if (n == 0) n = 1;
    if (out.size() + piece.size() > max_bytes) break;
    out.append(piece.data(), piece.size());
    text.remove_prefix(n);
  }
  return out;
}

namespace {

// Appends `value` as a JSON string the way json_log does: valid UTF-8 of at
// most kMaxLogValueBytes, escaped. Plain printable ASCII, the usual case,
// is copied in one go.
void AppendJsonString(absl::string_view value, std::string* out) {
  bool plain = value.size() <= server::kMaxLogValueBytes;
  for (size_t i = 0; plain && i < value.size(); ++i) {
    const char c = value[i];
    plain = c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  }
  if (plain) {
    out->push_back('"');
    out->append(value.data(), value.size());
    out->push_back('"');
    return;
  }
  json::AppendQuoted(BoundedUtf8(value, server::kMaxLogValueBytes), out);
}

void AppendMember(absl::string_view key, absl::string_view value,
                  std::string* out) {
  out->append(",\"");
  out->append(key.data(), key.size());
  out->append("\":");
  AppendJsonString(value, out);
}

void AppendMember(absl::string_view key, int64_t value, std::string* out) {
  out->append(",\"");
  out->append(key.data(), key.size());
  out->append("\":");
  absl::StrAppend(out, value);
}

}  // namespace

void AccessLineFormatter::AppendTime(absl::Time time, std::string* out) {
  const int64_t ms = absl::ToUnixMillis(time);
  const int64_t second = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
  if (second != cached_second_) {
    cached_second_ = second;
    cached_prefix_ =
        absl::FormatTime("%Y-%m-%dT%H:%M:%S", absl::FromUnixSeconds(second),
                         absl::UTCTimeZone());
  }
  const int millis = static_cast<int>(ms - second * 1000);
  out->append(cached_prefix_);
  out->push_back('.');
  out->push_back(static_cast<char>('0' + millis / 100));
  out->push_back(static_cast<char>('0' + millis / 10 % 10));
  out->push_back(static_cast<char>('0' + millis % 10));
  out->push_back('Z');
}

void AccessLineFormatter::Append(const AccessRecord& record, std::string* out) {
  if (record.kind != RecordKind::kAccess) return;
  const LogLevel level = LevelOf(record);
  if (static_cast<int>(level) < static_cast<int>(server::MinLogLevel())) {
    return;
  }
  out->append("{\"time\":\"");
  AppendTime(record.time, out);
  out->append("\",\"level\":\"");
  const absl::string_view level_name = server::LogLevelName(level);
  out->append(level_name.data(), level_name.size());
  out->append("\",\"service\":");
  AppendJsonString(service_, out);
  out->append(",\"event\":\"access\"");
  AppendMember("method", record.method, out);
  AppendMember("code", record.status_code, out);
  AppendMember("code_name", StatusCodeName(record.status_code), out);
  AppendMember("latency_us", record.latency_ns / 1000, out);
  AppendMember("peer", record.peer, out);
  AppendMember("subject", record.subject, out);
  AppendMember("client_id", record.client_id, out);
  AppendMember("route", record.route, out);
  AppendMember("upstream", record.upstream, out);
  AppendMember("reason", record.reason, out);
  out->append("}\n");
}

void FillLogEntry(const AccessRecord& record, logv1::LogEntry* entry) {
  entry->Clear();
  const int64_t unix_ns = absl::ToUnixNanos(record.time);
  entry->mutable_time()->set_seconds(unix_ns / 1'000'000'000);
  entry->mutable_time()->set_nanos(
      static_cast<int32_t>(unix_ns % 1'000'000'000));
  entry->set_level(LevelOf(record) == LogLevel::kWarning
                       ? logv1::LOG_LEVEL_WARNING
                       : logv1::LOG_LEVEL_INFO);
  entry->set_subject(BoundedUtf8(record.subject, kMaxEntryStringBytes));
  entry->set_client_id(BoundedUtf8(record.client_id, kMaxEntryStringBytes));
  entry->set_peer(BoundedUtf8(record.peer, kMaxEntryStringBytes));
  auto& attributes = *entry->mutable_attributes();
  if (!record.route.empty()) {
    attributes["route"] = BoundedUtf8(record.route, 1024);
  }
  if (!record.upstream.empty()) {
    attributes["upstream"] = BoundedUtf8(record.upstream, 1024);
  }
  if (!record.reason.empty()) {
    attributes["reason"] = std::string(record.reason);
  }
  if (record.kind == RecordKind::kAudit) {
    entry->set_kind(logv1::LOG_KIND_AUDIT);
    entry->set_message(
        BoundedUtf8(absl::StrCat(record.reason, ": ", record.detail),
                    kMaxEntryMessageBytes));
    return;
  }
  entry->set_kind(logv1::LOG_KIND_ACCESS);
  entry->set_method(BoundedUtf8(record.method, kMaxEntryStringBytes));
  entry->set_status_code(record.status_code);
  entry->mutable_latency()->set_seconds(record.latency_ns / 1'000'000'000);
  entry->mutable_latency()->set_nanos(
      static_cast<int32_t>(record.latency_ns % 1'000'000'000));
  // Denials: the stable reason. Forwarded calls: the upstream's code.
  entry->set_message(record.reason.empty()
                         ? std::string(StatusCodeName(record.status_code))
                         : std::string(record.reason));
}

}  // namespace meshid::gateway
