#include "logging/store/log_row_codec.h"

#include <utility>

#include "common/status_macros.h"
#include "logging/store/attribute_codec.h"
#include "storage/time_codec.h"

namespace meshid::logging {

absl::StatusOr<LogRow> RowFromRecord(const LogRecord& record) {
  LogRow row;
  row.id = record.id;
  ASSIGN_OR_RETURN(row.time_us, storage::TimeToMicros(record.time, "time"));
  row.service = record.service;
  row.level = static_cast<int64_t>(record.level);
  row.kind = static_cast<int64_t>(record.kind);
  row.subject = record.subject;
  row.client_id = record.client_id;
  row.method = record.method;
  row.status_code = record.status_code;
  row.latency_ns = absl::ToInt64Nanoseconds(record.latency);
  row.peer = record.peer;
  row.message = record.message;
  row.attributes = EncodeAttributes(record.attributes);
  return row;
}

absl::StatusOr<LogRecord> RecordFromRow(LogRow row) {
  if (row.level < 1 || row.level > kMaxEntryLevel || row.kind < 1 ||
      row.kind > kMaxEntryKind) {
    return absl::InternalError("a stored entry has an unknown level or kind");
  }
  LogRecord record;
  record.id = row.id;
  record.time = storage::MicrosToTime(row.time_us);
  record.service = std::move(row.service);
  record.level = static_cast<EntryLevel>(row.level);
  record.kind = static_cast<EntryKind>(row.kind);
  record.subject = std::move(row.subject);
  record.client_id = std::move(row.client_id);
  record.method = std::move(row.method);
  record.status_code = static_cast<int32_t>(row.status_code);
  record.latency = absl::Nanoseconds(row.latency_ns);
  record.peer = std::move(row.peer);
  record.message = std::move(row.message);
  ASSIGN_OR_RETURN(record.attributes, DecodeAttributes(row.attributes));
  return record;
}

}  // namespace meshid::logging
