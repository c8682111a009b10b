#include "gateway/call_admission.h"

#include <utility>

#include "absl/strings/match.h"
#include "gateway/peer_address.h"

namespace meshid::gateway {
namespace {

struct DenyRule {
  absl::StatusCode code;
  absl::string_view caller_message;
};

// What a caller sees per reason. UNAUTHENTICATED is one generic text
// whatever the check that failed (DESIGN.md "Tokens"): the reason goes to
// logs and metrics only.
DenyRule RuleFor(DenyReason reason) {
  switch (reason) {
    case DenyReason::kNone:
      return {absl::StatusCode::kOk, ""};
    case DenyReason::kPeerBlocked:
      return {absl::StatusCode::kResourceExhausted,
              "too many failed authentications from this address; retry "
              "later"};
    case DenyReason::kMissingToken:
    case DenyReason::kMalformedAuthorization:
    case DenyReason::kInvalidToken:
      return {absl::StatusCode::kUnauthenticated,
              "missing or invalid bearer token"};
    case DenyReason::kNoRoute:
      return {absl::StatusCode::kUnimplemented, "no route for this method"};
    case DenyReason::kMissingScope:
      return {absl::StatusCode::kPermissionDenied,
              "the token lacks a scope this method requires"};
    case DenyReason::kMissingRole:
      return {absl::StatusCode::kPermissionDenied,
              "the caller lacks a role this method requires"};
    case DenyReason::kSubjectRateLimited:
      return {absl::StatusCode::kResourceExhausted,
              "rate limit exceeded for this caller"};
    case DenyReason::kRouteRateLimited:
      return {absl::StatusCode::kResourceExhausted,
              "rate limit exceeded for this method"};
    case DenyReason::kUpstreamTokenUnavailable:
      return {absl::StatusCode::kUnavailable,
              "the gateway has no credentials for this upstream yet; retry "
              "later"};
  }
  return {absl::StatusCode::kInternal, "internal error"};
}

bool HasAll(const Principal& principal,
            const std::vector<std::string>& scopes) {
  for (const std::string& scope : scopes) {
    if (!principal.HasScope(scope)) return false;
  }
  return true;
}

bool HasAllRoles(const Principal& principal,
                 const std::vector<std::string>& roles) {
  for (const std::string& role : roles) {
    if (!principal.HasRole(role)) return false;
  }
  return true;
}

}  // namespace

absl::string_view BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return {};
  if (!absl::EqualsIgnoreCase(authorization.substr(0, kScheme.size()),
                              kScheme)) {
    return {};
  }
  // Anything else in the token (spaces included) fails validation, which
  // accepts canonical base64url segments only.
  return authorization.substr(kScheme.size());
}

absl::string_view Admission::log_reason() const {
  if (deny == DenyReason::kInvalidToken) return VerifyErrorName(token_error);
  return DenyReasonName(deny);
}

CallAdmission::CallAdmission(const Deps& deps) : deps_(deps) {
  for (const RouteSettings& route : deps.settings->routes) {
    route_buckets_.push_back(
        route.rate_limit.limited()
            ? std::make_unique<TokenBucket>(route.rate_limit)
            : nullptr);
  }
}

void CallAdmission::Deny(DenyReason reason, Admission* out) const {
  const DenyRule rule = RuleFor(reason);
  out->deny = reason;
  out->code = rule.code;
  out->caller_message = rule.caller_message;
  if (deps_.metrics != nullptr) deps_.metrics->OnDenied(reason);
}

void CallAdmission::CountFailure(absl::string_view peer, absl::Time now) {
  // Before the first key set arrives every token fails; that says nothing
  // about the caller.
  if (deps_.keys->Current()->version() == 0) return;
  std::optional<PeerBlocked> blocked =
      deps_.peers->RecordFailure(PeerAddress(peer), now);
  if (blocked.has_value()) deps_.anomalies->OnPeerBlocked(*blocked);
}

std::shared_ptr<const Principal> CallAdmission::Verify(
    absl::string_view token, absl::Time now, VerifyError* error) const {
  std::shared_ptr<const KeySet> keys;
  if (deps_.token_cache != nullptr) {
    // Read before validating: see VerifiedTokenCache.
    keys = deps_.keys->Current();
    if (auto cached = deps_.token_cache->Lookup(token, *keys, now)) {
      return cached;
    }
  }
  VerifyResult verified = deps_.validator->Validate(token);
  if (!verified.ok()) {
    *error = verified.error();
    return nullptr;
  }
  if (deps_.token_cache != nullptr) {
    return deps_.token_cache->Insert(token, *keys,
                                     std::move(verified).principal());
  }
  return std::make_shared<const Principal>(std::move(verified).principal());
}

void CallAdmission::Decide(const CallInput& input, absl::Time now,
                           Admission* out) {
  out->deny = DenyReason::kNone;
  out->token_error = VerifyError::kOk;
  out->code = absl::StatusCode::kOk;
  out->caller_message = {};
  out->principal = nullptr;
  out->route = deps_.router->Match(input.method);

  // 1. A blocked peer gets nothing checked: validating its tokens is the
  // work the block is there to save.
  if (deps_.peers->IsBlocked(PeerAddress(input.peer), now)) {
    return Deny(DenyReason::kPeerBlocked, out);
  }

  // 2. Exactly one header: with two, which one a proxy and an upstream
  // would each read is anybody's guess.
  if (input.authorization_headers == 0) {
    return Deny(DenyReason::kMissingToken, out);
  }
  const absl::string_view token = input.authorization_headers == 1
                                      ? BearerToken(input.authorization)
                                      : absl::string_view();
  if (token.empty()) {
    CountFailure(input.peer, now);
    return Deny(DenyReason::kMalformedAuthorization, out);
  }

  // 3.
  VerifyError error = VerifyError::kOk;
  out->principal = Verify(token, now, &error);
  if (out->principal == nullptr) {
    out->token_error = error;
    if (deps_.metrics != nullptr) deps_.metrics->OnTokenRejected(error);
    CountFailure(input.peer, now);
    return Deny(DenyReason::kInvalidToken, out);
  }
  const Principal& principal = *out->principal;

  // 4.
  if (out->route == Router::kNoRoute) return Deny(DenyReason::kNoRoute, out);
  const RouteSettings& route = deps_.settings->routes[out->route];

  // 5.
  if (!HasAll(principal, route.required_scopes)) {
    return Deny(DenyReason::kMissingScope, out);
  }
  if (!HasAllRoles(principal, route.required_roles)) {
    return Deny(DenyReason::kMissingRole, out);
  }

  // 6, 7. The subject's bucket first: a call it is refused must not use up
  // the route's shared capacity.
  if (deps_.subjects->Admit(principal.subject, now) ==
      SubjectAdmission::kRateLimited) {
    return Deny(DenyReason::kSubjectRateLimited, out);
  }
  TokenBucket* route_bucket = route_buckets_[out->route].get();
  if (route_bucket != nullptr && !route_bucket->TryTake(now)) {
    return Deny(DenyReason::kRouteRateLimited, out);
  }
}

}  // namespace meshid::gateway
