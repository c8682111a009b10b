// The profile claims scanner on its own: what it takes, the values it reads,
// and that it declines (leaving the verdict to the JSON reader) for anything
// outside its subset. verify_paths_test.cc checks it against the general
// path through the whole verifier.
#include "common/token/claims_scanner.h"

#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/json/json_reader.h"
#include "common/token/numeric_date.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"
#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid {
namespace {

TEST(ClaimsScannerTest, ReadsWhatTheSignerWrites) {
  const std::string payload = SerializeClaims(testing::TestClaims());
  ClaimSet c;
  ASSERT_TRUE(ScanProfileClaims(payload, &c)) << payload;
  EXPECT_EQ(c.iss.text, testing::kIssuer);
  EXPECT_EQ(c.sub.text, testing::kClient);
  EXPECT_EQ(c.client_id.text, testing::kClient);
  EXPECT_EQ(c.exp.type, json::JsonType::kNumber);
  EXPECT_TRUE(c.exp.is_small_integer);
  EXPECT_EQ(c.exp.integer,
            absl::ToUnixSeconds(testing::TestClaims().expires_at));
  EXPECT_EQ(c.roles.type, json::JsonType::kArray);
  ASSERT_EQ(c.role_names.size(), 1u);
  EXPECT_EQ(c.role_names[0], "service");
  EXPECT_FALSE(c.pst.present);
}

TEST(ClaimsScannerTest, IntegersOfEveryLengthMatchNumericDate) {
  std::mt19937_64 rng(5);
  for (int digits = 1; digits <= 18; ++digits) {
    for (int trial = 0; trial < 200; ++trial) {
      std::string number(1, static_cast<char>('1' + rng() % 9));
      while (static_cast<int>(number.size()) < digits) {
        number.push_back(static_cast<char>('0' + rng() % 10));
      }
      // In the last member and in the middle of the object.
      for (const std::string& payload :
           {absl::StrCat("{\"exp\":", number, "}"),
            absl::StrCat("{\"exp\":", number, ",\"sub\":\"s\"}")}) {
        ClaimSet c;
        ASSERT_TRUE(ScanProfileClaims(payload, &c)) << payload;
        const auto want = NumericDate::Parse(number);
        ASSERT_TRUE(want.has_value());
        EXPECT_EQ(c.exp.integer, want->seconds()) << number;
        EXPECT_EQ(c.exp.text, number);
      }
    }
  }
}

TEST(ClaimsScannerTest, DeclinesEverythingOutsideItsSubset) {
  for (const char* payload : {
           "",
           "[]",
           "{\"sub\":\"a\"} ",               // trailing whitespace
           "{ \"sub\":\"a\"}",               // whitespace
           "{\"sub\" :\"a\"}",               // whitespace
           "{\"sub\":\"a\\u0062\"}",         // escape
           "{\"sub\":\"caf\xc3\xa9\"}",      // UTF-8
           "{\"s\\u0075b\":\"a\"}",          // escaped name
           "{\"ext\":\"a\"}",                // a name meshid ignores
           "{\"sub\":\"a\",\"sub\":\"b\"}",  // repeated
           "{\"exp\":1234567890123456789}",  // 19 digits
           "{\"exp\":01}",                   // leading zero
           "{\"exp\":1.5}",                  // fraction
           "{\"exp\":1e9}",                  // exponent
           "{\"exp\":-1}",                   // negative
           "{\"exp\":true}",                 // literal
           "{\"exp\":null}",                 // literal
           "{\"aud\":{\"a\":1}}",            // nested object
           "{\"roles\":[1]}",                // array of numbers
           "{\"roles\":[[]]}",               // nested array
           "{\"roles\":[\"a\",]}",           // bad array
           "{\"sub\":\"a\"",                 // unterminated
           "{\"sub\":\"a\"}}",               // trailing byte
           "{\"sub\":\"a\t\"}",              // control character
       }) {
    ClaimSet c;
    EXPECT_FALSE(ScanProfileClaims(payload, &c)) << payload;
  }
  // The reader's limit: 256 values (root + the array + 254 elements).
  std::string roles = "{\"roles\":[\"r\"";
  for (int i = 1; i < 254; ++i) roles += ",\"r\"";
  ClaimSet c;
  EXPECT_TRUE(ScanProfileClaims(roles + "]}", &c));
  EXPECT_FALSE(ScanProfileClaims(roles + ",\"r\"]}", &c));
  // ... which is where the JSON reader, with the verifier's limits, stops.
  json::JsonLimits limits;
  limits.max_input_bytes = kMaxTokenBytes;
  limits.max_depth = kMaxTokenJsonDepth;
  limits.max_values = kMaxTokenJsonValues;
  json::JsonDocument doc;
  EXPECT_EQ(doc.Parse(roles + "]}", limits), json::JsonError::kNone);
  EXPECT_EQ(doc.Parse(roles + ",\"r\"]}", limits),
            json::JsonError::kTooManyValues);
}

}  // namespace
}  // namespace meshid
