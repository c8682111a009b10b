#include "fuzz/token_fixture.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "common/base64url.h"
#include "common/token/token_signer.h"
#include "fuzz/fuzz_check.h"

namespace meshid::fuzz {
namespace {

using meshid::testing::B64;

[[noreturn]] void Die(absl::string_view what) {
  std::fprintf(stderr, "token fixture: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

template <typename T>
T OrDie(absl::StatusOr<T> v, absl::string_view what) {
  if (!v.ok()) Die(what);
  return *std::move(v);
}

TokenFixture Build() {
  TokenFixture f{nullptr, meshid::testing::MakeTestSigners(),
                 meshid::testing::TestPolicy(), meshid::testing::TestNow()};

  KeySet::Builder b(*meshid::testing::MakeTestKeySet());
  // RFC 7520 4.4 and Wycheproof tcId 1 carry these kids: their vectors get
  // past the key lookup to the signature and the (non-JSON) payload.
  b.AddKey(OrDie(VerificationKey::Hs256(
                     "018c0ae5-4d9b-471b-bfd6-eef314bc7037",
                     meshid::testing::Rfc7520HmacKey(), "", ""),
                 "rfc7520 key"));
  b.AddKey(OrDie(VerificationKey::Hs256(
                     "kid-aes-sign",
                     B64("-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE"), "",
                     ""),
                 "wycheproof key"));
  b.AddKey(VerificationKey::Revoked(std::string(kRevokedKid),
                                    Algorithm::kEdDsa));
  VerificationKey expired =
      OrDie(VerificationKey::Ed25519(std::string(kExpiredKid),
                                     meshid::testing::Rfc8037Public()),
            "expired key");
  expired.state = KeyState::kExpired;
  b.AddKey(std::move(expired));
  VerificationKey past =
      OrDie(VerificationKey::Es256(std::string(kPastWindowKid),
                                   meshid::testing::Rfc7515EcX(),
                                   meshid::testing::Rfc7515EcY()),
            "past-window key");
  past.state = KeyState::kRetired;
  past.verify_until = f.now - absl::Minutes(5);
  b.AddKey(std::move(past));
  b.RevokeJti(kRevokedJti, f.now + absl::Hours(1));
  b.RevokeSubject(kRevokedSubject, f.now);
  b.SetVersion(7);
  f.keys = std::move(b).Build();

  // Self-check: each algorithm's signer and verifier agree on this build
  // (clang objects against g++-built Abseil/OpenSSL: an ABI mismatch shows
  // up here, not as a fuzzer that never passes the signature check).
  for (const SigningKey* key : {&f.signers.hs, &f.signers.ed, &f.signers.es}) {
    const std::string token =
        OrDie(SignToken(meshid::testing::TestClaims(), *key), "sign");
    const VerifyResult r = VerifyToken(token, *f.keys, f.policy, f.now);
    if (!r.ok()) Die(VerifyErrorName(r.error()));
  }
  return f;
}

}  // namespace

const TokenFixture& GetTokenFixture() {
  static const TokenFixture* const fixture = new TokenFixture(Build());
  return *fixture;
}

VerifyError VerifyAndCheck(absl::string_view token) {
  const TokenFixture& f = GetTokenFixture();
  const VerifyResult first = VerifyToken(token, *f.keys, f.policy, f.now);
  const VerifyResult again = VerifyToken(token, *f.keys, f.policy, f.now);
  FUZZ_CHECK(first.error() == again.error());
  FUZZ_CHECK(!VerifyErrorName(first.error()).empty());

  // One Principal for the whole run, as a validator's hot path reuses it.
  static Principal* const reused = new Principal();
  const VerifyError into =
      VerifyTokenInto(token, *f.keys, f.policy, f.now, reused);
  FUZZ_CHECK(into == first.error());

  if (first.ok()) {
    const Principal& p = first.principal();
    FUZZ_CHECK(f.keys->Find(p.kid) != nullptr);
    FUZZ_CHECK(p.audience == f.policy.audience);
    FUZZ_CHECK(!p.subject.empty() && !p.jti.empty() && !p.client_id.empty());
    FUZZ_CHECK(p.expires_at > f.now - f.policy.clock_skew);
    FUZZ_CHECK(!f.keys->IsJtiRevoked(p.jti));
    FUZZ_CHECK(reused->subject == p.subject && reused->jti == p.jti &&
               reused->client_id == p.client_id && reused->scope == p.scope &&
               reused->roles == p.roles && reused->state == p.state &&
               reused->issued_at == p.issued_at &&
               reused->not_before == p.not_before &&
               reused->expires_at == p.expires_at && reused->kid == p.kid);
  }
  return first.error();
}

}  // namespace meshid::fuzz
