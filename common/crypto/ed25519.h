// Ed25519 (RFC 8032) signing and verification over OpenSSL 3's EVP_PKEY.
#ifndef MESHID_COMMON_CRYPTO_ED25519_H_
#define MESHID_COMMON_CRYPTO_ED25519_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/secret_bytes.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace meshid::crypto {

inline constexpr size_t kEd25519KeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* key) const;
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, EvpPkeyDeleter>;

class Ed25519PublicKey {
 public:
  // From the 32-byte encoded point; INVALID_ARGUMENT otherwise.
  static absl::StatusOr<Ed25519PublicKey> FromRaw(absl::string_view raw);

  // True when `signature` is a valid 64-byte Ed25519 signature of `message`.
  // Thread-safe.
  bool Verify(absl::string_view message, absl::string_view signature) const;

  // The 32-byte encoded point (the JWK "x").
  const std::string& raw() const { return raw_; }

 private:
  Ed25519PublicKey(EvpPkeyPtr key, std::string raw)
      : key_(std::move(key)), raw_(std::move(raw)) {}
  std::shared_ptr<EVP_PKEY> key_;
  std::string raw_;
};

class Ed25519PrivateKey {
 public:
  static absl::StatusOr<Ed25519PrivateKey> Generate();
  // From the 32-byte seed (the JWK "d"); INVALID_ARGUMENT otherwise.
  static absl::StatusOr<Ed25519PrivateKey> FromSeed(absl::string_view seed);

  // The 64-byte signature of `message` (deterministic). Thread-safe.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;

  const Ed25519PublicKey& public_key() const { return public_key_; }
  // The 32-byte seed, for sealing at rest.
  const SecretBytes& seed() const { return seed_; }

 private:
  Ed25519PrivateKey(EvpPkeyPtr key, SecretBytes seed,
                    Ed25519PublicKey public_key);
  std::shared_ptr<EVP_PKEY> key_;
  SecretBytes seed_;
  Ed25519PublicKey public_key_;
};

}  // namespace meshid::crypto

#endif  // MESHID_COMMON_CRYPTO_ED25519_H_
