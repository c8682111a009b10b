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

// The quantum loop checks validity once, after the loop: every byte outside
// the alphabet, in every position of the first, a middle and the last whole
// quantum and of a partial tail, must still fail the decode.
TEST(Base64UrlTest, RejectsEveryForeignByteAtEveryPosition) {
  const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const std::string valid = Base64UrlEncode(std::string(40, 'x'));  // 4k+2
  ASSERT_EQ(valid.size() % 4, 2u);
  std::string out;
  int rejected = 0;
  for (int byte = 0; byte < 256; ++byte) {
    if (alphabet.find(static_cast<char>(byte)) != std::string::npos) continue;
    for (size_t pos = 0; pos < valid.size(); ++pos) {
      std::string bad = valid;
      bad[pos] = static_cast<char>(byte);
      EXPECT_FALSE(Base64UrlDecode(bad, &out)) << "byte " << byte << " at "
                                               << pos;
      ++rejected;
    }
  }
  EXPECT_EQ(rejected, (256 - 64) * static_cast<int>(valid.size()));
}

}  // namespace
}  // namespace meshid
