// LogEntry / LogFilter protos <-> the plain C++ LogRecord / LogFilter. The
// one place that knows both; protobuf types only, no gRPC.
//
//   absl::StatusOr<LogRecord> r = RecordFromProto(request.entries(i), now);
//   ToProto(record, response.add_entries());
//   ASSIGN_OR_RETURN(LogFilter filter, FilterFromProto(request.filter()));
#ifndef MESHID_LOGGING_LOG_PROTO_CONVERT_H_
#define MESHID_LOGGING_LOG_PROTO_CONVERT_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "logging/log_filter.h"
#include "logging/log_record.h"
#include "meshid/logging/v1/log.pb.h"

namespace meshid::logging {

// An Append entry as the server will store it, before the server's own
// rules (append_rules.h): `id` and `service` are ignored; an unset time
// becomes `receive_time`; times are cut to the microsecond the store keeps.
// INVALID_ARGUMENT for a Timestamp or Duration outside its documented range
// (nanos beyond 0..999999999, mixed signs).
absl::StatusOr<LogRecord> RecordFromProto(const v1::LogEntry& entry,
                                          absl::Time receive_time);

// `record` into `out` (id as a decimal string).
void ToProto(const LogRecord& record, v1::LogEntry* out);

// Unset fields stay unset; times are rounded up to the microsecond
// (RoundUpToMicrosecond). INVALID_ARGUMENT for a malformed Timestamp. Does
// not apply CheckQueryFilter / CheckTailFilter.
absl::StatusOr<LogFilter> FilterFromProto(const v1::LogFilter& filter);

// The reverse (for clients: meshctl, the identity audit shipper).
void ToProto(const LogFilter& filter, v1::LogFilter* out);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_PROTO_CONVERT_H_
