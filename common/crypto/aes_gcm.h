// AES-256-GCM authenticated encryption, used to seal key material at rest
// under the master key with the kid as associated data.
//
// Sealed format: nonce (12 random bytes) || ciphertext || tag (16 bytes).
#ifndef MESHID_COMMON_CRYPTO_AES_GCM_H_
#define MESHID_COMMON_CRYPTO_AES_GCM_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/secret_bytes.h"

namespace meshid::crypto {

inline constexpr size_t kAes256KeySize = 32;
inline constexpr size_t kAesGcmNonceSize = 12;
inline constexpr size_t kAesGcmTagSize = 16;

// Encrypts `plaintext` under `key` (exactly 32 bytes, else INVALID_ARGUMENT)
// with a fresh random nonce, binding `associated_data`.
absl::StatusOr<std::string> AesGcmSeal(const SecretBytes& key,
                                       absl::string_view plaintext,
                                       absl::string_view associated_data);

// Decrypts what AesGcmSeal produced. Any change to the sealed bytes, the key
// or the associated data gives DATA_LOSS ("sealed data failed
// authentication"); a malformed input gives INVALID_ARGUMENT.
absl::StatusOr<SecretBytes> AesGcmOpen(const SecretBytes& key,
                                       absl::string_view sealed,
                                       absl::string_view associated_data);

}  // namespace meshid::crypto

#endif  // MESHID_COMMON_CRYPTO_AES_GCM_H_
