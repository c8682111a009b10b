// Authorizer: checks the bearer token of a call to meshid's own servers
// against the identity's in-memory key set: the right audience (this
// plane's), then the scope the method needs.
//
// Answers: UNAUTHENTICATED with one generic message for any bad token (the
// VerifyError goes to `*reason` for logs and metrics), PERMISSION_DENIED
// naming the missing scope.
#ifndef MESHID_IDENTITY_AUTHORIZER_H_
#define MESHID_IDENTITY_AUTHORIZER_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/token/principal.h"
#include "common/token/verify_error.h"
#include "identity/identity_context.h"

namespace meshid::identity {

class Authorizer {
 public:
  explicit Authorizer(const IdentityContext& ctx) : ctx_(ctx) {}

  // `authorization` is the metadata value ("Bearer <token>").
  absl::StatusOr<Principal> Authorize(absl::string_view authorization,
                                      absl::string_view audience,
                                      absl::string_view required_scope,
                                      VerifyError* reason) const;

 private:
  const IdentityContext& ctx_;
};

// The token of an "authorization: Bearer <token>" value, or empty. The
// scheme is matched case-insensitively (RFC 6750); exactly one space.
absl::string_view BearerToken(absl::string_view authorization);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_AUTHORIZER_H_
