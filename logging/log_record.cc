#include "logging/log_record.h"

#include <algorithm>

namespace meshid::logging {

absl::string_view EntryLevelName(EntryLevel level) {
  switch (level) {
    case EntryLevel::kDebug:
      return "debug";
    case EntryLevel::kInfo:
      return "info";
    case EntryLevel::kWarning:
      return "warning";
    case EntryLevel::kError:
      return "error";
    case EntryLevel::kUnspecified:
      break;
  }
  return "unspecified";
}

absl::string_view EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kAccess:
      return "access";
    case EntryKind::kAudit:
      return "audit";
    case EntryKind::kApp:
      return "app";
    case EntryKind::kUnspecified:
      break;
  }
  return "unspecified";
}

bool LogRecord::operator==(const LogRecord& o) const {
  return id == o.id && time == o.time && service == o.service &&
         level == o.level && kind == o.kind && subject == o.subject &&
         client_id == o.client_id && method == o.method &&
         status_code == o.status_code && latency == o.latency &&
         peer == o.peer && message == o.message && attributes == o.attributes;
}

void SortAttributes(std::vector<Attribute>& attributes) {
  std::sort(
      attributes.begin(), attributes.end(),
      [](const Attribute& a, const Attribute& b) { return a.first < b.first; });
}

}  // namespace meshid::logging
