// Writes the signed seeds of the token fuzzers with the project's own signer
// and the fixture's keys:
//   <dir>/token_verify/gen-*.jwt   compact tokens, one per file
//   <dir>/token_claims/gen-*       inputs of token_claims_fuzzer (signer
//                                  byte, optional header line, payload)
// Each seed lands on a different verdict (accepted, or one reason each), so
// the fuzzers start from every branch of the verifier. Static seeds (RFC
// vectors, malformed tokens) sit next to them and are not touched.
//
//   build-fuzz/fuzz/make_seeds fuzz/corpus
#include <cstdio>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/token/token_signer.h"
#include "common/token/verify_error.h"
#include "fuzz/token_fixture.h"

namespace {

using meshid::SigningKey;
using meshid::TokenClaims;
using meshid::fuzz::GetTokenFixture;
using meshid::testing::HeaderFor;
using meshid::testing::SignRaw;
using meshid::testing::TestClaims;

std::string g_dir;
bool g_failed = false;

void Write(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::fprintf(stderr, "make_seeds: cannot write %s\n", path.c_str());
    g_failed = true;
  }
}

// A token seed, and the same bytes as a token_claims seed.
void Seed(const std::string& name, char signer_byte, const SigningKey& key,
          const std::string& header, const std::string& payload) {
  const std::string token = SignRaw(header, payload, key);
  Write(absl::StrCat(g_dir, "/token_verify/gen-", name, ".jwt"), token);
  const bool standard = header == HeaderFor(key);
  Write(absl::StrCat(g_dir, "/token_claims/gen-", name),
        absl::StrCat(std::string(1, signer_byte), standard ? "" : header,
                     standard ? "" : "\n", payload));
  const meshid::VerifyError verdict = meshid::fuzz::VerifyAndCheck(token);
  std::printf("%-28s %s\n", name.c_str(),
              std::string(meshid::VerifyErrorName(verdict)).c_str());
}

void SeedClaims(const std::string& name, char signer_byte,
                const SigningKey& key, const TokenClaims& claims) {
  Seed(name, signer_byte, key, HeaderFor(key),
       meshid::SerializeClaims(claims));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <corpus dir>\n");
    return 2;
  }
  g_dir = argv[1];
  const auto& f = GetTokenFixture();
  const auto& s = f.signers;

  SeedClaims("valid-hs256", 'h', s.hs, TestClaims());
  SeedClaims("valid-eddsa", 'e', s.ed, TestClaims());
  SeedClaims("valid-es256", 's', s.es, TestClaims());

  TokenClaims c = TestClaims();
  c.not_before.reset();
  c.scope.clear();
  c.roles.clear();
  c.principal_state = "ACTIVE";
  SeedClaims("valid-minimal-pst", 'e', s.ed, c);

  c = TestClaims();
  c.roles = {"admin", "service", "reader"};
  SeedClaims("valid-roles", 'h', s.hs, c);

  c = TestClaims();
  c.jti = std::string(meshid::fuzz::kRevokedJti);
  SeedClaims("revoked-jti", 'e', s.ed, c);

  c = TestClaims();
  c.subject = std::string(meshid::fuzz::kRevokedSubject);
  SeedClaims("revoked-subject", 's', s.es, c);

  c = TestClaims();
  c.expires_at = f.now - absl::Minutes(5);
  c.issued_at = c.expires_at - absl::Minutes(10);
  c.not_before = c.issued_at;
  SeedClaims("expired", 'e', s.ed, c);

  c = TestClaims();
  c.issued_at = f.now + absl::Minutes(5);
  c.not_before = c.issued_at;
  c.expires_at = c.issued_at + absl::Minutes(10);
  SeedClaims("not-yet-valid", 'h', s.hs, c);

  c = TestClaims();
  c.expires_at = c.issued_at + absl::Hours(5);
  SeedClaims("lifetime-too-long", 'e', s.ed, c);

  c = TestClaims();
  c.audience = "other-service";
  SeedClaims("aud-mismatch", 's', s.es, c);

  c = TestClaims();
  c.issuer = "https://evil.test";
  SeedClaims("iss-mismatch", 'e', s.ed, c);

  c = TestClaims();
  c.client_id = "other-client";
  SeedClaims("client-key-mismatch", 'h', s.hs, c);

  const std::string claims = meshid::SerializeClaims(TestClaims());
  // Headers: the RFC 9864 name, a wrong typ, a forbidden member, a kid in
  // each rejecting key state, an escaped kid (no fast path), no kid.
  Seed("alg-ed25519", 'e', s.ed,
       R"({"alg":"Ed25519","kid":"ed-issuer-key","typ":"at+jwt"})", claims);
  Seed("typ-jwt", 'h', s.hs,
       R"({"alg":"HS256","kid":"hs-pair-key","typ":"JWT"})", claims);
  Seed("header-jku", 'e', s.ed,
       R"({"alg":"EdDSA","kid":"ed-issuer-key","typ":"at+jwt","jku":"https://x"})",
       claims);
  Seed("kid-revoked", 'e', s.ed,
       R"({"alg":"EdDSA","kid":"revoked-key","typ":"at+jwt"})", claims);
  Seed("kid-expired", 'e', s.ed,
       R"({"alg":"EdDSA","kid":"expired-key","typ":"at+jwt"})", claims);
  Seed("kid-past-window", 's', s.es,
       R"({"alg":"ES256","kid":"past-window-key","typ":"at+jwt"})", claims);
  Seed("kid-escaped", 'h', s.hs,
       R"({"typ":"at+jwt","kid":"hs-pair\u002dkey","alg":"HS256"})", claims);
  Seed("kid-missing", 'h', s.hs, R"({"alg":"HS256","typ":"at+jwt"})", claims);
  Seed("alg-confusion", 'h', s.hs,
       R"({"alg":"HS256","kid":"ed-issuer-key","typ":"at+jwt"})", claims);

  // Payloads the signer never writes: odd dates, types, duplicates, depth.
  const std::string header_ed = HeaderFor(s.ed);
  Seed("dates-fractional", 'e', s.ed, header_ed,
       R"({"iss":"https://meshid.test","sub":"careergpt-backend","aud":"logging-service","exp":1.7000008e9,"nbf":-0.5,"iat":1699999940.999999999999,"jti":"j","client_id":"careergpt-backend"})");
  Seed("dates-huge", 'e', s.ed, header_ed,
       R"({"iss":"https://meshid.test","sub":"careergpt-backend","aud":"logging-service","exp":1e400,"iat":-9223372036854775809,"jti":"j","client_id":"careergpt-backend"})");
  Seed("claim-types", 'e', s.ed, header_ed,
       R"({"iss":"https://meshid.test","sub":"careergpt-backend","aud":["logging-service"],"exp":"1700000840","iat":1699999940,"jti":"j","client_id":"careergpt-backend","roles":"admin","scope":null})");
  Seed("duplicate-claim", 'e', s.ed, header_ed,
       R"({"iss":"https://meshid.test","sub":"a","sub":"b","aud":"logging-service","exp":1700000840,"iat":1699999940,"jti":"j","client_id":"careergpt-backend"})");
  Seed("deep-payload", 'e', s.ed, header_ed,
       std::string(40, '[') + std::string(40, ']'));
  Seed("payload-not-json", 'e', s.ed, header_ed,
       "Example of Ed25519 signing");
  return g_failed ? 1 : 0;
}
