#include "gateway/deny_reason.h"

namespace meshid::gateway {

absl::string_view DenyReasonName(DenyReason reason) {
  switch (reason) {
    case DenyReason::kNone:
      return "";
    case DenyReason::kPeerBlocked:
      return "peer_blocked";
    case DenyReason::kMissingToken:
      return "missing_token";
    case DenyReason::kMalformedAuthorization:
      return "malformed_authorization";
    case DenyReason::kInvalidToken:
      return "invalid_token";
    case DenyReason::kNoRoute:
      return "no_route";
    case DenyReason::kMissingScope:
      return "missing_scope";
    case DenyReason::kMissingRole:
      return "missing_role";
    case DenyReason::kSubjectRateLimited:
      return "subject_rate_limited";
    case DenyReason::kRouteRateLimited:
      return "route_rate_limited";
    case DenyReason::kUpstreamTokenUnavailable:
      return "upstream_token_unavailable";
  }
  return "unknown";
}

}  // namespace meshid::gateway
