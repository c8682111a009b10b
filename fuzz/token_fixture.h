// The fixed world the token fuzzers verify against: the test suite's keys
// (tests/common/token/test_keys.h: RFC 7515 A.1 HS256 pair key, RFC 8037
// Ed25519, RFC 7515 A.3 ES256), the HS256 keys of the RFC 7520 4.4 and
// Wycheproof vectors under their own kids, and one key in each state that
// rejects before the signature (revoked, expired, past its window), plus a
// revoked jti and a revoked subject. Every VerifyError is reachable.
#ifndef MESHID_FUZZ_TOKEN_FIXTURE_H_
#define MESHID_FUZZ_TOKEN_FIXTURE_H_

#include <memory>

#include "absl/time/time.h"
#include "common/token/key_set.h"
#include "common/token/token_verifier.h"
#include "tests/common/token/test_keys.h"

namespace meshid::fuzz {

inline constexpr absl::string_view kRevokedKid = "revoked-key";
inline constexpr absl::string_view kExpiredKid = "expired-key";
inline constexpr absl::string_view kPastWindowKid = "past-window-key";
inline constexpr absl::string_view kRevokedJti = "jti-revoked";
inline constexpr absl::string_view kRevokedSubject = "suspended-subject";

struct TokenFixture {
  std::shared_ptr<const KeySet> keys;
  meshid::testing::TestSigners signers;
  VerifyPolicy policy;
  absl::Time now;
};

// Built once, on first use; aborts if a fixed key fails to load or if a
// token signed by the project's signer does not verify (a fuzzer whose
// fixture rejects everything would only ever explore the reject paths).
const TokenFixture& GetTokenFixture();

// Verifies `token` against the fixture and checks what must hold for any
// input (aborting, via FUZZ_CHECK, when it does not): the same answer from
// VerifyToken twice (the verifier keeps per-thread scratch documents between
// calls) and from VerifyTokenInto into a Principal reused across calls; and
// an accepted token names a key of the set, the policy's audience and every
// required claim. Returns the verdict.
VerifyError VerifyAndCheck(absl::string_view token);

}  // namespace meshid::fuzz

#endif  // MESHID_FUZZ_TOKEN_FIXTURE_H_
