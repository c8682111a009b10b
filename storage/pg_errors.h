// Where libpqxx exceptions stop: one mapping from whatever libpqxx throws to
// an absl::Status, with the URL's password scrubbed from the message.
#ifndef MESHID_STORAGE_PG_ERRORS_H_
#define MESHID_STORAGE_PG_ERRORS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace meshid::storage {

// Call only inside a catch block; classifies the exception being handled:
//   broken connection, in-doubt commit, server shutting down -> UNAVAILABLE
//     ("store unavailable: ...")
//   unique_violation                                       -> ALREADY_EXISTS
//   other integrity constraint violations                  ->
//   FAILED_PRECONDITION serialization failure, deadlock -> ABORTED anything
//   else                                          -> INTERNAL
absl::Status CurrentPgExceptionToStatus(
    const std::vector<std::string>& secrets);

// True for the ABORTED that CurrentPgExceptionToStatus gives a serialization
// failure or deadlock: the whole transaction may simply be run again.
bool IsRetryablePgStatus(const absl::Status& status);

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_PG_ERRORS_H_
