// The JWS signature layer (RFC 7515 compact serialization): signing input
// in, signature bytes out, and back. It knows nothing of claims; the token
// profile lives in token_signer.h and token_verifier.h.
#ifndef MESHID_COMMON_TOKEN_JWS_H_
#define MESHID_COMMON_TOKEN_JWS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/token/keys.h"

namespace meshid {

// The raw signature of `signing_input` ("<b64 header>.<b64 payload>") under
// `key`: 32 bytes for HS256, 64 for EdDSA and ES256 (R||S).
absl::StatusOr<std::string> SignJwsInput(const SigningKey& key,
                                         absl::string_view signing_input);

// True when `signature` (raw bytes) is valid for `signing_input` under `key`
// with the key's own algorithm. A key without material verifies nothing.
// Thread-safe.
bool VerifyJwsSignature(const VerificationKey& key,
                        absl::string_view signing_input,
                        absl::string_view signature);

// "<b64 header>.<b64 payload>.<b64 signature>" for the exact header and
// payload bytes given.
absl::StatusOr<std::string> SignCompactJws(absl::string_view header,
                                           absl::string_view payload,
                                           const SigningKey& key);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_JWS_H_
