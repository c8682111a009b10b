#include "logging/log_filter.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "logging/entry_limits.h"
#include "storage/time_codec.h"

namespace meshid::logging {
namespace {

// Length-prefixed, so "ab"+"c" and "a"+"bc" differ.
void AppendField(absl::string_view value, std::string* out) {
  absl::StrAppend(out, value.size(), ":", value, ";");
}

void AppendTime(const std::optional<absl::Time>& t, std::string* out) {
  if (!t.has_value()) {
    out->append("-;");
    return;
  }
  absl::StrAppend(out, absl::ToUnixMicros(*t), ";");
}

}  // namespace

absl::Time RoundUpToMicrosecond(absl::Time t) {
  const absl::Time floor = absl::FromUnixMicros(absl::ToUnixMicros(t));
  return floor == t ? t : floor + absl::Microseconds(1);
}

bool LogFilter::operator==(const LogFilter& o) const {
  return start_time == o.start_time && end_time == o.end_time &&
         service == o.service && subject == o.subject &&
         min_level == o.min_level && method_prefix == o.method_prefix &&
         text_contains == o.text_contains && kind == o.kind;
}

absl::Status CheckQueryFilter(const LogFilter& f) {
  if (f.start_time.has_value()) {
    RETURN_IF_ERROR(
        storage::TimeToMicros(*f.start_time, "filter.start_time").status());
  }
  if (f.end_time.has_value()) {
    RETURN_IF_ERROR(
        storage::TimeToMicros(*f.end_time, "filter.end_time").status());
  }
  if (f.start_time.has_value() && f.end_time.has_value() &&
      *f.start_time > *f.end_time) {
    return absl::InvalidArgumentError(
        "filter.start_time is after filter.end_time");
  }
  const int level = static_cast<int>(f.min_level);
  if (level < 0 || level > kMaxEntryLevel) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.level ", level, " is not a LogLevel"));
  }
  const int kind = static_cast<int>(f.kind);
  if (kind < 0 || kind > kMaxEntryKind) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter.kind ", kind, " is not a LogKind"));
  }
  RETURN_IF_ERROR(
      CheckBoundedText(f.service, kMaxFilterFieldBytes, "filter.service"));
  RETURN_IF_ERROR(
      CheckBoundedText(f.subject, kMaxFilterFieldBytes, "filter.subject"));
  RETURN_IF_ERROR(CheckBoundedText(f.method_prefix, kMaxFilterFieldBytes,
                                   "filter.method_prefix"));
  RETURN_IF_ERROR(CheckBoundedText(f.text_contains, kMaxFilterFieldBytes,
                                   "filter.text_contains"));
  return absl::OkStatus();
}

absl::Status CheckTailFilter(const LogFilter& f) {
  if (f.start_time.has_value() || f.end_time.has_value()) {
    return absl::InvalidArgumentError(
        "a Tail filter must not set start_time or end_time: a tail follows "
        "new entries (Query reads the past)");
  }
  return CheckQueryFilter(f);
}

bool Matches(const LogFilter& f, const LogRecord& r) {
  if (f.start_time.has_value() && r.time < *f.start_time) return false;
  if (f.end_time.has_value() && r.time >= *f.end_time) return false;
  if (!f.service.empty() && r.service != f.service) return false;
  if (!f.subject.empty() && r.subject != f.subject) return false;
  if (f.min_level != EntryLevel::kUnspecified && r.level < f.min_level) {
    return false;
  }
  if (f.kind != EntryKind::kUnspecified && r.kind != f.kind) return false;
  if (!f.method_prefix.empty() &&
      !absl::StartsWith(r.method, f.method_prefix)) {
    return false;
  }
  if (!f.text_contains.empty() &&
      !absl::StrContains(r.message, f.text_contains)) {
    return false;
  }
  return true;
}

std::string CanonicalFilterBytes(const LogFilter& f) {
  std::string out = "filter/v1;";
  AppendTime(f.start_time, &out);
  AppendTime(f.end_time, &out);
  AppendField(f.service, &out);
  AppendField(f.subject, &out);
  absl::StrAppend(&out, static_cast<int>(f.min_level), ";");
  AppendField(f.method_prefix, &out);
  AppendField(f.text_contains, &out);
  absl::StrAppend(&out, static_cast<int>(f.kind), ";");
  return out;
}

}  // namespace meshid::logging
