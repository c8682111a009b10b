#include "common/crypto/aes_gcm.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/internal/openssl_util.h"

namespace meshid::crypto {

using internal::Bytes;
using internal::EvpCipherCtxPtr;
using internal::OpenSslInternalError;

namespace {

absl::Status CheckKey(const SecretBytes& key) {
  if (key.size() != kAes256KeySize) {
    return absl::InvalidArgumentError(absl::StrCat("AES-256-GCM key must be ",
                                                   kAes256KeySize,
                                                   " bytes, got ", key.size()));
  }
  return absl::OkStatus();
}

// The EVP update calls take int lengths.
absl::Status CheckLength(absl::string_view what, size_t size) {
  if (size > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat("AES-256-GCM ", what, " is too long (", size, " bytes)"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> AesGcmSeal(const SecretBytes& key,
                                       absl::string_view plaintext,
                                       absl::string_view associated_data) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  if (absl::Status s = CheckLength("plaintext", plaintext.size()); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLength("associated data", associated_data.size());
      !s.ok()) {
    return s;
  }
  std::string sealed(kAesGcmNonceSize + plaintext.size() + kAesGcmTagSize,
                     '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(sealed.data());
  unsigned char* ciphertext = nonce + kAesGcmNonceSize;
  unsigned char* tag = ciphertext + plaintext.size();
  // Random 96-bit nonces: keys seal few items, far below the 2^32 messages
  // per key that NIST SP 800-38D section 8.3 allows with random nonces.
  if (RAND_bytes(nonce, kAesGcmNonceSize) != 1) {
    return OpenSslInternalError("RAND_bytes failed for the AES-GCM nonce");
  }
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  int final_len = 0;
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                         nonce) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_EncryptUpdate(ctx.get(), ciphertext, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), ciphertext + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kAesGcmTagSize,
                          tag) != 1) {
    return OpenSslInternalError("AES-256-GCM encryption failed");
  }
  return sealed;
}

absl::StatusOr<SecretBytes> AesGcmOpen(const SecretBytes& key,
                                       absl::string_view sealed,
                                       absl::string_view associated_data) {
  if (absl::Status s = CheckKey(key); !s.ok()) return s;
  if (sealed.size() < kAesGcmNonceSize + kAesGcmTagSize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "sealed data is too short: ", sealed.size(), " bytes, need at least ",
        kAesGcmNonceSize + kAesGcmTagSize));
  }
  if (absl::Status s = CheckLength("sealed data", sealed.size()); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckLength("associated data", associated_data.size());
      !s.ok()) {
    return s;
  }
  const absl::string_view nonce = sealed.substr(0, kAesGcmNonceSize);
  const absl::string_view ciphertext = sealed.substr(
      kAesGcmNonceSize, sealed.size() - kAesGcmNonceSize - kAesGcmTagSize);
  // EVP_CTRL_GCM_SET_TAG takes a non-const pointer; copy rather than cast.
  unsigned char tag[kAesGcmTagSize];
  std::copy(sealed.end() - kAesGcmTagSize, sealed.end(), tag);

  std::string plaintext(ciphertext.size(), '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  if (ctx == nullptr ||
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(),
                         Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                        static_cast<int>(associated_data.size())) != 1 ||
      EVP_DecryptUpdate(ctx.get(), out, &len, Bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kAesGcmTagSize,
                          tag) != 1) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return OpenSslInternalError("AES-256-GCM decryption failed");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), out + len, &final_len) != 1) {
    // The plaintext is unauthenticated: wipe it, never return any of it.
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    internal::ClearOpenSslErrors();
    return absl::DataLossError("sealed data failed authentication");
  }
  return SecretBytes(std::move(plaintext));
}

}  // namespace meshid::crypto
