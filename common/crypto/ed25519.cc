#include "common/crypto/ed25519.h"

#include <openssl/evp.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/internal/openssl_util.h"
#include "common/crypto/random.h"

namespace meshid::crypto {

using internal::Bytes;
using internal::EvpMdCtxPtr;
using internal::OpenSslInternalError;

void EvpPkeyDeleter::operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }

absl::StatusOr<Ed25519PublicKey> Ed25519PublicKey::FromRaw(
    absl::string_view raw) {
  if (raw.size() != kEd25519KeySize) {
    return absl::InvalidArgumentError(
        absl::StrCat("Ed25519 public key must be ", kEd25519KeySize,
                     " bytes, got ", raw.size()));
  }
  EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                             Bytes(raw), raw.size()));
  if (key == nullptr) {
    return internal::OpenSslError(absl::StatusCode::kInvalidArgument,
                                  "invalid Ed25519 public key");
  }
  return Ed25519PublicKey(std::move(key), std::string(raw));
}

bool Ed25519PublicKey::Verify(absl::string_view message,
                              absl::string_view signature) const {
  if (signature.size() != kEd25519SignatureSize) return false;
  // A fresh context per call: contexts are not shareable between threads,
  // while the EVP_PKEY is (it is never modified after construction).
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) ==
          1 &&
      EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(),
                       Bytes(message), message.size()) == 1;
  if (!ok) internal::ClearOpenSslErrors();
  return ok;
}

Ed25519PrivateKey::Ed25519PrivateKey(EvpPkeyPtr key, SecretBytes seed,
                                     Ed25519PublicKey public_key)
    : key_(std::move(key)),
      seed_(std::move(seed)),
      public_key_(std::move(public_key)) {}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::Generate() {
  // An Ed25519 private key is any 32 random bytes (RFC 8032 section 5.1.5).
  absl::StatusOr<SecretBytes> seed = RandomSecret(kEd25519KeySize);
  if (!seed.ok()) return seed.status();
  return FromSeed(seed->view());
}

absl::StatusOr<Ed25519PrivateKey> Ed25519PrivateKey::FromSeed(
    absl::string_view seed) {
  if (seed.size() != kEd25519KeySize) {
    return absl::InvalidArgumentError(absl::StrCat(
        "Ed25519 seed must be ", kEd25519KeySize, " bytes, got ", seed.size()));
  }
  EvpPkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                              Bytes(seed), seed.size()));
  if (key == nullptr) {
    return OpenSslInternalError("loading the Ed25519 private key failed");
  }
  std::string raw_public(kEd25519KeySize, '\0');
  size_t raw_public_size = raw_public.size();
  if (EVP_PKEY_get_raw_public_key(
          key.get(), reinterpret_cast<unsigned char*>(raw_public.data()),
          &raw_public_size) != 1 ||
      raw_public_size != kEd25519KeySize) {
    return OpenSslInternalError("deriving the Ed25519 public key failed");
  }
  absl::StatusOr<Ed25519PublicKey> public_key =
      Ed25519PublicKey::FromRaw(raw_public);
  if (!public_key.ok()) return public_key.status();
  return Ed25519PrivateKey(std::move(key), SecretBytes(seed),
                           *std::move(public_key));
}

absl::StatusOr<std::string> Ed25519PrivateKey::Sign(
    absl::string_view message) const {
  std::string signature(kEd25519SignatureSize, '\0');
  size_t signature_size = signature.size();
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr) return OpenSslInternalError("EVP_MD_CTX_new failed");
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) !=
          1 ||
      EVP_DigestSign(ctx.get(),
                     reinterpret_cast<unsigned char*>(signature.data()),
                     &signature_size, Bytes(message), message.size()) != 1 ||
      signature_size != kEd25519SignatureSize) {
    return OpenSslInternalError("Ed25519 signing failed");
  }
  return signature;
}

}  // namespace meshid::crypto
