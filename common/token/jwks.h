// Reading and writing JSON Web Key Sets (RFC 7517) as meshid uses them.
//
// Accepted keys (each needs "kty", "kid" and "alg"; "use", if present, must
// be "sig"):
//   {"kty":"oct","alg":"HS256","k":...,"client_id":...(optional)}
//   {"kty":"OKP","crv":"Ed25519","alg":"EdDSA"|"Ed25519","x":...}
//   {"kty":"EC","crv":"P-256","alg":"ES256","x":...,"y":...}
// Anything else is an error naming the key and the member, rather than a
// key silently skipped: a verifier that loads fewer keys than its operator
// thinks fails in confusing ways later. An asymmetric key carrying a private
// member ("d", "p", ...) is refused: a key set for verifying holds no
// private keys.
#ifndef MESHID_COMMON_TOKEN_JWKS_H_
#define MESHID_COMMON_TOKEN_JWKS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/token/key_set.h"

namespace meshid {

inline constexpr size_t kMaxJwksBytes = 4 * 1024 * 1024;

// Parses `json` into a key set at version 0. INVALID_ARGUMENT with a message
// such as "keys[2]: member 'x' must be 32 bytes of base64url" on any problem;
// messages never contain key material.
absl::StatusOr<std::shared_ptr<const KeySet>> ParseJwks(absl::string_view json);

// A public key for the JWKS document the issuer publishes.
struct PublicJwk {
  std::string kid;
  Algorithm alg = Algorithm::kEdDsa;  // kEdDsa or kEs256
  std::string x;                      // raw bytes
  std::string y;                      // raw bytes, ES256 only
};

// {"keys":[...]} with "kty", "kid", "alg", "use":"sig", "crv" and the
// coordinates of each key, in the order given.
std::string SerializePublicJwks(const std::vector<PublicJwk>& keys);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_JWKS_H_
