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
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "bench/jwt_bench_support.h"
#include "bench/jwt_bench_worlds.h"
#include "benchmark/benchmark.h"
#include "common/base64url.h"
#include "common/crypto/ecdsa_p256.h"
#include "common/crypto/ed25519.h"
#include "common/crypto/hmac_sha256.h"
#include "common/crypto/random.h"
#include "common/json/json_reader.h"
#include "common/token/claim_set.h"
#include "common/token/claims_scanner.h"
#include "common/token/jws.h"
#include "common/token/key_set.h"
#include "common/token/keys.h"
#include "common/token/numeric_date.h"
#include "common/token/principal.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"

namespace meshid {
namespace {

using jwtbench::AsymWorld;
using jwtbench::Claims;
using jwtbench::Die;
using jwtbench::Ed;
using jwtbench::Es;
using jwtbench::Hs;
using jwtbench::Hs256World;
using jwtbench::kHsKeys;
using jwtbench::kHsTokens;
using jwtbench::Must;
using jwtbench::Prepared;
using jwtbench::RandomKid;

// Advances a round-robin index without a division.
inline size_t Next(size_t i, size_t n) { return ++i == n ? 0 : i; }

// ---------------------------------------------------------------- HS256 ---

void BM_HS256_VerifyTokenInto(benchmark::State& state) {
  const Hs256World& w = Hs();
  Principal principal;  // reused: its buffers stop allocating once warm
  size_t i = 0;
  for (auto _ : state) {
    const VerifyError e = VerifyTokenInto(w.tokens[i].token, *w.keys, w.policy,
                                          w.now, &principal);
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
    const int rc =
        jwt_decode(&jwt, w.libjwt_tokens[i].c_str(),
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

// Step 5 as the verifier now takes it for meshid's own payloads: the
// profile scanner instead of the general reader (declining is a failure
// here: every bench token is in the scanner's subset). The payload is first
// copied into a stack buffer, as the verifier's decoded payload lies in one:
// the copy (included) brings it into cache, so the figure is the scan, not
// the cache misses on a cold std::string that the verifier never has.
void BM_Part_ScanClaims(benchmark::State& state) {
  const Hs256World& w = Hs();
  ClaimSet claims;
  char buffer[kMaxTokenBytes];
  size_t i = 0;
  for (auto _ : state) {
    const std::string& payload = w.tokens[i].payload_json;
    std::memcpy(buffer, payload.data(), payload.size());
    if (!ScanProfileClaims(absl::string_view(buffer, payload.size()),
                           &claims)) {
      state.SkipWithError("the scanner declined a bench payload");
      break;
    }
    benchmark::DoNotOptimize(claims);
    i = Next(i, w.tokens.size());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Part_ScanClaims);

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

// The verifier and its floor on one token over and over: everything in
// cache, so the difference is the verifier's own work without the cache
// misses that a cold token costs both of them.
void BM_Part_HotVerifyTokenInto(benchmark::State& state) {
  const Hs256World& w = Hs();
  Principal principal;
  for (auto _ : state) {
    const VerifyError e = VerifyTokenInto(w.tokens[0].token, *w.keys, w.policy,
                                          w.now, &principal);
    if (e != VerifyError::kOk) {
      state.SkipWithError("HS256 VerifyTokenInto failed");
      break;
    }
    benchmark::DoNotOptimize(principal);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Part_HotVerifyTokenInto);

void BM_Part_HotFloor(benchmark::State& state) {
  const Hs256World& w = Hs();
  const Prepared& t = w.tokens[0];
  for (auto _ : state) {
    const bool ok =
        w.prepared_keys[t.key_index].Verify(t.signing_input, t.signature);
    if (!ok) {
      state.SkipWithError("HMAC floor failed");
      break;
    }
    benchmark::DoNotOptimize(ok);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Part_HotFloor);

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

}  // namespace
}  // namespace meshid

BENCHMARK_MAIN();
