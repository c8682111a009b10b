// The verifier's shortcuts (the canonical-header match and the profile
// claims scanner) against the general path alone
// (token_internal::kGeneralPathOnly): for every token, the same verdict and
// reason, and on success the same Principal. Tokens: valid ones of each
// algorithm and every single-bit flip of them; every bit flip of a valid
// payload's and header's JSON bytes, re-signed so the flip reaches the
// parsers; and random claim sets, most in the scanner's subset and many just
// outside it. The forged-token table is checked the same way in
// forged_tokens_test.cc.
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"
#include "common/token/token_verifier_internal.h"
#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid {
namespace {

using token_internal::kGeneralPathOnly;
using token_internal::VerifyPaths;
using token_internal::VerifyTokenIntoWithPaths;

class VerifyPathsTest : public ::testing::Test {
 protected:
  // Verifies `token` through every combination of shortcuts and expects the
  // general path's answer from each. Returns the verdict.
  VerifyError ExpectSameAnswer(const std::string& token) {
    Principal general;
    const VerifyError want = VerifyTokenIntoWithPaths(
        token, *keys_, testing::TestPolicy(), testing::TestNow(),
        kGeneralPathOnly, &general);
    for (const VerifyPaths paths :
         {VerifyPaths{true, true}, VerifyPaths{true, false},
          VerifyPaths{false, true}}) {
      Principal fast;
      const VerifyError got =
          VerifyTokenIntoWithPaths(token, *keys_, testing::TestPolicy(),
                                   testing::TestNow(), paths, &fast);
      EXPECT_EQ(VerifyErrorName(got), VerifyErrorName(want))
          << "header shortcut " << paths.header_shortcut << ", scanner "
          << paths.claims_scanner << ": " << token;
      if (got == VerifyError::kOk && want == VerifyError::kOk) {
        EXPECT_EQ(fast.subject, general.subject);
        EXPECT_EQ(fast.client_id, general.client_id);
        EXPECT_EQ(fast.audience, general.audience);
        EXPECT_EQ(fast.scope, general.scope);
        EXPECT_EQ(fast.roles, general.roles);
        EXPECT_EQ(fast.state, general.state);
        EXPECT_EQ(fast.jti, general.jti);
        EXPECT_EQ(fast.kid, general.kid);
        EXPECT_EQ(fast.issued_at, general.issued_at);
        EXPECT_EQ(fast.not_before, general.not_before);
        EXPECT_EQ(fast.expires_at, general.expires_at);
      }
    }
    ++verdicts_[static_cast<size_t>(want)];
    return want;
  }

  std::string Hs(absl::string_view header, absl::string_view payload) {
    return testing::SignRaw(header, payload, signers_.hs);
  }

  testing::TestSigners signers_ = testing::MakeTestSigners();
  std::shared_ptr<const KeySet> keys_ = testing::MakeTestKeySet();
  std::vector<int> verdicts_ = std::vector<int>(64, 0);
};

TEST_F(VerifyPathsTest, EveryBitFlipOfEachAlgorithmsToken) {
  for (const SigningKey* key : {&signers_.hs, &signers_.ed, &signers_.es}) {
    auto token = SignToken(testing::TestClaims(), *key);
    ASSERT_TRUE(token.ok());
    ASSERT_EQ(ExpectSameAnswer(*token), VerifyError::kOk);
    for (size_t i = 0; i < token->size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string flipped = *token;
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        ExpectSameAnswer(flipped);
      }
    }
  }
}

TEST_F(VerifyPathsTest, EveryBitFlipOfTheSignedJson) {
  // Re-signed after the flip, so each one reaches the header or payload
  // parsers rather than stopping at the signature.
  const std::string header = testing::HeaderFor(signers_.hs);
  const std::string payload = SerializeClaims(testing::TestClaims());
  for (size_t i = 0; i < payload.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = payload;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      ExpectSameAnswer(Hs(header, flipped));
    }
  }
  for (size_t i = 0; i < header.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string flipped = header;
      flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
      ExpectSameAnswer(Hs(flipped, payload));
    }
  }
  // Both kinds of outcome were reached, not only one.
  EXPECT_GT(verdicts_[static_cast<size_t>(VerifyError::kOk)], 0);
  EXPECT_GT(verdicts_[static_cast<size_t>(VerifyError::kMalformedPayload)], 0);
  EXPECT_GT(verdicts_[static_cast<size_t>(VerifyError::kClaimMissing)], 0);
}

// Random claim sets: meshid's names (and a few others) in random order,
// sometimes twice, with values drawn from what the scanner takes and from
// what lies just outside it.
class RandomClaims {
 public:
  explicit RandomClaims(uint32_t seed) : rng_(seed) {}

  // A valid claim set (TestClaims) with 0-3 random edits: a value
  // replaced, a member dropped, a member (perhaps a repeat) inserted, two
  // members swapped.
  std::string Payload() {
    static const char* const kNames[] = {
        "iss",       "sub",   "aud",   "exp", "nbf", "iat",       "jti",
        "client_id", "scope", "roles", "pst", "ext", "is\\u0073", "Iss"};
    std::vector<std::pair<std::string, std::string>> m = {
        {"iss", "\"https://meshid.test\""},
        {"sub", "\"careergpt-backend\""},
        {"aud", "\"logging-service\""},
        {"exp", "1700000840"},
        {"nbf", "1699999940"},
        {"iat", "1699999940"},
        {"jti", "\"jti-0001\""},
        {"client_id", "\"careergpt-backend\""},
        {"scope", "\"logs:write logs:read\""},
        {"roles", "[\"service\"]"}};
    const int edits = Pick(4);
    for (int e = 0; e < edits && !m.empty(); ++e) {
      const size_t at = static_cast<size_t>(Pick(static_cast<int>(m.size())));
      switch (Pick(4)) {
        case 0:
          m[at].second = Value(m[at].first);
          break;
        case 1:
          m.erase(m.begin() + static_cast<std::ptrdiff_t>(at));
          break;
        case 2: {
          const std::string name = kNames[Pick(14)];
          m.insert(m.begin() + static_cast<std::ptrdiff_t>(at),
                   {name, Value(name)});
          break;
        }
        default:
          std::swap(m[at],
                    m[static_cast<size_t>(Pick(static_cast<int>(m.size())))]);
          break;
      }
    }
    std::vector<std::string> members;
    for (const auto& [name, value] : m) {
      members.push_back(
          absl::StrCat("\"", name, "\"", Space(), ":", Space(), value));
    }
    std::string out = absl::StrCat(
        "{", Space(), absl::StrJoin(members, "," + Space()), Space(), "}");
    if (Pick(40) == 0) out += " ";
    return out;
  }

 private:
  int Pick(int n) {
    return static_cast<int>(rng_() % static_cast<uint32_t>(n));
  }

  std::string Space() { return Pick(30) == 0 ? " " : ""; }

  std::string String() {
    static const char* const kStrings[] = {"https://meshid.test",
                                           "careergpt-backend",
                                           "logging-service",
                                           "jti-0001",
                                           "logs:write logs:read",
                                           "",
                                           "service",
                                           "with \\\"escape\\\"",
                                           "caf\xc3\xa9",
                                           "tab\\t",
                                           "\\u00e9",
                                           "del\x7f",
                                           "slash\\/",
                                           "bad\xff",
                                           "ctl\x01"};
    return absl::StrCat("\"", kStrings[Pick(15)], "\"");
  }

  std::string Number() {
    static const char* const kNumbers[] = {"1700000000",
                                           "1699999940",
                                           "1700000840",
                                           "0",
                                           "00",
                                           "01",
                                           "-0",
                                           "-1700000000",
                                           "1700000000.5",
                                           "1.7e9",
                                           "1E9",
                                           "999999999999999999",
                                           "9999999999999999999",
                                           "1700000000000000000",
                                           "17000000000",
                                           "1700000840.000000001",
                                           "2e400",
                                           "-",
                                           "1.",
                                           "1e"};
    return kNumbers[Pick(20)];
  }

  std::string Value(const std::string& name) {
    // Mostly the right type for the name, so tokens get past the type
    // checks and exercise the comparisons after them.
    const bool date = name == "exp" || name == "nbf" || name == "iat";
    const int kind = Pick(10);
    if (kind < 6) {
      if (date) return Number();
      if (name == "roles") return Array();
      if (name == "iss") return "\"https://meshid.test\"";
      if (name == "aud") return "\"logging-service\"";
      if (name == "client_id") return "\"careergpt-backend\"";
      return String();
    }
    switch (kind) {
      case 6:
        return Number();
      case 7:
        return Array();
      case 8:
        return String();
      default: {
        static const char* const kOthers[] = {
            "true",      "false", "null",     "{}",
            "{\"a\":1}", "[[]]",  "[1]",      "{\"a\":1,\"a\":2}",
            "tru",       "nul",   "[\"a\",]", "\"unterminated"};
        return kOthers[Pick(12)];
      }
    }
  }

  std::string Array() {
    std::vector<std::string> elements;
    if (Pick(20) == 0) {  // past the value limit, in the scanner's subset
      return absl::StrCat(
          "[", absl::StrJoin(std::vector<std::string>(300, "\"r\""), ","), "]");
    }
    const int count = Pick(4);
    for (int i = 0; i < count; ++i) {
      elements.push_back(Pick(8) == 0 ? Number() : String());
    }
    return absl::StrCat("[", absl::StrJoin(elements, ","), "]");
  }

  std::mt19937 rng_;
};

TEST_F(VerifyPathsTest, RandomClaimSets) {
  const std::string header = testing::HeaderFor(signers_.hs);
  RandomClaims random(20261208);
  for (int i = 0; i < 20000; ++i)
    ExpectSameAnswer(Hs(header, random.Payload()));
  // The sample reaches acceptance and the main kinds of refusal.
  for (VerifyError e :
       {VerifyError::kOk, VerifyError::kMalformedPayload,
        VerifyError::kDuplicateMember, VerifyError::kClaimType,
        VerifyError::kClaimMissing, VerifyError::kTooManyMembers}) {
    EXPECT_GT(verdicts_[static_cast<size_t>(e)], 0) << VerifyErrorName(e);
  }
}

}  // namespace
}  // namespace meshid
