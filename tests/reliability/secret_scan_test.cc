// The scanner the hygiene tests rely on finds what it must: a test that
// could not see a leak would prove nothing.
#include "tests/testing/secret_scan.h"

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace meshid::test_process {
namespace {

constexpr char kSecret[] = "mid_0123456789abcdef-secret";

TEST(SecretScannerTest, FindsEverySpelling) {
  SecretScanner scanner;
  ASSERT_TRUE(scanner.Add("client secret", kSecret));
  for (const std::string& text :
       {std::string("x ") + kSecret + " y",
        "b64url " + absl::WebSafeBase64Escape(kSecret),
        "b64 " + absl::Base64Escape(kSecret),
        "hex " + absl::BytesToHexString(kSecret)}) {
    EXPECT_FALSE(scanner.Scan("log", text).empty()) << text;
  }
  EXPECT_TRUE(scanner.Scan("log", "nothing here").empty());
}

TEST(SecretScannerTest, FindsATokenBySignatureAlone) {
  SecretScanner scanner;
  const std::string token = "eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJlLWJ5dGVzLTEyMw";
  ASSERT_TRUE(scanner.AddToken("token", token));
  EXPECT_FALSE(scanner.Scan("log", "sig=c2lnbmF0dXJlLWJ5dGVzLTEyMw").empty());
  EXPECT_FALSE(scanner.Scan("log", token).empty());
}

TEST(SecretScannerTest, RefusesSecretsTooShortToSearchFor) {
  SecretScanner scanner;
  EXPECT_FALSE(scanner.Add("short", "abc"));
  EXPECT_EQ(scanner.size(), 0u);
}

}  // namespace
}  // namespace meshid::test_process
