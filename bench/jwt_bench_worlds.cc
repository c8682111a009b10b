#include "bench/jwt_bench_worlds.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "bench/jwt_bench_support.h"
#include "common/base64url.h"
#include "common/crypto/ecdsa_p256.h"
#include "common/crypto/ed25519.h"
#include "common/crypto/random.h"
#include "common/token/jws.h"
#include "common/token/token_signer.h"

namespace meshid::jwtbench {

Prepared Split(std::string token, int key_index) {
  Prepared p;
  const size_t dot = token.rfind('.');
  p.signing_input = token.substr(0, dot);
  const size_t dot1 = token.find('.');
  const absl::string_view view(token);
  if (!Base64UrlDecode(view.substr(dot + 1), &p.signature) ||
      !Base64UrlDecode(view.substr(0, dot1), &p.header_json) ||
      !Base64UrlDecode(view.substr(dot1 + 1, dot - dot1 - 1),
                       &p.payload_json)) {
    Die("token is not base64url");
  }
  p.token = std::move(token);
  p.key_index = key_index;
  return p;
}

// Realistic claims for token `i` (a distinct sub and jti each).
TokenClaims Claims(int i, absl::Time now, std::string client_id) {
  TokenClaims c;
  c.issuer = kIssuer;
  c.subject = absl::StrFormat("user-%06d", i);
  c.audience = kAudience;
  c.client_id = std::move(client_id);
  c.jti = RandomKid();  // 128 random bits, base64url
  c.issued_at = now - absl::Minutes(1);
  c.expires_at = now + absl::Minutes(14);
  c.not_before = c.issued_at;
  c.scope = "tokens.read tokens.write";
  c.roles = {"reader", "writer"};
  return c;
}

VerifyPolicy Policy() {
  VerifyPolicy p;
  p.issuer = kIssuer;
  p.audience = kAudience;
  return p;
}

Hs256World::Hs256World() {
  KeySet::Builder builder;
  for (int k = 0; k < kHsKeys; ++k) {
    const std::string kid = RandomKid();
    secrets.push_back(Must(crypto::RandomBytes(32), "secret"));
    client_ids.push_back(absl::StrFormat("client-%05d", k));
    prepared_keys.push_back(
        Must(crypto::HmacSha256Key::Create(secrets.back()), "hmac key"));
    signing_keys.push_back(
        Must(SigningKey::Hs256(kid, secrets.back()), "signing key"));
    builder.AddKey(Must(VerificationKey::Hs256(kid, secrets.back(),
                                               client_ids.back(), kAudience),
                        "verification key"));
  }
  keys = std::move(builder).Build();
  tokens.reserve(kHsTokens);
  libjwt_tokens.reserve(kHsTokens);
  for (int i = 0; i < kHsTokens; ++i) {
    const int k = i % kHsKeys;
    const TokenClaims claims = Claims(i, now, client_ids[k]);
    tokens.push_back(Split(Must(SignToken(claims, signing_keys[k]), "sign"),
                           k));
    const std::string header = absl::StrFormat(
        R"({"alg":"HS256","kid":"%s","typ":"JWT"})", signing_keys[k].kid);
    libjwt_tokens.push_back(Must(
        SignCompactJws(header, SerializeClaims(claims), signing_keys[k]),
        "sign for libjwt"));
  }
}

const Hs256World& Hs() {
  static const Hs256World* const world = new Hs256World();
  return *world;
}


namespace {

void SignAll(AsymWorld* w, const SigningKey& signing_key) {
  w->tokens.reserve(kAsymTokens);
  for (int i = 0; i < kAsymTokens; ++i) {
    // Issuer keys sign for every client.
    w->tokens.push_back(Split(
        Must(SignToken(Claims(i, w->now, absl::StrFormat("client-%05d", i)),
                       signing_key),
             "sign"),
        0));
  }
}

}  // namespace

const AsymWorld& Ed() {
  static const AsymWorld* const world = [] {
    auto* w = new AsymWorld();
    const crypto::Ed25519PrivateKey priv =
        Must(crypto::Ed25519PrivateKey::Generate(), "ed25519 keygen");
    const std::string kid = RandomKid();
    const std::string& raw = priv.public_key().raw();
    KeySet::Builder builder;
    builder.AddKey(Must(VerificationKey::Ed25519(kid, raw), "ed25519 vk"));
    w->keys = std::move(builder).Build();
    w->bare_key.reset(EVP_PKEY_new_raw_public_key(
        EVP_PKEY_ED25519, nullptr,
        reinterpret_cast<const unsigned char*>(raw.data()), raw.size()));
    if (w->bare_key == nullptr) Die("bare ed25519 key");
    SignAll(w, SigningKey::Ed25519(kid, priv));
    return w;
  }();
  return *world;
}

namespace {

// An EC public EVP_PKEY on P-256 from the uncompressed point 04||x||y, as a
// minimal hand-written verifier would import a JWK.
crypto::EvpPkeyPtr BareP256Key(const std::string& x, const std::string& y) {
  const std::string point = "\x04" + x + y;
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
                                  "prime256v1", 0);
  OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                   point.size());
  OSSL_PARAM* params = OSSL_PARAM_BLD_to_param(bld);
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr);
  EVP_PKEY* key = nullptr;
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &key, EVP_PKEY_PUBLIC_KEY, params) != 1) {
    Die("bare P-256 key");
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  return crypto::EvpPkeyPtr(key);
}

}  // namespace

const AsymWorld& Es() {
  static const AsymWorld* const world = [] {
    auto* w = new AsymWorld();
    crypto::EcdsaP256PrivateKey priv =
        Must(crypto::EcdsaP256PrivateKey::Generate(), "p256 keygen");
    const std::string kid = RandomKid();
    const crypto::EcdsaP256PublicKey& pub = priv.public_key();
    KeySet::Builder builder;
    builder.AddKey(Must(VerificationKey::Es256(kid, pub.x(), pub.y()),
                        "es256 vk"));
    w->keys = std::move(builder).Build();
    w->bare_key = BareP256Key(pub.x(), pub.y());
    SignAll(w, SigningKey::Es256(kid, std::move(priv)));
    return w;
  }();
  return *world;
}

}  // namespace meshid::jwtbench
