#include "logging/entry_limits.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/storable_text.h"
#include "storage/time_codec.h"

namespace meshid::logging {

absl::Status CheckBoundedText(absl::string_view text, size_t max_bytes,
                              absl::string_view what) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " is longer than ", max_bytes, " bytes"));
  }
  if (!storage::IsStorableText(text)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be UTF-8 text without NUL bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckEntry(const LogRecord& r) {
  const int level = static_cast<int>(r.level);
  if (level < 1 || level > kMaxEntryLevel) {
    return absl::InvalidArgumentError(
        "level must be DEBUG, INFO, WARNING or "
        "ERROR");
  }
  const int kind = static_cast<int>(r.kind);
  if (kind < 1 || kind > kMaxEntryKind) {
    return absl::InvalidArgumentError("kind must be ACCESS, AUDIT or APP");
  }
  RETURN_IF_ERROR(storage::TimeToMicros(r.time, "time").status());
  if (r.status_code < 0 || r.status_code > kMaxStatusCode) {
    return absl::InvalidArgumentError("status_code must be 0 to 16");
  }
  if (r.latency < absl::ZeroDuration() || r.latency > kMaxLatency) {
    return absl::InvalidArgumentError("latency must be 0 to 365 days");
  }
  RETURN_IF_ERROR(CheckBoundedText(r.service, kMaxFieldBytes, "service"));
  RETURN_IF_ERROR(CheckBoundedText(r.subject, kMaxFieldBytes, "subject"));
  RETURN_IF_ERROR(CheckBoundedText(r.client_id, kMaxFieldBytes, "client_id"));
  RETURN_IF_ERROR(CheckBoundedText(r.method, kMaxFieldBytes, "method"));
  RETURN_IF_ERROR(CheckBoundedText(r.peer, kMaxFieldBytes, "peer"));
  RETURN_IF_ERROR(CheckBoundedText(r.message, kMaxMessageBytes, "message"));
  if (r.attributes.size() > kMaxAttributes) {
    return absl::InvalidArgumentError(
        absl::StrCat("more than ", kMaxAttributes, " attributes"));
  }
  for (const Attribute& attribute : r.attributes) {
    if (attribute.first.empty()) {
      return absl::InvalidArgumentError("an attribute key is empty");
    }
    RETURN_IF_ERROR(CheckBoundedText(attribute.first, kMaxAttributeKeyBytes,
                                     "an attribute key"));
    RETURN_IF_ERROR(CheckBoundedText(attribute.second, kMaxAttributeValueBytes,
                                     "an attribute value"));
  }
  return absl::OkStatus();
}

absl::Status CheckAppendSize(size_t entries) {
  if (entries == 0 || entries > kMaxEntriesPerAppend) {
    return absl::InvalidArgumentError(
        absl::StrCat("an Append carries 1 to ", kMaxEntriesPerAppend,
                     " entries, not ", entries, "; nothing was stored"));
  }
  return absl::OkStatus();
}

}  // namespace meshid::logging
