// Signs meshid access tokens (RFC 9068 profile).
//
// Header: exactly {"alg","kid","typ":"at+jwt"}. Claims: iss, sub, aud (one
// string), exp, nbf, iat (integer NumericDates), jti, client_id, and scope,
// roles, pst when set.
#ifndef MESHID_COMMON_TOKEN_TOKEN_SIGNER_H_
#define MESHID_COMMON_TOKEN_TOKEN_SIGNER_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/token/keys.h"

namespace meshid {

inline constexpr absl::string_view kAccessTokenType = "at+jwt";

struct TokenClaims {
  std::string issuer;
  std::string subject;
  std::string audience;
  std::string client_id;
  std::string jti;
  absl::Time issued_at;
  absl::Time expires_at;
  std::optional<absl::Time> not_before;  // omitted when unset
  std::string scope;                     // omitted when empty
  std::vector<std::string> roles;        // omitted when empty
  std::string principal_state;           // "pst"; omitted when empty
};

// The claims as the compact JSON object meshid signs (times in whole
// seconds, floored).
std::string SerializeClaims(const TokenClaims& claims);

// The signed compact JWS. INVALID_ARGUMENT when a required claim is empty.
absl::StatusOr<std::string> SignToken(const TokenClaims& claims,
                                      const SigningKey& key);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_TOKEN_SIGNER_H_
