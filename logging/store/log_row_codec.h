// One log_entries row <-> LogRecord, shared by both dialects: the columns
// of kLogColumns (log_query_sql.h) as plain values.
//
//   LogRow row = ...read the columns...;
//   ASSIGN_OR_RETURN(LogRecord record, RecordFromRow(std::move(row)));
#ifndef MESHID_LOGGING_STORE_LOG_ROW_CODEC_H_
#define MESHID_LOGGING_STORE_LOG_ROW_CODEC_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "logging/log_record.h"

namespace meshid::logging {

struct LogRow {
  int64_t id = 0;
  int64_t time_us = 0;
  std::string service;
  int64_t level = 0;
  int64_t kind = 0;
  std::string subject;
  std::string client_id;
  std::string method;
  int64_t status_code = 0;
  int64_t latency_ns = 0;
  std::string peer;
  std::string message;
  std::string attributes;  // JSON, see attribute_codec.h
};

// The row to insert for `record` (its id is left for the store to set).
// INVALID_ARGUMENT for a time the store cannot hold.
absl::StatusOr<LogRow> RowFromRecord(const LogRecord& record);

// INTERNAL for a row no Append wrote (an unknown level, say).
absl::StatusOr<LogRecord> RecordFromRow(LogRow row);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_LOG_ROW_CODEC_H_
