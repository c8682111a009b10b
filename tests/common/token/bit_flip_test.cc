// Flipping any single bit of a valid token makes it fail, for every
// algorithm: each of the 8 bits of each character of the compact string.
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"
#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid {
namespace {

TEST(BitFlipTest, EverySingleBitFlipIsRefused) {
  const testing::TestSigners signers = testing::MakeTestSigners();
  const auto keys = testing::MakeTestKeySet();
  for (const SigningKey* key : {&signers.hs, &signers.ed, &signers.es}) {
    auto token = SignToken(testing::TestClaims(), *key);
    ASSERT_TRUE(token.ok());
    ASSERT_TRUE(
        VerifyToken(*token, *keys, testing::TestPolicy(), testing::TestNow())
            .ok());
    int flips = 0;
    for (size_t i = 0; i < token->size(); ++i) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string flipped = *token;
        flipped[i] = static_cast<char>(flipped[i] ^ (1 << bit));
        const VerifyResult r = VerifyToken(
            flipped, *keys, testing::TestPolicy(), testing::TestNow());
        EXPECT_FALSE(r.ok()) << key->kid << " byte " << i << " bit " << bit;
        ++flips;
      }
    }
    EXPECT_EQ(flips, static_cast<int>(token->size() * 8));
  }
}

}  // namespace
}  // namespace meshid
