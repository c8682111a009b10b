// The canonical gRPC status codes by name ("OK", "NOT_FOUND", ...), for
// metric labels and log lines, without depending on gRPC.
#ifndef MESHID_GATEWAY_STATUS_CODE_NAMES_H_
#define MESHID_GATEWAY_STATUS_CODE_NAMES_H_

#include "absl/strings/string_view.h"

namespace meshid::gateway {

// OK (0) to UNAUTHENTICATED (16).
inline constexpr int kStatusCodeCount = 17;

// The name of canonical code `code`; "UNKNOWN" outside 0..16.
absl::string_view StatusCodeName(int code);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_STATUS_CODE_NAMES_H_
