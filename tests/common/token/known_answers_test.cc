// Known answers from the RFCs (tests/data/rfc-known-answers.md): the exact
// tokens, reproduced or verified byte for byte, at the JWS layer and through
// the meshid profile with an injected clock.
#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/token/jws.h"
#include "common/token/token_verifier.h"
#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid {
namespace {

constexpr char kRfc7515A1Token[] =
    "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
    "bS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
constexpr char kRfc7515A1Header[] = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
constexpr char kRfc7515A1Payload[] =
    "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n "
    "\"http://example.com/is_root\":true}";
constexpr char kRfc8037A4Token[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc."
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7"
    "sVvpAr_MuM0KAg";
constexpr char kRfc7515A3Token[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
    "bS9pc19yb290Ijp0cnVlfQ."
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKT"
    "UJqPP3-Kg6NU1Q";
constexpr char kRfc7515A3Malleated[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmU69fgrc8OPGycO0lD3tat_FoFp57SE"
    "Tepkeks4eL_QfA";

struct Split {
  std::string signing_input;
  std::string signature;
};
Split SplitToken(absl::string_view token) {
  const size_t dot = token.rfind('.');
  Split s{std::string(token.substr(0, dot)), ""};
  EXPECT_TRUE(Base64UrlDecode(token.substr(dot + 1), &s.signature));
  return s;
}

TEST(KnownAnswersTest, Rfc7515A1Hs256ReproducedFromRawOctets) {
  auto key = SigningKey::Hs256("k", testing::Rfc7515HmacKey());
  ASSERT_TRUE(key.ok());
  auto token = SignCompactJws(kRfc7515A1Header, kRfc7515A1Payload, *key);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, kRfc7515A1Token);

  auto vkey = VerificationKey::Hs256("k", testing::Rfc7515HmacKey(), "", "");
  ASSERT_TRUE(vkey.ok());
  const Split s = SplitToken(kRfc7515A1Token);
  EXPECT_TRUE(VerifyJwsSignature(*vkey, s.signing_input, s.signature));
}

TEST(KnownAnswersTest, Rfc8037A4Ed25519SignsByteExact) {
  auto priv = crypto::Ed25519PrivateKey::FromSeed(testing::Rfc8037Seed());
  ASSERT_TRUE(priv.ok());
  EXPECT_EQ(priv->public_key().raw(), testing::Rfc8037Public());
  const SigningKey key = SigningKey::Ed25519("k", *std::move(priv));
  auto token =
      SignCompactJws("{\"alg\":\"EdDSA\"}", "Example of Ed25519 signing", key);
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(*token, kRfc8037A4Token);

  auto vkey = VerificationKey::Ed25519("k", testing::Rfc8037Public());
  ASSERT_TRUE(vkey.ok());
  const Split s = SplitToken(kRfc8037A4Token);
  EXPECT_TRUE(VerifyJwsSignature(*vkey, s.signing_input, s.signature));
}

TEST(KnownAnswersTest, Rfc7515A3Es256VerifiesHighAndLowS) {
  auto vkey =
      VerificationKey::Es256("k", testing::Rfc7515EcX(), testing::Rfc7515EcY());
  ASSERT_TRUE(vkey.ok());
  const Split s = SplitToken(kRfc7515A3Token);
  EXPECT_TRUE(VerifyJwsSignature(*vkey, s.signing_input, s.signature));
  std::string malleated;
  ASSERT_TRUE(Base64UrlDecode(kRfc7515A3Malleated, &malleated));
  EXPECT_TRUE(VerifyJwsSignature(*vkey, s.signing_input, malleated));
  std::string changed = s.signing_input;
  changed.back() ^= 1;
  EXPECT_FALSE(VerifyJwsSignature(*vkey, changed, s.signature));
}

TEST(KnownAnswersTest, RfcTokensFailTheMeshidProfileForTheRightReason) {
  // The RFC tokens carry no kid and typ "JWT": valid JWS, not meshid tokens.
  auto keys = testing::MakeTestKeySet();
  VerifyPolicy policy = testing::TestPolicy();
  const absl::Time before_exp = absl::FromUnixSeconds(1300819379);
  EXPECT_EQ(VerifyToken(kRfc7515A1Token, *keys, policy, before_exp).error(),
            VerifyError::kKidMissing);
  EXPECT_EQ(VerifyToken(kRfc7515A3Token, *keys, policy, before_exp).error(),
            VerifyError::kKidMissing);
  // RFC 7515 A.5 / RFC 7519 6.1: the unsecured JWS.
  EXPECT_EQ(VerifyToken("eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEz"
                        "MDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290"
                        "Ijp0cnVlfQ.",
                        *keys, policy, before_exp)
                .error(),
            VerifyError::kKidMissing);
}

TEST(KnownAnswersTest, RfcKeysThroughTheProfileWithAnInjectedClock) {
  // The RFC 7519 example's claims (iss joe, exp 1300819380) in a meshid
  // token signed with each RFC key: valid one second before exp with no
  // skew, expired at exp.
  auto keys = testing::MakeTestKeySet();
  const testing::TestSigners signers = testing::MakeTestSigners();
  VerifyPolicy policy;
  policy.issuer = "joe";
  policy.audience = std::string(testing::kAudience);
  policy.clock_skew = absl::ZeroDuration();
  const std::string payload = absl::StrCat(
      R"({"iss":"joe","sub":"joe","aud":"logging-service","exp":1300819380,)",
      R"("iat":1300818380,"jti":"rfc","client_id":"careergpt-backend",)",
      R"("http://example.com/is_root":true})");
  for (const SigningKey* key : {&signers.hs, &signers.ed, &signers.es}) {
    const std::string token =
        testing::SignRaw(testing::HeaderFor(*key), payload, *key);
    EXPECT_TRUE(
        VerifyToken(token, *keys, policy, absl::FromUnixSeconds(1300819379))
            .ok())
        << key->kid;
    EXPECT_EQ(
        VerifyToken(token, *keys, policy, absl::FromUnixSeconds(1300819380))
            .error(),
        VerifyError::kExpired)
        << key->kid;
  }
}

}  // namespace
}  // namespace meshid
