// The data jwt_bench measures on, built once per process: an HS256 world
// (100 pair keys, 10,000 distinct tokens, the same tokens re-headed for
// libjwt) and one EdDSA and one ES256 issuer key with 1,000 tokens each,
// plus each token split into the pieces the floor and the bare verifiers
// need. Setup failures abort: a benchmark on broken inputs prints nothing.
#ifndef MESHID_BENCH_JWT_BENCH_WORLDS_H_
#define MESHID_BENCH_JWT_BENCH_WORLDS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/crypto/hmac_sha256.h"
#include "common/crypto/ed25519.h"  // EvpPkeyPtr
#include "common/token/key_set.h"
#include "common/token/keys.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"

namespace meshid::jwtbench {

inline constexpr int kHsKeys = 100;
inline constexpr int kHsTokens = 10000;
inline constexpr int kAsymTokens = 1000;

inline constexpr char kIssuer[] = "https://meshid.example";
inline constexpr char kAudience[] = "service-0042";

// One token's pieces, for the floor and the bare verifiers.
struct Prepared {
  std::string token;
  std::string signing_input;  // "<header>.<payload>"
  std::string signature;      // raw bytes
  std::string header_json;    // decoded, for the decomposition benchmarks
  std::string payload_json;
  int key_index = 0;
};

Prepared Split(std::string token, int key_index);

// Realistic claims for token `i` (a distinct sub and jti each).
TokenClaims Claims(int i, absl::Time now, std::string client_id);

// What every world's tokens are verified against (issuer and audience).
VerifyPolicy Policy();

// The HS256 world: 100 pair keys (all for this validator's audience, one
// client each) and 10,000 tokens, token i signed by key i % 100.
struct Hs256World {
  Hs256World();

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
};

const Hs256World& Hs();

// One issuer key (EdDSA or ES256) and 1,000 tokens it signed.
struct AsymWorld {
  absl::Time now = absl::FromUnixSeconds(1767225600);
  VerifyPolicy policy = Policy();
  std::shared_ptr<const KeySet> keys;
  crypto::EvpPkeyPtr bare_key;  // built from the same raw public key
  std::vector<Prepared> tokens;
};

const AsymWorld& Ed();
const AsymWorld& Es();

}  // namespace meshid::jwtbench

#endif  // MESHID_BENCH_JWT_BENCH_WORLDS_H_
