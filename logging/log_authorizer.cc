#include "logging/log_authorizer.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/server/json_log.h"
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

namespace {

constexpr absl::string_view kUnauthenticated =
    "missing or invalid bearer token";

// Only names and codes: never the token.
void LogDenied(absl::string_view rpc, absl::string_view peer,
               absl::StatusCode code, absl::string_view reason,
               absl::string_view subject = "") {
  server::Log(server::LogLevel::kWarning, "auth.denied",
              {{"rpc", rpc},
               {"code", absl::StatusCodeToString(code)},
               {"reason", reason},
               {"sub", subject},
               {"peer", peer}});
}

}  // namespace

absl::StatusOr<Principal> LogAuthorizer::Authorize(
    absl::string_view authorization, absl::string_view required_scope,
    absl::string_view rpc, absl::string_view peer) const {
  const absl::string_view token = BearerTokenOf(authorization);
  if (token.empty()) {
    LogDenied(rpc, peer, absl::StatusCode::kUnauthenticated, "missing_token");
    return absl::UnauthenticatedError(kUnauthenticated);
  }
  VerifyResult result = validator_->Validate(token);
  if (!result.ok()) {
    LogDenied(rpc, peer, absl::StatusCode::kUnauthenticated,
              VerifyErrorName(result.error()));
    return absl::UnauthenticatedError(kUnauthenticated);
  }
  if (!result.principal().HasScope(required_scope)) {
    LogDenied(rpc, peer, absl::StatusCode::kPermissionDenied, "missing_scope",
              result.principal().subject);
    return absl::PermissionDeniedError(
        absl::StrCat("this call needs scope '", required_scope, "'"));
  }
  return std::move(result).principal();
}

}  // namespace meshid::logging
