// The vector steps of the base64url decoder (common/base64url_simd.*) against
// a one-character-at-a-time reference: same verdict and same bytes for every
// length, with every foreign byte in every block position, with the steps
// on and off; and no byte written past Base64UrlMaxDecodedSize.
#include <cstdint>
#include <random>
#include <string>

#include "common/base64url.h"
#include "common/base64url_simd.h"
#include "gtest/gtest.h"

namespace meshid {
namespace {

const std::string kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// RFC 4648 section 5, unpadded, canonical final bits: the plain way.
bool ReferenceDecode(const std::string& in, std::string* out) {
  if (in.size() % 4 == 1) return false;
  out->clear();
  uint32_t bits = 0;
  int held = 0;
  for (char c : in) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string::npos) return false;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    held += 6;
    if (held >= 8) {
      held -= 8;
      out->push_back(static_cast<char>(bits >> held));
      bits &= (1u << held) - 1;
    }
  }
  return bits == 0;  // the unused low bits of the last character
}

// Decodes into a buffer of exactly Base64UrlMaxDecodedSize bytes followed
// by guard bytes that must survive.
bool GuardedDecode(const std::string& in, std::string* out) {
  const size_t room = Base64UrlMaxDecodedSize(in.size());
  std::string buffer(room + 64, '\xA5');
  size_t size = 0;
  const bool ok = Base64UrlDecode(in, buffer.data(), &size);
  EXPECT_EQ(buffer.substr(room), std::string(64, '\xA5')) << in;
  if (ok) *out = buffer.substr(0, size);
  return ok;
}

class VectorStepsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    base64url_internal::SetVectorStepsEnabledForTesting(GetParam());
  }
  void TearDown() override {
    base64url_internal::SetVectorStepsEnabledForTesting(true);
  }
};

TEST_P(VectorStepsTest, AgreesWithTheReferenceOnValidText) {
  std::mt19937 rng(7);
  for (size_t length = 0; length < 300; ++length) {
    for (int trial = 0; trial < 4; ++trial) {
      std::string text;
      for (size_t i = 0; i < length; ++i) text.push_back(kAlphabet[rng() % 64]);
      std::string want, got;
      const bool want_ok = ReferenceDecode(text, &want);
      ASSERT_EQ(GuardedDecode(text, &got), want_ok) << text;
      if (want_ok) {
        EXPECT_EQ(got, want) << text;
      }
    }
  }
}

TEST_P(VectorStepsTest, EveryForeignByteInEveryPositionOfTwoWideBlocks) {
  // 72 characters: a 32-character block, a 16-character block, then
  // quanta; each position of each is tried.
  std::mt19937 rng(11);
  std::string valid;
  for (int i = 0; i < 72; ++i) valid.push_back(kAlphabet[rng() % 64]);
  std::string sink;
  ASSERT_TRUE(ReferenceDecode(valid, &sink));
  for (int byte = 0; byte < 256; ++byte) {
    if (kAlphabet.find(static_cast<char>(byte)) != std::string::npos) continue;
    for (size_t pos = 0; pos < valid.size(); ++pos) {
      std::string bad = valid;
      bad[pos] = static_cast<char>(byte);
      EXPECT_FALSE(GuardedDecode(bad, &sink)) << byte << " at " << pos;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(OnAndOff, VectorStepsTest, ::testing::Bool());

TEST(VectorStepsTest, AreUsedOnThisMachine) {
  // Not a requirement of the decoder; says which path the tests above took.
  RecordProperty("vector_steps",
                 base64url_internal::VectorStepsAvailable() ? "yes" : "no");
}

}  // namespace
}  // namespace meshid
