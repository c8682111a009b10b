#include "gateway/status_code_names.h"

namespace meshid::gateway {

absl::string_view StatusCodeName(int code) {
  static constexpr absl::string_view kNames[kStatusCodeCount] = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  if (code < 0 || code >= kStatusCodeCount) return "UNKNOWN";
  return kNames[code];
}

}  // namespace meshid::gateway
