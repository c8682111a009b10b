// What the Log server does to an Append's entries before storing them
// (log.proto, Append): the caller's `sub` becomes each entry's service (a
// service ships only its own logs), and every entry is checked on its own:
// valid ones go on, invalid ones are dropped and counted.
//
//   std::vector<absl::StatusOr<LogRecord>> converted = ...;  // from protos
//   PreparedAppend prepared = PrepareAppend(std::move(converted), caller);
//   // prepared.accepted -> the GroupCommitWriter; prepared.rejected -> reply
#ifndef MESHID_LOGGING_APPEND_RULES_H_
#define MESHID_LOGGING_APPEND_RULES_H_

#include <vector>

#include "absl/status/statusor.h"
#include "common/token/principal.h"
#include "logging/log_record.h"

namespace meshid::logging {

struct PreparedAppend {
  std::vector<LogRecord> accepted;
  int rejected = 0;
};

// `entries`: each entry converted from the request, or why it could not be
// (a malformed time, say), which also rejects it.
PreparedAppend PrepareAppend(std::vector<absl::StatusOr<LogRecord>> entries,
                             const Principal& caller);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_APPEND_RULES_H_
