// ECDSA over P-256 with SHA-256 (JWS "ES256"), signatures in the JWS form:
// R || S, 32 bytes each, big-endian (RFC 7518 section 3.4).
#ifndef MESHID_COMMON_CRYPTO_ECDSA_P256_H_
#define MESHID_COMMON_CRYPTO_ECDSA_P256_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/ed25519.h"  // EvpPkeyPtr
#include "common/crypto/secret_bytes.h"

namespace meshid::crypto {

inline constexpr size_t kP256CoordinateSize = 32;
inline constexpr size_t kEs256SignatureSize = 64;

class EcdsaP256PublicKey {
 public:
  // From the affine coordinates, 32 bytes each (the JWK "x" and "y"). The point
  // must lie on the curve; INVALID_ARGUMENT otherwise.
  static absl::StatusOr<EcdsaP256PublicKey> FromCoordinates(
      absl::string_view x, absl::string_view y);

  // True when `signature` is exactly 64 bytes R||S with 1 <= r, s < n and
  // verifies for SHA-256(`message`). High-S signatures are valid (JWS has no
  // low-S rule). Thread-safe.
  bool Verify(absl::string_view message, absl::string_view signature) const;

  const std::string& x() const { return x_; }
  const std::string& y() const { return y_; }

 private:
  EcdsaP256PublicKey(EvpPkeyPtr key, std::string x, std::string y)
      : key_(std::move(key)), x_(std::move(x)), y_(std::move(y)) {}
  std::shared_ptr<EVP_PKEY> key_;
  std::string x_;
  std::string y_;
};

class EcdsaP256PrivateKey {
 public:
  static absl::StatusOr<EcdsaP256PrivateKey> Generate();
  // From the 32-byte private scalar (the JWK "d"); INVALID_ARGUMENT when it is
  // not in [1, n-1].
  static absl::StatusOr<EcdsaP256PrivateKey> FromScalar(absl::string_view d);

  // The 64-byte R||S signature of SHA-256(`message`) (randomized).
  // Thread-safe.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

  const EcdsaP256PublicKey& public_key() const { return public_key_; }
  // The 32-byte scalar, for sealing at rest.
  const SecretBytes& scalar() const { return scalar_; }

 private:
  EcdsaP256PrivateKey(EvpPkeyPtr key, SecretBytes scalar,
                      EcdsaP256PublicKey public_key);
  std::shared_ptr<EVP_PKEY> key_;
  SecretBytes scalar_;
  EcdsaP256PublicKey public_key_;
};

}  // namespace meshid::crypto

#endif  // MESHID_COMMON_CRYPTO_ECDSA_P256_H_
