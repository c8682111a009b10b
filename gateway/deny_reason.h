// Why the gateway refused a call: one enum, one stable snake_case name per
// value. The name is the access-log message and the `reason` metric label,
// so names never change once released; callers only see the status code
// and a fixed message.
#ifndef MESHID_GATEWAY_DENY_REASON_H_
#define MESHID_GATEWAY_DENY_REASON_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace meshid::gateway {

// In the order the gateway checks them (call_admission.h).
enum class DenyReason : uint8_t {
  kNone = 0,
  kPeerBlocked,               // peer_blocked: RESOURCE_EXHAUSTED
  kMissingToken,              // missing_token: UNAUTHENTICATED
  kMalformedAuthorization,    // malformed_authorization: UNAUTHENTICATED
  kInvalidToken,              // invalid_token: UNAUTHENTICATED (the
                              // VerifyError names the check that failed)
  kNoRoute,                   // no_route: UNIMPLEMENTED
  kMissingScope,              // missing_scope: PERMISSION_DENIED
  kMissingRole,               // missing_role: PERMISSION_DENIED
  kSubjectRateLimited,        // subject_rate_limited: RESOURCE_EXHAUSTED
  kRouteRateLimited,          // route_rate_limited: RESOURCE_EXHAUSTED
  kUpstreamTokenUnavailable,  // upstream_token_unavailable: UNAVAILABLE
};

inline constexpr int kDenyReasonCount =
    static_cast<int>(DenyReason::kUpstreamTokenUnavailable) + 1;

// The stable name ("" for kNone).
absl::string_view DenyReasonName(DenyReason reason);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_DENY_REASON_H_
