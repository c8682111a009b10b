// One warning line per refused call on identity's two planes, so operators
// can see credential stuffing, stale validators and misconfigured clients in
// the log stream without turning on debug logging:
//
//   {"level":"warning","event":"auth.denied","rpc":"IssueToken",
//    "code":"UNAUTHENTICATED","reason":"bad_client_credentials",
//    "client_id":"careergpt-backend","peer":"ipv4:10.0.0.7:51234"}
//
// Only names and codes: never the token, the secret or the password that
// was refused (the message of the returned status is not logged either,
// because it may quote request fields).
#ifndef MESHID_IDENTITY_AUTH_DENIAL_LOG_H_
#define MESHID_IDENTITY_AUTH_DENIAL_LOG_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/server/json_log.h"
#include "common/token/verify_error.h"
#include "grpcpp/server_context.h"

namespace meshid::identity {

// True for the codes that mean "who you are or what you may do" was
// refused; other failures (bad input, store down) are not denials.
inline bool IsDenial(const absl::Status& status) {
  return absl::IsUnauthenticated(status) || absl::IsPermissionDenied(status);
}

// `reason` is the token's VerifyError when a bearer token was checked
// (kOk when the refusal was about scopes or credentials); `client_id` is
// the claimed client of a credentials call, empty otherwise.
inline void LogDenied(absl::string_view rpc,
                      const grpc::ServerContextBase& context,
                      const absl::Status& status,
                      VerifyError reason = VerifyError::kOk,
                      absl::string_view client_id = "") {
  if (!IsDenial(status)) return;
  server::Log(server::LogLevel::kWarning, "auth.denied",
              {{"rpc", rpc},
               {"code", absl::StatusCodeToString(status.code())},
               {"reason", reason == VerifyError::kOk
                              ? absl::string_view()
                              : VerifyErrorName(reason)},
               {"client_id", client_id},
               {"peer", context.peer()}});
}

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_AUTH_DENIAL_LOG_H_
