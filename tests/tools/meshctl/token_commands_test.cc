// The offline commands, token verify and token decode, through RunMeshctl:
// a JWKS file with an oct key in a temp dir, tokens signed with
// common/token/token_signer.h, ACCEPT/REJECT lines and exit codes 0/1/2.
#include <fstream>

#include "common/base64url.h"
#include "common/token/keys.h"
#include "common/token/token_signer.h"
#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr int64_t kNow = 1714564800;
const std::string kHmacSecret(32, '\x42');

std::string WriteJwks() {
  // One file per test: ctest may run the tests of this binary in parallel.
  const std::string path =
      ::testing::TempDir() + "/meshctl_jwks_" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
  std::ofstream(path) << R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256",)"
                      << R"("k":")" << Base64UrlEncode(kHmacSecret)
                      << R"(","client_id":"svc-a"}]})";
  return path;
}

TokenClaims Claims() {
  TokenClaims claims;
  claims.issuer = "https://meshid.test";
  claims.subject = "svc-a";
  claims.audience = "api";
  claims.client_id = "svc-a";
  claims.jti = "jti-1";
  claims.issued_at = absl::FromUnixSeconds(kNow);
  claims.expires_at = absl::FromUnixSeconds(kNow + 600);
  return claims;
}

std::string Sign(const TokenClaims& claims, const std::string& kid = "k1") {
  absl::StatusOr<SigningKey> key = SigningKey::Hs256(kid, kHmacSecret);
  EXPECT_TRUE(key.ok());
  absl::StatusOr<std::string> token = SignToken(claims, *key);
  EXPECT_TRUE(token.ok()) << token.status();
  return *token;
}

class TokenCommandsTest : public MeshctlTest {
 protected:
  RunResult Verify(const std::string& tokens,
                   std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"token",      "verify",
                                     "--jwks",     jwks_,
                                     "--issuer",   "https://meshid.test",
                                     "--audience", "api",
                                     "--now",      std::to_string(kNow + 60)};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args, tokens);
  }

  std::string jwks_ = WriteJwks();
};

TEST_F(TokenCommandsTest, VerifyAcceptsAGoodToken) {
  RunResult r = Verify(Sign(Claims()) + "\n");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ACCEPT sub=svc-a\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(TokenCommandsTest, VerifyRejectsPerLineAndExitsOne) {
  const std::string good = Sign(Claims());
  std::string tampered = good;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  TokenClaims other_client = Claims();
  other_client.client_id = "svc-b";
  TokenClaims other_audience = Claims();
  other_audience.audience = "billing";

  RunResult r = Verify(
      good + "\n" + tampered + "\n" + Sign(Claims(), "unknown-kid") + "\n" +
      Sign(other_client) + "\n" + Sign(other_audience) + "\nnot-a-token\n");

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out,
            "ACCEPT sub=svc-a\n"
            "REJECT bad_signature\n"
            "REJECT kid_unknown\n"
            "REJECT client_key_mismatch\n"
            "REJECT aud_mismatch\n"
            "REJECT malformed\n");
}

TEST_F(TokenCommandsTest, VerifyUsesNowAndSkew) {
  const std::string token = Sign(Claims());
  RunResult r = Verify(token + "\n", {"--skew", "0"});
  EXPECT_EQ(r.out, "ACCEPT sub=svc-a\n");
  // --now given twice is a usage error, so build the late run by hand.
  r = Run(
      {"token", "verify", "--jwks", jwks_, "--issuer", "https://meshid.test",
       "--audience", "api", "--now", std::to_string(kNow + 3600)},
      token + "\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "REJECT expired\n");
}

TEST_F(TokenCommandsTest, VerifyWithMissingJwksFileIsUsage) {
  RunResult r = Run({"token", "verify", "--jwks", "/nonexistent/jwks.json",
                     "--issuer", "i", "--audience", "a"},
                    Sign(Claims()) + "\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("meshctl: token verify: cannot open "
                                "'/nonexistent/jwks.json'\n"));
  EXPECT_THAT(r.err, HasSubstr("usage: meshctl token verify --jwks FILE"));
  EXPECT_EQ(r.out, "");
}

TEST_F(TokenCommandsTest, VerifyWithMalformedJwksIsUsageWithoutKeyMaterial) {
  const std::string path = ::testing::TempDir() + "/meshctl_bad_jwks.json";
  std::ofstream(path) << R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256",)"
                      << R"("k":"c2hvcnQ"}]})";
  RunResult r = Run(
      {"token", "verify", "--jwks", path, "--issuer", "i", "--audience", "a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr(path + ": "));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("c2hvcnQ")));
}

TEST_F(TokenCommandsTest, VerifyBadFlagsAreUsage) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--jwks", jwks_, "--audience", "api"},  // no --issuer
           {"--jwks", jwks_, "--issuer", "i", "--audience", "a", "--now",
            "yesterday"},
           {"--jwks", jwks_, "--issuer", "i", "--audience", "a", "--skew",
            "-1"},
           {"--jwks", jwks_, "--issuer", "i", "--audience", "a",
            "--max-lifetime", "0"},
           {"--jwks", jwks_, "--issuer", "i", "--audience", "a", "--color"},
           {"--jwks", jwks_, "--issuer", "i", "--audience", "a", "stray"},
       }) {
    std::vector<std::string> full = {"token", "verify"};
    full.insert(full.end(), args.begin(), args.end());
    RunResult r = Run(full);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args);
    EXPECT_THAT(r.err, StartsWith("meshctl: token verify: "));
  }
}

TEST_F(TokenCommandsTest, DecodePrintsUnverifiedHeaderAndClaims) {
  RunResult r = Run({"token", "decode"}, Sign(Claims()) + "\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("# UNVERIFIED"));
  EXPECT_THAT(r.out, HasSubstr("header: {\"alg\":\"HS256\",\"kid\":\"k1\","
                               "\"typ\":\"at+jwt\"}\n"));
  EXPECT_THAT(r.out, HasSubstr("\"sub\":\"svc-a\""));
}

TEST_F(TokenCommandsTest, DecodeGarbageIsExitOneAndArgumentsAreUsage) {
  RunResult r = Run({"token", "decode"}, "a.b\n");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, StartsWith("ERROR not a compact JWS"));
  r = Run({"token", "decode", "--token", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("usage: meshctl token decode"));
}

}  // namespace
}  // namespace meshid::meshctl::testing
