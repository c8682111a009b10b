// Principal: who a verified token speaks for. Built by TokenVerifier only
// after every check passed.
#ifndef MESHID_COMMON_TOKEN_PRINCIPAL_H_
#define MESHID_COMMON_TOKEN_PRINCIPAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace meshid {

struct Principal {
  std::string subject;    // "sub"
  std::string client_id;  // "client_id": the client the token was issued to
  std::string audience;   // "aud"
  std::string scope;      // "scope": space-separated, may be empty
  std::vector<std::string> roles;  // "roles"
  std::string state;     // "pst": a user's lifecycle state; empty otherwise
  std::string jti;       // "jti"
  std::string kid;       // the key that signed the token
  absl::Time issued_at;  // "iat" (floored to the nanosecond)
  std::optional<absl::Time> not_before;  // "nbf", when present
  absl::Time expires_at;                 // "exp" (floored to the nanosecond)

  // True when `wanted` is one of the space-separated scopes (exact match).
  bool HasScope(absl::string_view wanted) const;
  bool HasRole(absl::string_view wanted) const;
};

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_PRINCIPAL_H_
