#include "logging/log_proto_convert.h"

#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace meshid::logging {
namespace {

// google.protobuf.Timestamp's documented range: 0001-01-01 to 9999-12-31.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::StatusOr<absl::Time> TimeFromProto(const google::protobuf::Timestamp& t,
                                         absl::string_view what) {
  if (t.seconds() < kMinTimestampSeconds ||
      t.seconds() > kMaxTimestampSeconds || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat(what,
                     " is not a valid Timestamp (years 1..9999, "
                     "nanos 0..999999999)"));
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(time);
  // Floor division: the nanos of a Timestamp are never negative.
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

absl::StatusOr<absl::Duration> DurationFromProto(
    const google::protobuf::Duration& d) {
  const bool mixed_signs =
      (d.seconds() > 0 && d.nanos() < 0) || (d.seconds() < 0 && d.nanos() > 0);
  if (d.nanos() < -999999999 || d.nanos() > 999999999 || mixed_signs) {
    return absl::InvalidArgumentError("latency is not a valid Duration");
  }
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

// Cut to the microsecond, toward the past (what the store keeps).
absl::Time TruncateToMicrosecond(absl::Time t) {
  return absl::FromUnixMicros(absl::ToUnixMicros(t));
}

}  // namespace

absl::StatusOr<LogRecord> RecordFromProto(const v1::LogEntry& entry,
                                          absl::Time receive_time) {
  LogRecord record;
  if (entry.has_time()) {
    ASSIGN_OR_RETURN(record.time, TimeFromProto(entry.time(), "time"));
  } else {
    record.time = receive_time;
  }
  record.time = TruncateToMicrosecond(record.time);
  record.level = static_cast<EntryLevel>(entry.level());
  record.kind = static_cast<EntryKind>(entry.kind());
  record.subject = entry.subject();
  record.client_id = entry.client_id();
  record.method = entry.method();
  record.status_code = entry.status_code();
  if (entry.has_latency()) {
    ASSIGN_OR_RETURN(record.latency, DurationFromProto(entry.latency()));
  }
  record.peer = entry.peer();
  record.message = entry.message();
  record.attributes.reserve(entry.attributes_size());
  for (const auto& [key, value] : entry.attributes()) {
    record.attributes.emplace_back(key, value);
  }
  SortAttributes(record.attributes);
  return record;
}

void ToProto(const LogRecord& record, v1::LogEntry* out) {
  out->set_id(absl::StrCat(record.id));
  TimeToProto(record.time, out->mutable_time());
  out->set_service(record.service);
  out->set_level(static_cast<v1::LogLevel>(record.level));
  out->set_subject(record.subject);
  out->set_client_id(record.client_id);
  out->set_method(record.method);
  out->set_status_code(record.status_code);
  if (record.latency != absl::ZeroDuration()) {
    const int64_t nanos = absl::ToInt64Nanoseconds(record.latency);
    out->mutable_latency()->set_seconds(nanos / 1000000000);
    out->mutable_latency()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  }
  out->set_peer(record.peer);
  out->set_message(record.message);
  for (const Attribute& attribute : record.attributes) {
    (*out->mutable_attributes())[attribute.first] = attribute.second;
  }
  out->set_kind(static_cast<v1::LogKind>(record.kind));
}

absl::StatusOr<LogFilter> FilterFromProto(const v1::LogFilter& in) {
  LogFilter filter;
  if (in.has_start_time()) {
    ASSIGN_OR_RETURN(absl::Time start,
                     TimeFromProto(in.start_time(), "filter.start_time"));
    filter.start_time = RoundUpToMicrosecond(start);
  }
  if (in.has_end_time()) {
    ASSIGN_OR_RETURN(absl::Time end,
                     TimeFromProto(in.end_time(), "filter.end_time"));
    filter.end_time = RoundUpToMicrosecond(end);
  }
  filter.service = in.service();
  filter.subject = in.subject();
  filter.min_level = static_cast<EntryLevel>(in.level());
  filter.method_prefix = in.method_prefix();
  filter.text_contains = in.text_contains();
  filter.kind = static_cast<EntryKind>(in.kind());
  return filter;
}

void ToProto(const LogFilter& filter, v1::LogFilter* out) {
  if (filter.start_time.has_value()) {
    TimeToProto(*filter.start_time, out->mutable_start_time());
  }
  if (filter.end_time.has_value()) {
    TimeToProto(*filter.end_time, out->mutable_end_time());
  }
  out->set_service(filter.service);
  out->set_subject(filter.subject);
  out->set_level(static_cast<v1::LogLevel>(filter.min_level));
  out->set_method_prefix(filter.method_prefix);
  out->set_text_contains(filter.text_contains);
  out->set_kind(static_cast<v1::LogKind>(filter.kind));
}

}  // namespace meshid::logging
