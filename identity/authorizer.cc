#include "identity/authorizer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/token/token_verifier.h"

namespace meshid::identity {

absl::string_view BearerToken(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(authorization, kScheme)) {
    return {};
  }
  return authorization.substr(kScheme.size());
}

absl::StatusOr<Principal> Authorizer::Authorize(
    absl::string_view authorization, absl::string_view audience,
    absl::string_view required_scope, VerifyError* reason) const {
  const absl::Status unauthenticated =
      absl::UnauthenticatedError("missing or invalid bearer token");
  const absl::string_view token = BearerToken(authorization);
  if (token.empty()) {
    *reason = VerifyError::kMalformed;
    return unauthenticated;
  }
  VerifyPolicy policy;
  policy.issuer = ctx_.options.issuer;
  policy.audience = std::string(audience);
  policy.clock_skew = ctx_.options.clock_skew;
  policy.max_lifetime = ctx_.options.max_token_ttl;
  const auto snapshot = ctx_.views->Current();
  VerifyResult result =
      VerifyToken(token, *snapshot->verification(), policy, ctx_.clock->Now());
  *reason = result.error();
  if (!result.ok()) return unauthenticated;
  if (!required_scope.empty() && !result.principal().HasScope(required_scope)) {
    return absl::PermissionDeniedError(
        absl::StrCat("this call needs scope '", required_scope, "'"));
  }
  return std::move(result).principal();
}

}  // namespace meshid::identity
