#include "common/token/token_verifier.h"

#include "absl/strings/str_cat.h"
#include "common/token/token_signer.h"
#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid {
namespace {

using testing::TestClaims;
using testing::TestNow;
using testing::TestPolicy;

class TokenVerifierTest : public ::testing::Test {
 protected:
  std::string Sign(const TokenClaims& claims, const SigningKey& key) {
    absl::StatusOr<std::string> token = SignToken(claims, key);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }
  VerifyError Check(const std::string& token, absl::Time now = TestNow(),
                    const KeySet* keys = nullptr) {
    return VerifyToken(token, keys ? *keys : *keys_, TestPolicy(), now).error();
  }

  testing::TestSigners signers_ = testing::MakeTestSigners();
  std::shared_ptr<const KeySet> keys_ = testing::MakeTestKeySet();
};

TEST_F(TokenVerifierTest, AcceptsEachAlgorithmAndFillsThePrincipal) {
  for (const SigningKey* key : {&signers_.hs, &signers_.ed, &signers_.es}) {
    TokenClaims claims = TestClaims();
    claims.principal_state = "SUBSCRIBER";
    const VerifyResult r =
        VerifyToken(Sign(claims, *key), *keys_, TestPolicy(), TestNow());
    ASSERT_TRUE(r.ok()) << key->kid << ": " << VerifyErrorName(r.error());
    const Principal& p = r.principal();
    EXPECT_EQ(p.subject, "careergpt-backend");
    EXPECT_EQ(p.client_id, "careergpt-backend");
    EXPECT_EQ(p.audience, "logging-service");
    EXPECT_EQ(p.jti, "jti-0001");
    EXPECT_EQ(p.kid, key->kid);
    EXPECT_EQ(p.state, "SUBSCRIBER");
    EXPECT_TRUE(p.HasScope("logs:write"));
    EXPECT_TRUE(p.HasScope("logs:read"));
    EXPECT_FALSE(p.HasScope("logs"));
    EXPECT_FALSE(p.HasScope(""));
    EXPECT_TRUE(p.HasRole("service"));
    EXPECT_EQ(p.expires_at, claims.expires_at);
    EXPECT_EQ(p.issued_at, claims.issued_at);
    EXPECT_EQ(p.not_before, claims.not_before);
  }
}

TEST_F(TokenVerifierTest, SignedTokenHasTheProfileHeader) {
  const std::string token = Sign(TestClaims(), signers_.hs);
  std::string header;
  ASSERT_TRUE(Base64UrlDecode(token.substr(0, token.find('.')), &header));
  EXPECT_EQ(header, R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt"})");
}

TEST_F(TokenVerifierTest, AcceptsBothEd25519AlgorithmNames) {
  // Decision (see algorithm.h): "EdDSA" (RFC 8037) and "Ed25519" (RFC 9864)
  // both name the one algorithm of an Ed25519 key.
  const std::string payload = SerializeClaims(TestClaims());
  for (absl::string_view alg : {"EdDSA", "Ed25519"}) {
    const std::string token = testing::SignRaw(
        absl::StrCat(R"({"alg":")", alg,
                     R"(","kid":"ed-issuer-key","typ":"at+jwt"})"),
        payload, signers_.ed);
    EXPECT_EQ(Check(token), VerifyError::kOk) << alg;
  }
  for (absl::string_view alg : {"eddsa", "ED25519", "Ed448", "EdDSA "}) {
    const std::string token = testing::SignRaw(
        absl::StrCat(R"({"alg":")", alg,
                     R"(","kid":"ed-issuer-key","typ":"at+jwt"})"),
        payload, signers_.ed);
    EXPECT_EQ(Check(token), VerifyError::kAlgKeyMismatch) << alg;
  }
}

TEST_F(TokenVerifierTest, CanonicalAndOtherHeadersGiveTheSameAnswers) {
  // The canonical header takes a fast path (no JSON parse); these must
  // answer exactly as the full parse does.
  const std::string payload = SerializeClaims(TestClaims());
  struct Case {
    std::string header;
    VerifyError expected;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt"})",
            VerifyError::kOk},
           // Same meaning, spelled otherwise: the full parser decides.
           {R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt"})",
            VerifyError::kOk},
           {R"({"kid":"hs-pair-key","alg":"HS256","typ":"at+jwt"})",
            VerifyError::kOk},
           {R"({ "alg":"HS256","kid":"hs-pair-key","typ":"at+jwt"})",
            VerifyError::kOk},
           {R"({"alg":"HS256","kid":"hs-pair-key ","typ":"at+jwt"})",
            VerifyError::kKidUnknown},
           {R"({"alg":"HS256","kid":"","typ":"at+jwt"})",
            VerifyError::kKidUnknown},
           {R"({"alg":"none","kid":"hs-pair-key","typ":"at+jwt"})",
            VerifyError::kAlgKeyMismatch},
           {R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","x":1})",
            VerifyError::kHeaderParamForbidden},
           {R"({"alg":"HS256","kid":"a\"b","typ":"at+jwt"})",
            VerifyError::kKidUnknown},
           {R"({"alg":"HS256","kid":"hs-pair-key","kid":"x","typ":"at+jwt"})",
            VerifyError::kDuplicateMember},
           {R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt"} )",
            VerifyError::kOk},
       }) {
    const std::string token = testing::SignRaw(c.header, payload, signers_.hs);
    EXPECT_EQ(std::string(VerifyErrorName(Check(token))),
              std::string(VerifyErrorName(c.expected)))
        << c.header;
  }
}

TEST_F(TokenVerifierTest, ExpiryBoundaryWithSkew) {
  const TokenClaims claims = TestClaims();
  const std::string token = Sign(claims, signers_.hs);
  const absl::Time edge = claims.expires_at + absl::Seconds(30);
  EXPECT_EQ(Check(token, edge - absl::Nanoseconds(1)), VerifyError::kOk);
  EXPECT_EQ(Check(token, edge), VerifyError::kExpired);
}

TEST_F(TokenVerifierTest, NotBeforeBoundaryWithSkew) {
  TokenClaims claims = TestClaims();
  claims.issued_at = TestNow();
  claims.not_before = TestNow() + absl::Minutes(5);
  const std::string token = Sign(claims, signers_.hs);
  const absl::Time edge = *claims.not_before - absl::Seconds(30);
  EXPECT_EQ(Check(token, edge - absl::Nanoseconds(1)),
            VerifyError::kNotYetValid);
  EXPECT_EQ(Check(token, edge), VerifyError::kOk);
}

TEST_F(TokenVerifierTest, FractionalDatesCompareExactly) {
  const std::string payload = absl::StrCat(
      R"({"iss":"https://meshid.test","sub":"s","aud":"logging-service",)",
      R"("exp":1700000000.5,"iat":1699999999.25,"jti":"j",)",
      R"("client_id":"careergpt-backend"})");
  const std::string token =
      testing::SignRaw(testing::HeaderFor(signers_.hs), payload, signers_.hs);
  VerifyPolicy policy = TestPolicy();
  policy.clock_skew = absl::ZeroDuration();
  const absl::Time exp =
      absl::FromUnixSeconds(1700000000) + absl::Milliseconds(500);
  EXPECT_TRUE(
      VerifyToken(token, *keys_, policy, exp - absl::Nanoseconds(1)).ok());
  EXPECT_EQ(VerifyToken(token, *keys_, policy, exp).error(),
            VerifyError::kExpired);
}

TEST_F(TokenVerifierTest, LifetimeAtTheMaximumPasses) {
  TokenClaims claims = TestClaims();
  claims.expires_at = claims.issued_at + absl::Hours(1);
  EXPECT_EQ(Check(Sign(claims, signers_.hs)), VerifyError::kOk);
  claims.expires_at += absl::Seconds(1);
  EXPECT_EQ(Check(Sign(claims, signers_.hs)), VerifyError::kLifetimeTooLong);
}

TEST_F(TokenVerifierTest, RevokedKeyFailsEveryToken) {
  const std::string token = Sign(TestClaims(), signers_.hs);
  KeySet::Builder b(*keys_);
  b.AddKey(VerificationKey::Revoked(std::string(testing::kHsKid),
                                    Algorithm::kHs256));
  auto revoked = std::move(b).Build();
  EXPECT_EQ(Check(token, TestNow(), revoked.get()), VerifyError::kKeyRevoked);
  // The other pairs' keys are untouched.
  EXPECT_EQ(Check(Sign(TestClaims(), signers_.ed), TestNow(), revoked.get()),
            VerifyError::kOk);
}

TEST_F(TokenVerifierTest, RetiredKeyVerifiesUntilItsWindowCloses) {
  const std::string token = Sign(TestClaims(), signers_.ed);
  auto key = VerificationKey::Ed25519(std::string(testing::kEdKid),
                                      testing::Rfc8037Public());
  ASSERT_TRUE(key.ok());
  key->state = KeyState::kRetired;
  key->verify_until = TestNow() + absl::Seconds(1);
  KeySet::Builder b(*keys_);
  b.AddKey(*std::move(key));
  auto set = std::move(b).Build();
  EXPECT_EQ(Check(token, TestNow(), set.get()), VerifyError::kOk);
  EXPECT_EQ(Check(token, TestNow() + absl::Seconds(1), set.get()),
            VerifyError::kKeyExpired);
}

TEST_F(TokenVerifierTest, RevokedJtiAndSubject) {
  const TokenClaims claims = TestClaims();
  const std::string token = Sign(claims, signers_.hs);
  {
    KeySet::Builder b(*keys_);
    b.RevokeJti(claims.jti, claims.expires_at);
    auto set = std::move(b).Build();
    EXPECT_EQ(Check(token, TestNow(), set.get()), VerifyError::kTokenRevoked);
  }
  {
    KeySet::Builder b(*keys_);
    b.RevokeSubject(claims.subject, claims.issued_at + absl::Seconds(1));
    auto set = std::move(b).Build();
    EXPECT_EQ(Check(token, TestNow(), set.get()), VerifyError::kSubjectRevoked);
    // A token issued at or after the cut-off passes.
    TokenClaims later = claims;
    later.issued_at = claims.issued_at + absl::Seconds(1);
    EXPECT_EQ(Check(Sign(later, signers_.hs), TestNow(), set.get()),
              VerifyError::kOk);
  }
}

TEST_F(TokenVerifierTest, KeyBoundToAnotherAudienceIsRefused) {
  auto key = VerificationKey::Hs256("pair-2", testing::Rfc7520HmacKey(),
                                    std::string(testing::kClient), "other-svc");
  ASSERT_TRUE(key.ok());
  KeySet::Builder b(*keys_);
  b.AddKey(*std::move(key));
  auto set = std::move(b).Build();
  auto signer = SigningKey::Hs256("pair-2", testing::Rfc7520HmacKey());
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(Check(Sign(TestClaims(), *signer), TestNow(), set.get()),
            VerifyError::kAudMismatch);
}

TEST_F(TokenVerifierTest, SignerRefusesEmptyRequiredClaims) {
  TokenClaims claims = TestClaims();
  claims.jti.clear();
  EXPECT_EQ(SignToken(claims, signers_.hs).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(VerifyErrorTest, NamesAreStableAndUnique) {
  std::set<std::string> names;
  for (int i = 0; i < kVerifyErrorCount; ++i) {
    const absl::string_view name = VerifyErrorName(static_cast<VerifyError>(i));
    EXPECT_NE(name, "unknown");
    EXPECT_TRUE(names.insert(std::string(name)).second) << name;
  }
  EXPECT_EQ(VerifyErrorName(VerifyError::kBadSignature), "bad_signature");
  EXPECT_EQ(VerifyErrorName(VerifyError::kKidUnknown), "kid_unknown");
}

}  // namespace
}  // namespace meshid
