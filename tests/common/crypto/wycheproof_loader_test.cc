#include "tests/common/crypto/wycheproof_loader.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace meshid::crypto::wycheproof {
namespace {

std::string WriteTempFile(const std::string& name, const std::string& text) {
  const std::string path = absl::StrCat(::testing::TempDir(), "/", name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(WycheproofLoaderTest, MissingFileIsNotFoundAndNamesThePath) {
  const std::string path = Path("no_such_file.json");
  absl::StatusOr<File> file = LoadFile(path);
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(file.status().message().find(path), absl::string_view::npos);
}

TEST(WycheproofLoaderTest, ParsesTheLayout) {
  const std::string path = WriteTempFile("tiny.json", R"({
    "algorithm": "HMACSHA256", "numberOfTests": 2,
    "notes": {"a": [1, true, false, null, -2]},
    "testGroups": [{
      "type": "MacTest", "keySize": 16, "tagSize": 256,
      "publicKey": {"pk": "0a0B", "pem": "--\n--"},
      "tests": [
        {"tcId": 1, "comment": "x\"y\\\/", "flags": [], "key": "00ff",
         "msg": "", "tag": "41", "result": "valid"},
        {"tcId": 2, "msg": "42", "sig": "", "result": "invalid"}
      ]}]})");
  absl::StatusOr<File> file = LoadFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->algorithm, "HMACSHA256");
  EXPECT_EQ(file->number_of_tests, 2);
  EXPECT_EQ(file->sha256_hex.size(), 64u);
  ASSERT_EQ(file->groups.size(), 1u);
  const Group& group = file->groups[0];
  EXPECT_EQ(group.key_size, 16);
  EXPECT_EQ(group.tag_size, 256);
  EXPECT_EQ(group.public_key, "\x0a\x0b");
  ASSERT_EQ(group.tests.size(), 2u);
  EXPECT_EQ(group.tests[0].comment, "x\"y\\/");
  EXPECT_EQ(group.tests[0].key, std::string("\x00\xff", 2));
  EXPECT_EQ(group.tests[0].tag, "A");
  EXPECT_EQ(group.tests[0].result, Result::kValid);
  EXPECT_EQ(group.tests[1].tc_id, 2);
  EXPECT_EQ(group.tests[1].msg, "B");
  EXPECT_EQ(group.tests[1].result, Result::kInvalid);
}

TEST(WycheproofLoaderTest, RejectsMalformedFiles) {
  const char* const bad[] = {
      "",
      "{",
      R"({"algorithm": "X", "numberOfTests": 1})",  // no testGroups
      R"({"algorithm": "X", "numberOfTests": 1, "testGroups": [{"type": "T",
          "tests": [{"tcId": 1, "msg": "abc", "result": "valid"}]}]})",
      R"({"algorithm": "X", "numberOfTests": 1, "testGroups": [{"type": "T",
          "tests": [{"tcId": 1, "msg": "", "result": "maybe"}]}]})",
      R"({"algorithm": "X", "numberOfTests": 1.5, "testGroups": []})",
      R"({"algorithm": "X", "numberOfTests": 1, "testGroups": []} x)",
      R"({"algorithm": "\u0058", "numberOfTests": 1, "testGroups": []})",
  };
  int i = 0;
  for (const char* text : bad) {
    const std::string path =
        WriteTempFile(absl::StrCat("bad", i++, ".json"), text);
    absl::StatusOr<File> file = LoadFile(path);
    EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument)
        << text << " -> " << file.status();
    std::remove(path.c_str());
  }
}

TEST(WycheproofLoaderTest, DecodeHex) {
  EXPECT_EQ(*DecodeHex(""), "");
  EXPECT_EQ(*DecodeHex("00fF41"), std::string("\x00\xff\x41", 3));
  EXPECT_FALSE(DecodeHex("0").ok());
  EXPECT_FALSE(DecodeHex("0g").ok());
}

}  // namespace
}  // namespace meshid::crypto::wycheproof
