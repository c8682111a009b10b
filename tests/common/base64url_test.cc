#include "common/base64url.h"

#include <string>

#include "gtest/gtest.h"

namespace meshid {
namespace {

TEST(Base64UrlTest, RoundTripsEveryLengthAndByte) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>(i * 37));
    const std::string encoded = Base64UrlEncode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos);
    std::string decoded;
    ASSERT_TRUE(Base64UrlDecode(encoded, &decoded)) << encoded;
    EXPECT_EQ(decoded, bytes);
  }
}

TEST(Base64UrlTest, KnownAnswers) {
  EXPECT_EQ(Base64UrlEncode(""), "");
  EXPECT_EQ(Base64UrlEncode("f"), "Zg");
  EXPECT_EQ(Base64UrlEncode("fo"), "Zm8");
  EXPECT_EQ(Base64UrlEncode("foo"), "Zm9v");
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
}

TEST(Base64UrlTest, RejectsEverythingButCanonicalUnpadded) {
  std::string out;
  for (const char* bad : {
           "Zg==",   // padding
           "Zg=",    // padding
           "Z",      // 4k+1 characters
           "Zh",     // unused bits set: "Zg" is the one spelling of "f"
           "Zm9",    // canonical is Zm8
           "+_8",    // standard alphabet
           "-/8",    // standard alphabet
           "Zm 9v",  // whitespace
           " Zm9v", "Zm9v\n", "Zm9v\t",
           "Zm\09v",  // NUL (the literal stops at \0: "Zm"+"\0"+"9v")
           "Zm.v",
           "\xc3\xa9\xc3\xa9",  // non-ASCII
       }) {
    EXPECT_FALSE(Base64UrlDecode(bad, &out)) << bad;
  }
  const std::string with_nul("Zm\0v", 4);
  EXPECT_FALSE(Base64UrlDecode(with_nul, &out));
}

}  // namespace
}  // namespace meshid
