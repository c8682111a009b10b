#include "common/crypto/ecdsa_p256.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/internal/openssl_util.h"

namespace meshid::crypto {

using internal::BignumPtr;
using internal::Bytes;
using internal::EcdsaSigPtr;
using internal::EvpMdCtxPtr;
using internal::EvpPkeyCtxPtr;
using internal::OpenSslError;
using internal::OpenSslInternalError;
using internal::OsslParamBldPtr;
using internal::OsslParamPtr;

namespace {

constexpr char kGroupName[] = "prime256v1";
constexpr int kCoordinateSizeInt = kP256CoordinateSize;  // for BN_* calls
constexpr size_t kUncompressedPointSize = 1 + 2 * kP256CoordinateSize;
// The largest DER ECDSA-Sig-Value for a 256-bit order: SEQUENCE header (2) +
// two INTEGERs of tag, length and up to 33 content bytes.
constexpr size_t kMaxDerSignatureSize = 2 + 2 * (2 + kP256CoordinateSize + 1);

// n, the order of the P-256 base point (SEC 2 section 2.4.2), big-endian.
constexpr uint8_t kOrder[kP256CoordinateSize] = {
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17,
    0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51};

// True when the 32-byte big-endian `v` is in [1, n-1], the range of r, s and
// d. Computes the borrow of v - n over all bytes without branching on them,
// so it is also fit for the secret scalar d.
bool InScalarRange(const uint8_t* v) {
  unsigned borrow = 0;
  unsigned any_set = 0;
  for (size_t i = kP256CoordinateSize; i-- > 0;) {
    const unsigned diff = unsigned{v[i]} - kOrder[i] - borrow;
    borrow = (diff >> 8) & 1;  // all high bits set when it went negative
    any_set |= v[i];
  }
  return borrow == 1 && any_set != 0;
}

// Builds an EC EVP_PKEY on P-256 from the uncompressed public point and, for
// a key pair, the private scalar. `selection` is EVP_PKEY_PUBLIC_KEY or
// EVP_PKEY_KEYPAIR.
absl::StatusOr<EvpPkeyPtr> KeyFromData(absl::string_view point,
                                       const BIGNUM* private_scalar,
                                       int selection) {
  OsslParamBldPtr bld(OSSL_PARAM_BLD_new());
  if (bld == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(bld.get(), OSSL_PKEY_PARAM_GROUP_NAME,
                                      kGroupName, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(bld.get(), OSSL_PKEY_PARAM_PUB_KEY,
                                       point.data(), point.size()) != 1 ||
      (private_scalar != nullptr &&
       OSSL_PARAM_BLD_push_BN(bld.get(), OSSL_PKEY_PARAM_PRIV_KEY,
                              private_scalar) != 1)) {
    return OpenSslInternalError("building P-256 key parameters failed");
  }
  // The scalar is a secure BIGNUM, so the builder places it in the secure
  // part of the array, which OSSL_PARAM_free wipes.
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(bld.get()));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  if (params == nullptr || ctx == nullptr ||
      EVP_PKEY_fromdata_init(ctx.get()) != 1) {
    return OpenSslInternalError("preparing the P-256 key import failed");
  }
  EVP_PKEY* raw_key = nullptr;
  // Decoding the point fails unless both coordinates are below p and the
  // point satisfies the curve equation.
  if (EVP_PKEY_fromdata(ctx.get(), &raw_key, selection, params.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "P-256 public key is not a valid point on the curve");
  }
  return EvpPkeyPtr(raw_key);
}

}  // namespace

absl::StatusOr<EcdsaP256PublicKey> EcdsaP256PublicKey::FromCoordinates(
    absl::string_view x, absl::string_view y) {
  if (x.size() != kP256CoordinateSize || y.size() != kP256CoordinateSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("P-256 coordinates must be ", kP256CoordinateSize,
                     " bytes each, got ", x.size(), " and ", y.size()));
  }
  const std::string point = absl::StrCat("\x04", x, y);
  absl::StatusOr<EvpPkeyPtr> key =
      KeyFromData(point, nullptr, EVP_PKEY_PUBLIC_KEY);
  if (!key.ok()) return key.status();
  // Belt and braces over the import: rejects the point at infinity and checks
  // n*Q = O. Runs once per key load, never per signature.
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key->get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "P-256 public key failed validation");
  }
  return EcdsaP256PublicKey(*std::move(key), std::string(x), std::string(y));
}

bool EcdsaP256PublicKey::Verify(absl::string_view message,
                                absl::string_view signature) const {
  if (signature.size() != kEs256SignatureSize) return false;
  const uint8_t* r = Bytes(signature);
  const uint8_t* s = r + kP256CoordinateSize;
  // RFC 7518 section 3.4 / SEC 1 section 4.1.4 step 1: out-of-range r or s is
  // rejected here rather than trusting every OpenSSL version to do it after
  // the DER round trip.
  if (!InScalarRange(r) || !InScalarRange(s)) return false;

  // OpenSSL verifies DER, so re-encode R||S as an ECDSA-Sig-Value.
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BignumPtr r_bn(BN_bin2bn(r, kP256CoordinateSize, nullptr));
  BignumPtr s_bn(BN_bin2bn(s, kP256CoordinateSize, nullptr));
  if (sig == nullptr || r_bn == nullptr || s_bn == nullptr ||
      ECDSA_SIG_set0(sig.get(), r_bn.get(), s_bn.get()) != 1) {
    internal::ClearOpenSslErrors();
    return false;
  }
  r_bn.release();  // now owned by `sig`
  s_bn.release();
  uint8_t der[kMaxDerSignatureSize];
  const int der_size = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (der_size <= 0 || static_cast<size_t>(der_size) > sizeof(der)) {
    internal::ClearOpenSslErrors();
    return false;
  }
  uint8_t* out = der;
  i2d_ECDSA_SIG(sig.get(), &out);

  // A fresh context per call: contexts are not shareable between threads,
  // while the EVP_PKEY is (it is never modified after construction).
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  const bool ok =
      ctx != nullptr &&
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                           key_.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_size),
                       Bytes(message), message.size()) == 1;
  if (!ok) internal::ClearOpenSslErrors();
  return ok;
}

EcdsaP256PrivateKey::EcdsaP256PrivateKey(EvpPkeyPtr key, SecretBytes scalar,
                                         EcdsaP256PublicKey public_key)
    : key_(std::move(key)),
      scalar_(std::move(scalar)),
      public_key_(std::move(public_key)) {}

absl::StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::Generate() {
  EvpPkeyPtr generated(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  BIGNUM* raw_d = nullptr;
  if (generated == nullptr ||
      EVP_PKEY_get_bn_param(generated.get(), OSSL_PKEY_PARAM_PRIV_KEY,
                            &raw_d) != 1) {
    return OpenSslInternalError("generating a P-256 key failed");
  }
  BignumPtr d(raw_d);
  uint8_t d_bytes[kP256CoordinateSize];
  if (BN_bn2binpad(d.get(), d_bytes, kCoordinateSizeInt) !=
      kCoordinateSizeInt) {
    OPENSSL_cleanse(d_bytes, sizeof(d_bytes));
    return OpenSslInternalError("exporting the generated P-256 scalar failed");
  }
  // One construction path for generated and loaded keys.
  absl::StatusOr<EcdsaP256PrivateKey> key = FromScalar(absl::string_view(
      reinterpret_cast<const char*>(d_bytes), sizeof(d_bytes)));
  OPENSSL_cleanse(d_bytes, sizeof(d_bytes));
  return key;
}

absl::StatusOr<EcdsaP256PrivateKey> EcdsaP256PrivateKey::FromScalar(
    absl::string_view d) {
  if (d.size() != kP256CoordinateSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("P-256 private scalar must be ", kP256CoordinateSize,
                     " bytes, got ", d.size()));
  }
  if (!InScalarRange(Bytes(d))) {
    return absl::InvalidArgumentError(
        "P-256 private scalar is not in [1, n-1]");
  }
  // Secure allocation marks the BIGNUM as secret, which OSSL_PARAM_BLD
  // honours (see KeyFromData); BN_FLG_CONSTTIME for the point multiply.
  BignumPtr d_bn(BN_secure_new());
  if (d_bn == nullptr || BN_bin2bn(Bytes(d), d.size(), d_bn.get()) == nullptr) {
    return OpenSslInternalError("loading the P-256 scalar failed");
  }
  BN_set_flags(d_bn.get(), BN_FLG_CONSTTIME);

  // OpenSSL 3.0 does not derive the public point when importing only the
  // scalar, so compute Q = d*G here.
  internal::EcGroupPtr group(EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
  internal::EcPointPtr q(group == nullptr ? nullptr
                                          : EC_POINT_new(group.get()));
  uint8_t point[kUncompressedPointSize];
  if (q == nullptr ||
      EC_POINT_mul(group.get(), q.get(), d_bn.get(), nullptr, nullptr,
                   nullptr) != 1 ||
      EC_POINT_point2oct(group.get(), q.get(), POINT_CONVERSION_UNCOMPRESSED,
                         point, sizeof(point),
                         nullptr) != kUncompressedPointSize) {
    return OpenSslInternalError("deriving the P-256 public key failed");
  }
  const absl::string_view point_view(reinterpret_cast<const char*>(point),
                                     sizeof(point));
  absl::StatusOr<EcdsaP256PublicKey> public_key =
      EcdsaP256PublicKey::FromCoordinates(
          point_view.substr(1, kP256CoordinateSize),
          point_view.substr(1 + kP256CoordinateSize));
  if (!public_key.ok()) return public_key.status();
  absl::StatusOr<EvpPkeyPtr> key =
      KeyFromData(point_view, d_bn.get(), EVP_PKEY_KEYPAIR);
  if (!key.ok()) return key.status();
  return EcdsaP256PrivateKey(*std::move(key), SecretBytes(d),
                             *std::move(public_key));
}

absl::StatusOr<std::string> EcdsaP256PrivateKey::Sign(
    absl::string_view message) const {
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  uint8_t der[kMaxDerSignatureSize];
  size_t der_size = sizeof(der);
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr,
                         key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), der, &der_size, Bytes(message),
                     message.size()) != 1) {
    return OpenSslInternalError("ES256 signing failed");
  }
  // JWS wants R||S, each left-padded to 32 bytes (RFC 7518 section 3.4).
  const uint8_t* in = der;
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &in, static_cast<long>(der_size)));
  if (sig == nullptr) {
    return OpenSslInternalError("decoding the ES256 signature failed");
  }
  const BIGNUM* r = nullptr;
  const BIGNUM* s = nullptr;
  ECDSA_SIG_get0(sig.get(), &r, &s);
  std::string out(kEs256SignatureSize, '\0');
  auto* out_bytes = reinterpret_cast<uint8_t*>(out.data());
  if (BN_bn2binpad(r, out_bytes, kCoordinateSizeInt) != kCoordinateSizeInt ||
      BN_bn2binpad(s, out_bytes + kP256CoordinateSize, kCoordinateSizeInt) !=
          kCoordinateSizeInt) {
    return OpenSslInternalError("encoding the ES256 signature failed");
  }
  return out;
}

}  // namespace meshid::crypto
