// LogAuthorizer: who may call the Log server. Every call carries
// "authorization: Bearer <JWT>" for audience `logging-service` (the
// server's configured name), checked locally by common/'s TokenValidator
// against the keys WatchKeys delivers; then the scope the method needs.
//
//   LogAuthorizer authorizer(&validator);
//   ASSIGN_OR_RETURN(Principal caller,
//                    authorizer.Authorize(authorization, kWriteScope));
//
// Answers: UNAUTHENTICATED "missing or invalid bearer token", the same for
// every reason (DESIGN.md "Tokens": a caller learns nothing about which
// check failed, so the answer is no oracle for forging); the reason, the
// stable VerifyErrorName ("expired", "aud_mismatch", "key_revoked", ...),
// goes to the server's log as an `auth.denied` warning with the RPC and the
// peer, and to the validator's metrics. The token is never quoted.
// PERMISSION_DENIED names the missing scope.
#ifndef MESHID_LOGGING_LOG_AUTHORIZER_H_
#define MESHID_LOGGING_LOG_AUTHORIZER_H_

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/keyset/token_validator.h"
#include "common/token/principal.h"

namespace meshid::logging {

inline constexpr absl::string_view kWriteScope = "logs:write";
inline constexpr absl::string_view kReadScope = "logs:read";

class LogAuthorizer {
 public:
  // `validator` (not owned) must outlive the authorizer.
  explicit LogAuthorizer(const keyset::TokenValidator* validator)
      : validator_(validator) {}

  // `authorization` is the metadata value ("Bearer <token>"), empty when
  // absent. Thread-safe, no I/O.
  // `rpc` and `peer` only name the call in the denial log line.
  absl::StatusOr<Principal> Authorize(absl::string_view authorization,
                                      absl::string_view required_scope,
                                      absl::string_view rpc,
                                      absl::string_view peer) const;

 private:
  const keyset::TokenValidator* const validator_;
};

// The token of an "authorization: Bearer <token>" value, or empty. The
// scheme is matched case-insensitively (RFC 6750); exactly one space.
absl::string_view BearerTokenOf(absl::string_view authorization);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_AUTHORIZER_H_
