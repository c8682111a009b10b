#include "logging/log_authorizer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/token/verify_error.h"

namespace meshid::logging {

absl::string_view BearerTokenOf(absl::string_view authorization) {
  constexpr absl::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size() ||
      !absl::StartsWithIgnoreCase(authorization, kScheme)) {
    return {};
  }
  return authorization.substr(kScheme.size());
}

absl::StatusOr<Principal> LogAuthorizer::Authorize(
    absl::string_view authorization, absl::string_view required_scope) const {
  const absl::string_view token = BearerTokenOf(authorization);
  if (token.empty()) {
    return absl::UnauthenticatedError(
        "missing bearer token (send authorization: Bearer <token>)");
  }
  VerifyResult result = validator_->Validate(token);
  if (!result.ok()) {
    return absl::UnauthenticatedError(absl::StrCat(
        "invalid bearer token (", VerifyErrorName(result.error()), ")"));
  }
  if (!result.principal().HasScope(required_scope)) {
    return absl::PermissionDeniedError(
        absl::StrCat("this call needs scope '", required_scope, "'"));
  }
  return std::move(result).principal();
}

}  // namespace meshid::logging
