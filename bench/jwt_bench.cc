// jwt_bench: the token core against its floor and its peer, in one run.
//
//   HS256 verify (VerifyTokenInto with a reused Principal, VerifyToken with a
//     fresh one) over 10,000 distinct tokens signed by 100 pair keys;
//   the floor: HmacSha256Key::Verify over the same signing inputs, the
//     signatures decoded beforehand;
//   the peer: libjwt's jwt_decode (which verifies HS256) + jwt_free;
//   EdDSA and ES256 VerifyToken beside a bare OpenSSL verify of the same
//     bytes (1,000 distinct tokens each);
//   HS256 SignToken;
//   the memory of a KeySet of 100,000 HS256 pair keys, and where it goes.
//
// Every verify benchmark walks its tokens round-robin, so no result can be
// cached between iterations. bench/summarize.py turns the JSON output into
// the ratios BENCHMARKS.md reports.
#include <jwt.h>
#include <malloc.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <array>
#include <cstdint>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "common/base64url.h"
#include "common/crypto/ecdsa_p256.h"
#include "common/crypto/ed25519.h"
#include "common/crypto/hmac_sha256.h"
#include "common/crypto/random.h"
#include "common/token/jws.h"
#include "common/token/key_set.h"
#include "common/json/json_reader.h"
#include "common/token/keys.h"
#include "common/token/numeric_date.h"
#include "common/token/principal.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"

namespace meshid {
namespace {

constexpr int kHsKeys = 100;
constexpr int kHsTokens = 10000;
constexpr int kAsymTokens = 1000;
constexpr int kMemoryKeys = 100000;

constexpr char kIssuer[] = "https://meshid.example";
constexpr char kAudience[] = "service-0042";

[[noreturn]] void Die(absl::string_view what) {
  std::fprintf(stderr, "jwt_bench: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

template <typename T>
T Must(absl::StatusOr<T> v, absl::string_view what) {
  if (!v.ok()) Die(absl::StrFormat("%s: %s", what, v.status().ToString()));
  return *std::move(v);
}

std::string RandomKid() {
  return Base64UrlEncode(Must(crypto::RandomBytes(16), "random kid"));
}

// One token's pieces, for the floor and the bare verifiers.
struct Prepared {
  std::string token;
  std::string signing_input;  // "<header>.<payload>"
  std::string signature;      // raw bytes
  std::string header_json;    // decoded, for the decomposition benchmarks
  std::string payload_json;
  int key_index = 0;
};

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

// The HS256 world: 100 pair keys (all for this validator's audience, one
// client each) and 10,000 tokens, token i signed by key i % 100.
struct Hs256World {
  absl::Time now = absl::FromUnixSeconds(1767225600);  // 2026-01-01
  VerifyPolicy policy = Policy();
  std::vector<std::string> secrets;
  std::vector<crypto::HmacSha256Key> prepared_keys;  // the floor's keys
  std::vector<SigningKey> signing_keys;
  std::vector<std::string> client_ids;
  std::shared_ptr<const KeySet> keys;
  std::vector<Prepared> tokens;
  // The same payloads and keys with "typ":"JWT": libjwt 1.10.2's jwt_decode
  // refuses any other typ (EINVAL), so it cannot read "at+jwt" tokens.
  std::vector<std::string> libjwt_tokens;

  Hs256World() {
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
};

const Hs256World& Hs() {
  static const Hs256World* const world = new Hs256World();
  return *world;
}

// One issuer key (EdDSA or ES256) and 1,000 tokens it signed.
struct AsymWorld {
  absl::Time now = absl::FromUnixSeconds(1767225600);
  VerifyPolicy policy = Policy();
  std::shared_ptr<const KeySet> keys;
  crypto::EvpPkeyPtr bare_key;  // built from the same raw public key
  std::vector<Prepared> tokens;
};

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

// Advances a round-robin index without a division.
inline size_t Next(size_t i, size_t n) { return ++i == n ? 0 : i; }

// ---------------------------------------------------------------- HS256 ---

void BM_HS256_VerifyTokenInto(benchmark::State& state) {
  const Hs256World& w = Hs();
  Principal principal;  // reused: its buffers stop allocating once warm
  size_t i = 0;
  for (auto _ : state) {
    const VerifyError e = VerifyTokenInto(w.tokens[i].token, *w.keys,
                                          w.policy, w.now, &principal);
    if (e != VerifyError::kOk) {
      state.SkipWithError("HS256 VerifyTokenInto failed");
      break;
    }
    benchmark::DoNotOptimize(principal);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
  size_t token_bytes = 0, input_bytes = 0, payload_bytes = 0;
  for (const Prepared& t : w.tokens) {
    token_bytes += t.token.size();
    input_bytes += t.signing_input.size();
    payload_bytes += t.payload_json.size();
  }
  state.counters["token_bytes"] =
      static_cast<double>(token_bytes) / w.tokens.size();
  state.counters["signing_input_bytes"] =
      static_cast<double>(input_bytes) / w.tokens.size();
  state.counters["payload_json_bytes"] =
      static_cast<double>(payload_bytes) / w.tokens.size();
}
BENCHMARK(BM_HS256_VerifyTokenInto);

void BM_HS256_VerifyToken(benchmark::State& state) {
  const Hs256World& w = Hs();
  size_t i = 0;
  for (auto _ : state) {
    VerifyResult r = VerifyToken(w.tokens[i].token, *w.keys, w.policy, w.now);
    if (!r.ok()) {
      state.SkipWithError("HS256 VerifyToken failed");
      break;
    }
    benchmark::DoNotOptimize(r);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HS256_VerifyToken);

// The floor: the MAC alone, key prepared, signature already decoded.
void BM_HS256_Floor_HmacVerify(benchmark::State& state) {
  const Hs256World& w = Hs();
  size_t i = 0;
  for (auto _ : state) {
    const Prepared& t = w.tokens[i];
    const bool ok =
        w.prepared_keys[t.key_index].Verify(t.signing_input, t.signature);
    if (!ok) {
      state.SkipWithError("HMAC floor failed");
      break;
    }
    benchmark::DoNotOptimize(ok);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HS256_Floor_HmacVerify);

// The peer: libjwt 1.10.2 decodes and, given a key, verifies HS256.
void BM_HS256_Libjwt(benchmark::State& state) {
  const Hs256World& w = Hs();
  size_t i = 0;
  for (auto _ : state) {
    const std::string& secret = w.secrets[w.tokens[i].key_index];
    jwt_t* jwt = nullptr;
    const int rc = jwt_decode(
        &jwt, w.libjwt_tokens[i].c_str(),
        reinterpret_cast<const unsigned char*>(secret.data()),
        static_cast<int>(secret.size()));
    if (rc != 0 || jwt == nullptr) {
      state.SkipWithError("libjwt jwt_decode failed");
      break;
    }
    benchmark::DoNotOptimize(jwt);
    jwt_free(jwt);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HS256_Libjwt);

void BM_HS256_SignToken(benchmark::State& state) {
  const Hs256World& w = Hs();
  std::vector<std::string> jtis;
  jtis.reserve(kHsTokens);
  for (int i = 0; i < kHsTokens; ++i) jtis.push_back(RandomKid());
  TokenClaims claims = Claims(0, w.now, w.client_ids[0]);
  size_t i = 0;
  for (auto _ : state) {
    claims.jti = jtis[i];  // a distinct jti per token
    absl::StatusOr<std::string> token = SignToken(claims, w.signing_keys[0]);
    if (!token.ok()) {
      state.SkipWithError("SignToken failed");
      break;
    }
    benchmark::DoNotOptimize(token);
    i = Next(i, jtis.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HS256_SignToken);

// ------------------------------------ HS256 verify, decomposed (no targets)
//
// The steps of VerifyTokenInto one by one, through the same public APIs, over
// the same tokens, so the verifier's distance from the floor can be split by
// measurement: what each step costs on its own.

// Step 1: find the two dots and decode the three segments (stack buffer).
void BM_Part_SplitAndDecode(benchmark::State& state) {
  const Hs256World& w = Hs();
  char decoded[kMaxTokenBytes];
  size_t i = 0;
  for (auto _ : state) {
    const absl::string_view token = w.tokens[i].token;
    const size_t dot1 = token.find('.');
    const size_t dot2 = token.find('.', dot1 + 1);
    size_t h = 0, p = 0, sig = 0;
    const bool ok =
        token.find('.', dot2 + 1) == absl::string_view::npos &&
        Base64UrlDecode(token.substr(0, dot1), decoded, &h) &&
        Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), decoded + h,
                        &p) &&
        Base64UrlDecode(token.substr(dot2 + 1), decoded + h + p, &sig);
    if (!ok) {
      state.SkipWithError("decode failed");
      break;
    }
    benchmark::DoNotOptimize(decoded);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Part_SplitAndDecode);

json::JsonLimits VerifierLimits() {
  json::JsonLimits limits;
  limits.max_input_bytes = kMaxTokenBytes;
  limits.max_depth = kMaxTokenJsonDepth;
  limits.max_values = kMaxTokenJsonValues;
  return limits;
}

// Steps 2 and 5: the two JSON documents (reused, as the verifier's
// thread-local ones are).
void ParseJson(benchmark::State& state, std::string Prepared::*which) {
  const Hs256World& w = Hs();
  const json::JsonLimits limits = VerifierLimits();
  json::JsonDocument doc;
  size_t i = 0;
  for (auto _ : state) {
    if (doc.Parse(w.tokens[i].*which, limits) != json::JsonError::kNone) {
      state.SkipWithError("parse failed");
      break;
    }
    benchmark::DoNotOptimize(doc.root());
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_Part_ParseHeader(benchmark::State& state) {
  ParseJson(state, &Prepared::header_json);
}
BENCHMARK(BM_Part_ParseHeader);
void BM_Part_ParsePayload(benchmark::State& state) {
  ParseJson(state, &Prepared::payload_json);
}
BENCHMARK(BM_Part_ParsePayload);

// Step 6's dates: exp, iat and nbf as the verifier parses them.
void BM_Part_ThreeNumericDates(benchmark::State& state) {
  const Hs256World& w = Hs();
  const json::JsonLimits limits = VerifierLimits();
  std::vector<std::array<std::string, 3>> dates;
  json::JsonDocument doc;
  for (const Prepared& t : w.tokens) {
    if (doc.Parse(t.payload_json, limits) != json::JsonError::kNone) {
      Die("payload");
    }
    dates.push_back({std::string(doc.FindMember(doc.root(), "exp")->text),
                     std::string(doc.FindMember(doc.root(), "iat")->text),
                     std::string(doc.FindMember(doc.root(), "nbf")->text)});
  }
  size_t i = 0;
  for (auto _ : state) {
    for (const std::string& d : dates[i]) {
      std::optional<NumericDate> v = NumericDate::Parse(d);
      if (!v.has_value()) state.SkipWithError("date");
      benchmark::DoNotOptimize(v);
    }
    i = Next(i, dates.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Part_ThreeNumericDates);

// Step 3: the kid lookup in the 100-key snapshot.
void BM_Part_KidLookup(benchmark::State& state) {
  const Hs256World& w = Hs();
  size_t i = 0;
  for (auto _ : state) {
    const VerificationKey* key =
        w.keys->Find(w.signing_keys[w.tokens[i].key_index].kid);
    benchmark::DoNotOptimize(key);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Part_KidLookup);

// ------------------------------------------------------ EdDSA and ES256 ---

void VerifyAsym(benchmark::State& state, const AsymWorld& w,
                const char* failure) {
  size_t i = 0;
  for (auto _ : state) {
    VerifyResult r = VerifyToken(w.tokens[i].token, *w.keys, w.policy, w.now);
    if (!r.ok()) {
      state.SkipWithError(failure);
      break;
    }
    benchmark::DoNotOptimize(r);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_EdDSA_VerifyToken(benchmark::State& state) {
  VerifyAsym(state, Ed(), "EdDSA VerifyToken failed");
}
BENCHMARK(BM_EdDSA_VerifyToken);

void BM_ES256_VerifyToken(benchmark::State& state) {
  VerifyAsym(state, Es(), "ES256 VerifyToken failed");
}
BENCHMARK(BM_ES256_VerifyToken);

// A minimal hand-written Ed25519 verifier: a fresh EVP_MD_CTX per call.
void BM_EdDSA_BareOpenSSL(benchmark::State& state) {
  const AsymWorld& w = Ed();
  size_t i = 0;
  for (auto _ : state) {
    const Prepared& t = w.tokens[i];
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr,
                             w.bare_key.get()) == 1 &&
        EVP_DigestVerify(
            ctx, reinterpret_cast<const unsigned char*>(t.signature.data()),
            t.signature.size(),
            reinterpret_cast<const unsigned char*>(t.signing_input.data()),
            t.signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
      state.SkipWithError("bare Ed25519 verify failed");
      break;
    }
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EdDSA_BareOpenSSL);

// A minimal hand-written ES256 verifier: R||S -> DER, then a fresh
// EVP_MD_CTX with SHA-256 per call.
void BM_ES256_BareOpenSSL(benchmark::State& state) {
  const AsymWorld& w = Es();
  size_t i = 0;
  for (auto _ : state) {
    const Prepared& t = w.tokens[i];
    const auto* rs = reinterpret_cast<const unsigned char*>(t.signature.data());
    ECDSA_SIG* sig = ECDSA_SIG_new();
    ECDSA_SIG_set0(sig, BN_bin2bn(rs, 32, nullptr),
                   BN_bin2bn(rs + 32, 32, nullptr));
    unsigned char der[80];
    unsigned char* p = der;
    const int der_size = i2d_ECDSA_SIG(sig, &p);
    ECDSA_SIG_free(sig);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    const bool ok =
        der_size > 0 &&
        EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr,
                             w.bare_key.get()) == 1 &&
        EVP_DigestVerify(
            ctx, der, static_cast<size_t>(der_size),
            reinterpret_cast<const unsigned char*>(t.signing_input.data()),
            t.signing_input.size()) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
      state.SkipWithError("bare ES256 verify failed");
      break;
    }
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ES256_BareOpenSSL);

// --------------------------------------------------------------- Memory ---

// Bytes the allocator has handed out and not had back: the arena chunks in
// use (uordblks) plus the mmapped ones (hblkhd). Large blocks (the hash
// table's backing array, several MB) are mmapped by glibc and do not show up
// in uordblks alone.
struct HeapUse {
  size_t arena = 0;
  size_t mmapped = 0;
  size_t total() const { return arena + mmapped; }
};
HeapUse Heap() {
  const struct mallinfo2 mi = mallinfo2();
  return HeapUse{mi.uordblks, mi.hblkhd};
}

struct KeyInputs {
  std::string kid;
  std::string client_id;
  std::string audience;
};

KeyInputs MemoryKeyInputs(int i) {
  return KeyInputs{RandomKid(), absl::StrFormat("client-%05d", i),
                   absl::StrFormat("service-%04d", i % 10000)};
}

// The production shape: 100,000 pair keys, kid = base64url(16 random
// bytes), a 32-byte random secret each. Everything but the built set (the
// builder, the secrets, the StatusOr temporaries) is gone on return.
std::shared_ptr<const KeySet> BuildPairKeySet(int n) {
  KeySet::Builder builder;
  for (int i = 0; i < n; ++i) {
    KeyInputs in = MemoryKeyInputs(i);
    const crypto::SecretBytes secret = Must(crypto::RandomSecret(32), "secret");
    builder.AddKey(Must(VerificationKey::Hs256(std::move(in.kid), secret.view(),
                                               std::move(in.client_id),
                                               std::move(in.audience)),
                        "hs256 key"));
  }
  return std::move(builder).Build();
}

// Prints one measurement on stderr and returns the bytes per key.
double ReportBytes(const char* label, HeapUse before, HeapUse after, int n) {
  const double total = static_cast<double>(after.total()) -
                       static_cast<double>(before.total());
  const double arena = static_cast<double>(after.arena) -
                       static_cast<double>(before.arena);
  std::fprintf(stderr,
               "jwt_bench memory: %s: %.0f bytes (%.2f MB) for %d keys = "
               "%.1f B/key [uordblks %+.0f, hblkhd %+.0f]\n",
               label, total, total / 1e6, n, total / n, arena, total - arena);
  return total / n;
}

void BM_Memory_KeySet100kHs256(benchmark::State& state) {
  crypto::RandomBytes(16).IgnoreError();  // the DRBG's own state, first use
  for (auto _ : state) {
    const HeapUse before = Heap();
    std::shared_ptr<const KeySet> set = BuildPairKeySet(kMemoryKeys);
    const HeapUse after = Heap();
    if (set->key_count() != static_cast<size_t>(kMemoryKeys)) {
      state.SkipWithError("wrong key count");
      break;
    }
    ReportBytes("KeySet 100k HS256", before, after, kMemoryKeys);
    state.counters["bytes_total"] = static_cast<double>(after.total()) -
                                    static_cast<double>(before.total());
    state.counters["bytes_per_key"] =
        state.counters["bytes_total"] / kMemoryKeys;
    state.counters["uordblks_delta"] = static_cast<double>(after.arena) -
                                       static_cast<double>(before.arena);
    set.reset();
    const HeapUse released = Heap();
    state.counters["bytes_leaked_after_drop"] =
        static_cast<double>(released.total()) -
        static_cast<double>(before.total());
  }
}
BENCHMARK(BM_Memory_KeySet100kHs256)->Iterations(1);

// Where the bytes of BM_Memory_KeySet100kHs256 go, each part measured on its
// own with the same allocator: the kid strings, the shared VerificationKeys
// (make_shared: control block + object), the hash table, and the HMAC
// material (the set again with revoked keys, which carry none).
void BM_Memory_Breakdown(benchmark::State& state) {
  crypto::RandomBytes(16).IgnoreError();
  const int n = kMemoryKeys;
  for (auto _ : state) {
    std::vector<KeyInputs> inputs;
    inputs.reserve(n);
    for (int i = 0; i < n; ++i) inputs.push_back(MemoryKeyInputs(i));

    // kid strings alone (22 chars: beyond the 15-char SSO buffer), as
    // Base64UrlEncode returns them (it reserves, so the capacity is the
    // doubled SSO capacity, 30) and as an exact-size copy.
    {
      std::vector<std::string> kids;
      kids.reserve(n);
      const HeapUse before = Heap();
      for (int i = 0; i < n; ++i) kids.push_back(RandomKid());
      state.counters["kid_bytes_per_key"] =
          ReportBytes("  kid strings from Base64UrlEncode", before, Heap(), n);
      state.counters["kid_capacity"] = static_cast<double>(kids[0].capacity());
    }
    {
      std::vector<std::string> kids;
      kids.reserve(n);
      const HeapUse before = Heap();
      for (const KeyInputs& in : inputs) kids.push_back(in.kid);
      state.counters["kid_copy_bytes_per_key"] =
          ReportBytes("  kid strings, exact copies", before, Heap(), n);
    }
    // make_shared<const VerificationKey>, material and strings excluded
    // (empty kid, client_id and audience of 12 chars fit the SSO buffer).
    {
      std::vector<std::shared_ptr<const VerificationKey>> objects;
      objects.reserve(n);
      const HeapUse before = Heap();
      for (const KeyInputs& in : inputs) {
        VerificationKey key;
        key.client_id = in.client_id;
        key.audience = in.audience;
        objects.push_back(std::make_shared<const VerificationKey>(
            std::move(key)));
      }
      state.counters["object_bytes_per_key"] =
          ReportBytes("  shared VerificationKey objects", before, Heap(), n);
    }
    // The hash table: the same map type KeySet uses, values sharing one key.
    {
      const auto one = std::make_shared<const VerificationKey>();
      const HeapUse before = Heap();
      absl::flat_hash_map<absl::string_view,
                          std::shared_ptr<const VerificationKey>>
          map;
      for (const KeyInputs& in : inputs) map.emplace(in.kid, one);
      state.counters["table_bytes_per_key"] =
          ReportBytes("  flat_hash_map table", before, Heap(), n);
      state.counters["table_capacity"] = static_cast<double>(map.capacity());
    }
    // The set with revoked keys (fresh kids from Base64UrlEncode, moved in
    // as the factories do; no material): compared with the full set, the
    // difference is what the HMAC material costs on the heap.
    {
      const HeapUse before = Heap();
      KeySet::Builder builder;
      for (const KeyInputs& in : inputs) {
        VerificationKey key =
            VerificationKey::Revoked(RandomKid(), Algorithm::kHs256);
        key.client_id = in.client_id;  // 12 chars: inline (SSO)
        key.audience = in.audience;
        builder.AddKey(std::move(key));
      }
      std::shared_ptr<const KeySet> set = std::move(builder).Build();
      state.counters["no_material_bytes_per_key"] =
          ReportBytes("  KeySet of material-less keys", before, Heap(), n);
    }
    state.counters["sizeof_VerificationKey"] = sizeof(VerificationKey);
    state.counters["sizeof_HmacSha256Key"] = sizeof(crypto::HmacSha256Key);
    std::fprintf(stderr,
                 "jwt_bench memory: sizeof(VerificationKey) = %zu, "
                 "sizeof(HmacSha256Key) = %zu\n",
                 sizeof(VerificationKey), sizeof(crypto::HmacSha256Key));
  }
}
BENCHMARK(BM_Memory_Breakdown)->Iterations(1);

}  // namespace
}  // namespace meshid

BENCHMARK_MAIN();
