// The key types of the token core.
//
// VerificationKey: what a validator holds for one kid (public key or HS256
// secret, plus what the key is bound to and until when it verifies).
// SigningKey: what the issuer holds to sign (private key or HS256 secret).
// Both are immutable once made and safe to share between threads.
#ifndef MESHID_COMMON_TOKEN_KEYS_H_
#define MESHID_COMMON_TOKEN_KEYS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/variant.h"
#include "common/crypto/ecdsa_p256.h"
#include "common/crypto/ed25519.h"
#include "common/crypto/hmac_sha256.h"
#include "common/token/algorithm.h"

namespace meshid {

// The key lifecycle (DESIGN.md "Keys"): PENDING -> ACTIVE -> RETIRED ->
// EXPIRED, and any unexpired state -> REVOKED.
enum class KeyState : uint8_t {
  kPending,
  kActive,
  kRetired,
  kExpired,
  kRevoked,
};
absl::string_view KeyStateName(KeyState state);

// HS256 secrets are 256 random bits; shorter ones are refused (RFC 7518
// section 3.2 requires at least the hash size).
inline constexpr size_t kMinHs256SecretSize = 32;

struct VerificationKey {
  std::string kid;
  Algorithm alg = Algorithm::kHs256;
  KeyState state = KeyState::kActive;
  // For HS256 pair keys: the one client whose tokens this key signs, and the
  // audience they are for. Empty for issuer keys (EdDSA, ES256), which sign
  // for every client.
  std::string client_id;
  std::string audience;
  // Tokens fail with key_expired from this time on (a retired key stops
  // verifying at retired_at + max token lifetime + skew).
  absl::Time verify_until = absl::InfiniteFuture();
  // The verification material; monostate for a revoked key, whose material
  // no validator should keep.
  absl::variant<absl::monostate, crypto::HmacSha256Key,
                crypto::Ed25519PublicKey, crypto::EcdsaP256PublicKey>
      material;

  // Factories check that the material fits the algorithm.
  static absl::StatusOr<VerificationKey> Hs256(std::string kid,
                                               absl::string_view secret,
                                               std::string client_id,
                                               std::string audience);
  static absl::StatusOr<VerificationKey> Ed25519(std::string kid,
                                                 absl::string_view public_raw);
  static absl::StatusOr<VerificationKey> Es256(std::string kid,
                                               absl::string_view x,
                                               absl::string_view y);
  // A revoked key: no material, every token it signed fails.
  static VerificationKey Revoked(std::string kid, Algorithm alg);
};

struct SigningKey {
  std::string kid;
  Algorithm alg = Algorithm::kHs256;
  absl::variant<crypto::HmacSha256Key, crypto::Ed25519PrivateKey,
                crypto::EcdsaP256PrivateKey>
      material;

  static absl::StatusOr<SigningKey> Hs256(std::string kid,
                                          absl::string_view secret);
  static SigningKey Ed25519(std::string kid, crypto::Ed25519PrivateKey key);
  static SigningKey Es256(std::string kid, crypto::EcdsaP256PrivateKey key);
};

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_KEYS_H_
