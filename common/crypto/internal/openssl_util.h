// Private helpers shared by the meshid_crypto sources: unique_ptr deleters for
// OpenSSL objects and the conversion of OpenSSL failures to absl::Status.
// Not part of the public API; include only from common/crypto/*.cc.
#ifndef MESHID_COMMON_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
#define MESHID_COMMON_CRYPTO_INTERNAL_OPENSSL_UTIL_H_

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include <cstdint>
#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace meshid::crypto::internal {

// Frees an OpenSSL object with `kFree`; null is a no-op for every *_free used.
template <auto kFree>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    kFree(p);
  }
};

using EvpMdCtxPtr =
    std::unique_ptr<EVP_MD_CTX, OpenSslDeleter<&EVP_MD_CTX_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<&EVP_PKEY_CTX_free>>;
using EvpCipherCtxPtr =
    std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter<&EVP_CIPHER_CTX_free>>;
// BN_clear_free: some BIGNUMs hold private scalars, and wiping the rest costs
// nothing measurable.
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<&BN_clear_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, OpenSslDeleter<&ECDSA_SIG_free>>;
using EcGroupPtr = std::unique_ptr<EC_GROUP, OpenSslDeleter<&EC_GROUP_free>>;
using EcPointPtr =
    std::unique_ptr<EC_POINT, OpenSslDeleter<&EC_POINT_clear_free>>;
using OsslParamBldPtr =
    std::unique_ptr<OSSL_PARAM_BLD, OpenSslDeleter<&OSSL_PARAM_BLD_free>>;
using OsslParamPtr =
    std::unique_ptr<OSSL_PARAM, OpenSslDeleter<&OSSL_PARAM_free>>;

// The bytes of `s` as OpenSSL takes them; never null, since a default
// absl::string_view has a null data() and not every OpenSSL entry point
// accepts null with length 0.
inline const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data() != nullptr ? s.data()
                                                                    : "");
}

// Empties this thread's OpenSSL error queue. Every failure path calls it (via
// OpenSslError or directly): stale entries would otherwise be reported by the
// next, unrelated OpenSSL user on the thread (SSL_get_error in gRPC's TLS
// reads the same queue).
inline void ClearOpenSslErrors() { ERR_clear_error(); }

// An error status `code` naming the failed step and OpenSSL's reason. Only the
// static reason string is used, never ERR data, so no input bytes can leak
// into the message. Clears the error queue.
inline absl::Status OpenSslError(absl::StatusCode code,
                                 absl::string_view what) {
  const unsigned long err = ERR_peek_last_error();  // NOLINT(runtime/int)
  const char* reason = err == 0 ? nullptr : ERR_reason_error_string(err);
  ClearOpenSslErrors();
  return absl::Status(
      code, absl::StrCat(what, " (OpenSSL: ",
                         reason != nullptr ? reason : "no reason given", ")"));
}

inline absl::Status OpenSslInternalError(absl::string_view what) {
  return OpenSslError(absl::StatusCode::kInternal, what);
}

}  // namespace meshid::crypto::internal

#endif  // MESHID_COMMON_CRYPTO_INTERNAL_OPENSSL_UTIL_H_
