// Forged and malformed tokens: each must be refused with exactly the
// expected reason. The table is the list of attacks the verifier answers.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/base64url.h"
#include "common/token/token_verifier.h"
#include "common/token/token_verifier_internal.h"
#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid {
namespace {

using testing::HeaderFor;
using testing::SignRaw;

// Members of a valid payload as (name, raw JSON value), in order.
using Members = std::vector<std::pair<std::string, std::string>>;

Members ValidClaims() {
  const int64_t now = absl::ToUnixSeconds(testing::TestNow());
  return {
      {"iss", "\"https://meshid.test\""},
      {"sub", "\"careergpt-backend\""},
      {"aud", "\"logging-service\""},
      {"exp", absl::StrCat(now + 600)},
      {"nbf", absl::StrCat(now - 60)},
      {"iat", absl::StrCat(now - 60)},
      {"jti", "\"jti-forged\""},
      {"client_id", "\"careergpt-backend\""},
      {"scope", "\"logs:write\""},
  };
}

std::string ToJson(const Members& members) {
  std::vector<std::string> parts;
  for (const auto& [name, value] : members) {
    parts.push_back(absl::StrCat("\"", name, "\":", value));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

// The valid claims with `name` set to `raw_value` (added if absent).
std::string ClaimsWith(const std::string& name, const std::string& raw_value) {
  Members m = ValidClaims();
  bool found = false;
  for (auto& [n, v] : m) {
    if (n == name) {
      v = raw_value;
      found = true;
    }
  }
  if (!found) m.emplace_back(name, raw_value);
  return ToJson(m);
}

std::string ClaimsWithout(const std::string& name) {
  Members m = ValidClaims();
  Members out;
  for (auto& member : m) {
    if (member.first != name) out.push_back(member);
  }
  return ToJson(out);
}

const std::string kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Segment(absl::string_view bytes) { return Base64UrlEncode(bytes); }

struct Case {
  std::string name;
  std::string token;
  VerifyError expected;
};

class ForgedTokensTest : public ::testing::Test {
 protected:
  testing::TestSigners signers_ = testing::MakeTestSigners();
  std::shared_ptr<const KeySet> keys_ = testing::MakeTestKeySet();

  std::string Hs(absl::string_view payload) {
    return SignRaw(HeaderFor(signers_.hs), payload, signers_.hs);
  }
  std::string HsHeader(absl::string_view header, absl::string_view payload) {
    return SignRaw(header, payload, signers_.hs);
  }
  // A token whose signature segment is replaced by `signature` bytes.
  static std::string WithSignature(const std::string& token,
                                   absl::string_view signature) {
    return token.substr(0, token.rfind('.') + 1) + Segment(signature);
  }
  static std::string SignatureOf(const std::string& token) {
    std::string sig;
    EXPECT_TRUE(Base64UrlDecode(token.substr(token.rfind('.') + 1), &sig));
    return sig;
  }

  std::vector<Case> Cases();
};

std::vector<Case> ForgedTokensTest::Cases() {
  const std::string valid = ToJson(ValidClaims());
  const std::string hs_token = Hs(valid);
  const std::string ed_token =
      SignRaw(HeaderFor(signers_.ed), valid, signers_.ed);
  const std::string es_token =
      SignRaw(HeaderFor(signers_.es), valid, signers_.es);
  const std::string hs_sig = SignatureOf(hs_token);
  const std::string body = hs_token.substr(0, hs_token.rfind('.'));
  auto unsigned_token = [&](absl::string_view header) {
    return absl::StrCat(Segment(header), ".", Segment(valid), ".");
  };
  // HMAC "signed" with bytes an attacker knows: the public key of an
  // asymmetric kid (the classic RS256 -> HS256 confusion).
  auto hmac_with_public = [&](absl::string_view kid,
                              absl::string_view public_bytes) {
    std::string secret(public_bytes);
    while (secret.size() < 32) absl::StrAppend(&secret, public_bytes);
    auto key = SigningKey::Hs256(std::string(kid), secret);
    return SignRaw(
        absl::StrCat(R"({"alg":"HS256","kid":")", kid, R"(","typ":"at+jwt"})"),
        valid, *key);
  };
  const std::string n_order = absl::HexStringToBytes(
      "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  const std::string one(32, '\0');
  std::string one_scalar = one;
  one_scalar[31] = 1;
  std::string nested = "1";
  for (int i = 0; i < 32; ++i) nested = "[" + nested + "]";  // root + 32 = 33

  std::vector<Case> cases = {
      // alg "none" in every spelling, with and without a known kid.
      {"alg none, no kid", unsigned_token(R"({"alg":"none"})"),
       VerifyError::kKidMissing},
      {"alg none",
       unsigned_token(R"({"alg":"none","kid":"hs-pair-key","typ":"at+jwt"})"),
       VerifyError::kAlgKeyMismatch},
      {"alg None",
       unsigned_token(R"({"alg":"None","kid":"hs-pair-key","typ":"at+jwt"})"),
       VerifyError::kAlgKeyMismatch},
      {"alg NONE",
       unsigned_token(R"({"alg":"NONE","kid":"hs-pair-key","typ":"at+jwt"})"),
       VerifyError::kAlgKeyMismatch},
      {"alg nOnE",
       unsigned_token(R"({"alg":"nOnE","kid":"ed-issuer-key","typ":"at+jwt"})"),
       VerifyError::kAlgKeyMismatch},
      {"alg none with a copied signature",
       absl::StrCat(
           Segment(R"({"alg":"none","kid":"hs-pair-key","typ":"at+jwt"})"), ".",
           Segment(valid), ".", Segment(hs_sig)),
       VerifyError::kAlgKeyMismatch},
      {"alg hs256 lower case",
       HsHeader(R"({"alg":"hs256","kid":"hs-pair-key","typ":"at+jwt"})", valid),
       VerifyError::kAlgKeyMismatch},
      // Algorithm confusion.
      {"HS256 keyed with the Ed25519 public key",
       hmac_with_public(testing::kEdKid, testing::Rfc8037Public()),
       VerifyError::kAlgKeyMismatch},
      {"HS256 keyed with the P-256 public key",
       hmac_with_public(testing::kEsKid,
                        "\x04" + testing::Rfc7515EcX() + testing::Rfc7515EcY()),
       VerifyError::kAlgKeyMismatch},
      {"ES256 header on the HS256 kid",
       SignRaw(R"({"alg":"ES256","kid":"hs-pair-key","typ":"at+jwt"})", valid,
               signers_.es),
       VerifyError::kAlgKeyMismatch},
      {"EdDSA header on the ES256 kid",
       SignRaw(R"({"alg":"EdDSA","kid":"es-issuer-key","typ":"at+jwt"})", valid,
               signers_.ed),
       VerifyError::kAlgKeyMismatch},
      // Signatures stripped, truncated, extended, zeroed, out of range.
      {"signature stripped", body + ".", VerifyError::kBadSignature},
      {"signature truncated by a byte",
       WithSignature(hs_token, hs_sig.substr(0, 31)),
       VerifyError::kBadSignature},
      {"signature truncated to 16 bytes",
       WithSignature(hs_token, hs_sig.substr(0, 16)),
       VerifyError::kBadSignature},
      {"signature extended by a byte", WithSignature(hs_token, hs_sig + "A"),
       VerifyError::kBadSignature},
      {"signature doubled", WithSignature(hs_token, hs_sig + hs_sig),
       VerifyError::kBadSignature},
      {"HS256 signature all zero",
       WithSignature(hs_token, std::string(32, '\0')),
       VerifyError::kBadSignature},
      {"ES256 signature all zero",
       WithSignature(es_token, std::string(64, '\0')),
       VerifyError::kBadSignature},
      {"ES256 r = s = n", WithSignature(es_token, n_order + n_order),
       VerifyError::kBadSignature},
      {"ES256 r = 0, s = 1", WithSignature(es_token, one + one_scalar),
       VerifyError::kBadSignature},
      {"ES256 DER-encoded signature",
       WithSignature(es_token, "\x30\x06\x02\x01\x01\x02\x01\x01"),
       VerifyError::kBadSignature},
      {"Ed25519 signature all zero",
       WithSignature(ed_token, std::string(64, '\0')),
       VerifyError::kBadSignature},
      {"payload swapped under a valid signature",
       absl::StrCat(hs_token.substr(0, hs_token.find('.') + 1),
                    Segment(ClaimsWith("sub", "\"admin\"")), ".",
                    Segment(hs_sig)),
       VerifyError::kBadSignature},
      // kid: missing, unknown, odd bytes that must never reach a lookup
      // other than exact match.
      {"kid missing", HsHeader(R"({"alg":"HS256","typ":"at+jwt"})", valid),
       VerifyError::kKidMissing},
      {"kid unknown",
       HsHeader(R"({"alg":"HS256","kid":"nope","typ":"at+jwt"})", valid),
       VerifyError::kKidUnknown},
      {"kid with NUL",
       HsHeader(R"({"alg":"HS256","kid":"hs-pair-key\u0000","typ":"at+jwt"})",
                valid),
       VerifyError::kKidUnknown},
      {"kid with path",
       HsHeader(R"({"alg":"HS256","kid":"../../../dev/null","typ":"at+jwt"})",
                valid),
       VerifyError::kKidUnknown},
      {"kid with SQL",
       HsHeader(R"({"alg":"HS256","kid":"x' OR '1'='1","typ":"at+jwt"})",
                valid),
       VerifyError::kKidUnknown},
      {"kid differing in case",
       HsHeader(R"({"alg":"HS256","kid":"HS-PAIR-KEY","typ":"at+jwt"})", valid),
       VerifyError::kKidUnknown},
      {"kid empty",
       HsHeader(R"({"alg":"HS256","kid":"","typ":"at+jwt"})", valid),
       VerifyError::kKidUnknown},
      {"kid a number",
       HsHeader(R"({"alg":"HS256","kid":7,"typ":"at+jwt"})", valid),
       VerifyError::kMalformedHeader},
      // Header members that would let the token choose its own key or
      // semantics.
      {"jku",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","jku":"https://evil"})",
           valid),
       VerifyError::kHeaderParamForbidden},
      {"jwk",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","jwk":{"kty":"oct","k":"AAAA"}})",
           valid),
       VerifyError::kHeaderParamForbidden},
      {"x5u",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","x5u":"https://evil"})",
           valid),
       VerifyError::kHeaderParamForbidden},
      {"x5c",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","x5c":["MIIB"]})",
           valid),
       VerifyError::kHeaderParamForbidden},
      {"crit",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","crit":["exp"]})",
           valid),
       VerifyError::kHeaderParamForbidden},
      {"b64 false (RFC 7797)",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","b64":false})",
           valid),
       VerifyError::kHeaderParamForbidden},
      {"cty",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"at+jwt","cty":"JWT"})",
           valid),
       VerifyError::kHeaderParamForbidden},
      {"RFC 7797 4.2 detached",
       "eyJhbGciOiJIUzI1NiIsImI2NCI6ZmFsc2UsImNyaXQiOlsiYjY0Il19..A5dxf2s96_"
       "n5FLueVuW1Z_vh161FwXZC4YLPff6dmDY",
       VerifyError::kHeaderParamForbidden},
      // typ.
      {"typ JWT",
       HsHeader(R"({"alg":"HS256","kid":"hs-pair-key","typ":"JWT"})", valid),
       VerifyError::kTypMismatch},
      {"typ application/at+jwt",
       HsHeader(
           R"({"alg":"HS256","kid":"hs-pair-key","typ":"application/at+jwt"})",
           valid),
       VerifyError::kTypMismatch},
      {"typ missing", HsHeader(R"({"alg":"HS256","kid":"hs-pair-key"})", valid),
       VerifyError::kTypMismatch},
      // Duplicate members.
      {"duplicate kid in header",
       HsHeader(
           R"({"alg":"HS256","kid":"nope","kid":"hs-pair-key","typ":"at+jwt"})",
           valid),
       VerifyError::kDuplicateMember},
      {"duplicate sub in payload", Hs(ToJson([] {
         Members m = ValidClaims();
         m.emplace_back("sub", "\"admin\"");
         return m;
       }())),
       VerifyError::kDuplicateMember},
      {"duplicate member nested in payload",
       Hs(ClaimsWith("ext", R"({"a":{"role":"x","role":"admin"}})")),
       VerifyError::kDuplicateMember},
      // Encoding.
      {"non-canonical final character",
       [&] {
         // 43 characters encode 32 bytes: the last one carries 2 unused
         // bits, which must be zero.
         std::string t = hs_token;
         t.back() = kAlphabet[kAlphabet.find(t.back()) ^ 1];
         return t;
       }(),
       VerifyError::kBadBase64},
      {"padding", hs_token + "=", VerifyError::kBadBase64},
      {"standard alphabet", body + ".+" + Segment(hs_sig).substr(1),
       VerifyError::kBadBase64},
      {"whitespace inside",
       body.substr(0, 10) + " " + body.substr(10) + "." + Segment(hs_sig),
       VerifyError::kBadBase64},
      {"leading space", " " + hs_token, VerifyError::kBadBase64},
      {"trailing newline", hs_token + "\n", VerifyError::kBadBase64},
      {"header not JSON",
       absl::StrCat(Segment("not json"), ".", Segment(valid), ".",
                    Segment(hs_sig)),
       VerifyError::kMalformedHeader},
      {"header an array",
       absl::StrCat(Segment("[\"HS256\"]"), ".", Segment(valid), ".",
                    Segment(hs_sig)),
       VerifyError::kMalformedHeader},
      {"header empty", absl::StrCat(".", Segment(valid), ".", Segment(hs_sig)),
       VerifyError::kMalformedHeader},
      // Segment counts.
      {"empty string", "", VerifyError::kMalformed},
      {"one segment", "eyJhbGciOiJIUzI1NiJ9", VerifyError::kMalformed},
      {"two segments", body, VerifyError::kMalformed},
      {"four segments", hs_token + ".", VerifyError::kMalformed},
      {"JWE-like five segments", "a.b.c.d.e", VerifyError::kMalformed},
      // Payload shape.
      {"payload an array", Hs("[1,2]"), VerifyError::kMalformedPayload},
      {"payload not JSON", Hs("{\"sub\":"), VerifyError::kMalformedPayload},
      {"payload invalid UTF-8", Hs(ClaimsWith("x", "\"\xff\"")),
       VerifyError::kMalformedPayload},
      {"payload nested 33 deep", Hs(ClaimsWith("deep", nested)),
       VerifyError::kTooDeep},
      {"payload with 300 members",
       [&] {
         Members m = ValidClaims();
         for (int i = 0; i < 300; ++i)
           m.emplace_back(absl::StrCat("m", i), "0");
         return Hs(ToJson(m));
       }(),
       VerifyError::kTooManyMembers},
      {"token over 8 KiB",
       Hs(ClaimsWith("pad", "\"" + std::string(7000, 'a') + "\"")),
       VerifyError::kTooLarge},
      // Claim types and values.
      {"exp a string", Hs(ClaimsWith("exp", "\"1700000600\"")),
       VerifyError::kClaimType},
      {"exp a bool", Hs(ClaimsWith("exp", "true")), VerifyError::kClaimType},
      {"exp null", Hs(ClaimsWith("exp", "null")), VerifyError::kClaimType},
      {"exp 1e400", Hs(ClaimsWith("exp", "1e400")), VerifyError::kClaimType},
      {"exp 2^63", Hs(ClaimsWith("exp", "9223372036854775808")),
       VerifyError::kClaimType},
      {"exp an array", Hs(ClaimsWith("exp", "[1700000600]")),
       VerifyError::kClaimType},
      {"nbf a string", Hs(ClaimsWith("nbf", "\"0\"")), VerifyError::kClaimType},
      {"iat an object", Hs(ClaimsWith("iat", "{}")), VerifyError::kClaimType},
      {"aud an array", Hs(ClaimsWith("aud", "[\"logging-service\"]")),
       VerifyError::kClaimType},
      {"sub a number", Hs(ClaimsWith("sub", "42")), VerifyError::kClaimType},
      {"scope an array", Hs(ClaimsWith("scope", "[\"logs:write\"]")),
       VerifyError::kClaimType},
      {"roles a string", Hs(ClaimsWith("roles", "\"admin\"")),
       VerifyError::kClaimType},
      {"roles with a number", Hs(ClaimsWith("roles", "[\"a\",1]")),
       VerifyError::kClaimType},
      {"sub empty", Hs(ClaimsWith("sub", "\"\"")), VerifyError::kClaimMissing},
      {"sub missing", Hs(ClaimsWithout("sub")), VerifyError::kClaimMissing},
      {"iss missing", Hs(ClaimsWithout("iss")), VerifyError::kClaimMissing},
      {"aud missing", Hs(ClaimsWithout("aud")), VerifyError::kClaimMissing},
      {"exp missing", Hs(ClaimsWithout("exp")), VerifyError::kClaimMissing},
      {"iat missing", Hs(ClaimsWithout("iat")), VerifyError::kClaimMissing},
      {"jti missing", Hs(ClaimsWithout("jti")), VerifyError::kClaimMissing},
      {"client_id missing", Hs(ClaimsWithout("client_id")),
       VerifyError::kClaimMissing},
      {"iss other", Hs(ClaimsWith("iss", "\"https://evil\"")),
       VerifyError::kIssMismatch},
      {"iss with trailing slash",
       Hs(ClaimsWith("iss", "\"https://meshid.test/\"")),
       VerifyError::kIssMismatch},
      {"aud other", Hs(ClaimsWith("aud", "\"meshid-keyadmin\"")),
       VerifyError::kAudMismatch},
      {"client_id of another client", Hs(ClaimsWith("client_id", "\"other\"")),
       VerifyError::kClientKeyMismatch},
      {"expired long ago", Hs(ClaimsWith("exp", "1300819380")),
       VerifyError::kExpired},
      {"nbf in the future", Hs(ClaimsWith("nbf", "1700003600")),
       VerifyError::kNotYetValid},
      {"iat in the future", Hs(ClaimsWith("iat", "1700003600")),
       VerifyError::kNotYetValid},
      {"lifetime beyond the maximum", Hs(ClaimsWith("exp", "1700999999")),
       VerifyError::kLifetimeTooLong},
  };
  return cases;
}

TEST_F(ForgedTokensTest, EachIsRefusedWithItsReason) {
  const std::vector<Case> cases = Cases();
  EXPECT_GE(cases.size(), 40u);
  for (const Case& c : cases) {
    const VerifyResult r =
        VerifyToken(c.token, *keys_, testing::TestPolicy(), testing::TestNow());
    EXPECT_EQ(std::string(VerifyErrorName(r.error())),
              std::string(VerifyErrorName(c.expected)))
        << c.name;
  }
}

// The shortcuts change no answer: each forged token gets the same reason
// from the general path alone (verify_paths_test.cc has the rest).
TEST_F(ForgedTokensTest, TheGeneralPathAloneGivesTheSameReasons) {
  for (const Case& c : Cases()) {
    Principal unused;
    const VerifyError general = token_internal::VerifyTokenIntoWithPaths(
        c.token, *keys_, testing::TestPolicy(), testing::TestNow(),
        token_internal::kGeneralPathOnly, &unused);
    EXPECT_EQ(std::string(VerifyErrorName(general)),
              std::string(VerifyErrorName(c.expected)))
        << c.name;
  }
}

TEST_F(ForgedTokensTest, TheValidBaseTokensPass) {
  // Guards the table: each forged token differs from a valid one in one way.
  const std::string valid = ToJson(ValidClaims());
  for (const SigningKey* key : {&signers_.hs, &signers_.ed, &signers_.es}) {
    const VerifyResult r =
        VerifyToken(SignRaw(HeaderFor(*key), valid, *key), *keys_,
                    testing::TestPolicy(), testing::TestNow());
    EXPECT_TRUE(r.ok()) << key->kid << ": " << VerifyErrorName(r.error());
  }
  std::string nested = "1";
  for (int i = 0; i < 31; ++i) nested = "[" + nested + "]";  // root + 31 = 32
  EXPECT_TRUE(VerifyToken(Hs(ClaimsWith("deep", nested)), *keys_,
                          testing::TestPolicy(), testing::TestNow())
                  .ok());
}

}  // namespace
}  // namespace meshid
