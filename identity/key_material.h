// Fresh key material and the key objects made from it.
//
// Material is the secret part of a key as the store seals it: the 32-byte
// HS256 secret, the 32-byte Ed25519 seed, or the 32-byte P-256 scalar.
#ifndef MESHID_IDENTITY_KEY_MATERIAL_H_
#define MESHID_IDENTITY_KEY_MATERIAL_H_

#include <string>

#include "absl/status/statusor.h"
#include "common/crypto/secret_bytes.h"
#include "common/token/jwks.h"
#include "common/token/keys.h"
#include "identity/store/records.h"

namespace meshid::identity {

// A new kid: base64url of 16 random bytes (22 characters).
absl::StatusOr<std::string> NewKid();

absl::StatusOr<crypto::SecretBytes> GenerateKeyMaterial(Algorithm alg);

absl::StatusOr<SigningKey> MakeSigningKey(const KeyRecord& record,
                                          const crypto::SecretBytes& material);

// The validator's view of `record`: its state, binding and window. A revoked
// record gives a tombstone without material.
absl::StatusOr<VerificationKey> MakeVerificationKey(
    const KeyRecord& record, const crypto::SecretBytes& material);

// The public JWK of an issuer key (EdDSA, ES256); INVALID_ARGUMENT for HS256.
absl::StatusOr<PublicJwk> MakePublicJwk(const KeyRecord& record,
                                        const crypto::SecretBytes& material);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_KEY_MATERIAL_H_
