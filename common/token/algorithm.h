// The JWS algorithms meshid signs and verifies. The algorithm belongs to the
// key: a token's "alg" must name its key's algorithm, never the reverse.
#ifndef MESHID_COMMON_TOKEN_ALGORITHM_H_
#define MESHID_COMMON_TOKEN_ALGORITHM_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"

namespace meshid {

enum class Algorithm : uint8_t {
  kHs256,  // HMAC-SHA256 with a per-(client, audience) secret
  kEdDsa,  // Ed25519 issuer key
  kEs256,  // ECDSA P-256 SHA-256 issuer key
};

// The "alg" value meshid writes: "HS256", "EdDSA", "ES256". meshid writes
// "EdDSA" (RFC 8037) because deployed JOSE libraries know it; see
// HeaderNamesAlgorithm for what it accepts.
absl::string_view AlgorithmName(Algorithm alg);

// Parses the exact names "HS256", "EdDSA", "ES256" (and "Ed25519"). Case
// matters: "hs256" is not an algorithm.
std::optional<Algorithm> ParseAlgorithm(absl::string_view name);

// True when a header "alg" of `name` is acceptable for a key of `alg`. For
// Ed25519 keys both "EdDSA" (RFC 8037) and "Ed25519" (RFC 9864, which
// deprecates the polymorphic name) are accepted: with the key fixed to
// Ed25519 both name exactly one algorithm, so accepting both opens no
// confusion and lets issuers move to the new name.
bool HeaderNamesAlgorithm(absl::string_view name, Algorithm alg);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_ALGORITHM_H_
