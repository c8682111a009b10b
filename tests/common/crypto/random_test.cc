#include "common/crypto/random.h"

#include <string>

#include "common/crypto/constant_time.h"
#include "gtest/gtest.h"

namespace meshid::crypto {
namespace {

TEST(RandomTest, ReturnsRequestedSize) {
  for (size_t n : {0, 1, 12, 32, 1000}) {
    absl::StatusOr<std::string> bytes = RandomBytes(n);
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(bytes->size(), n);
    absl::StatusOr<SecretBytes> secret = RandomSecret(n);
    ASSERT_TRUE(secret.ok()) << secret.status();
    EXPECT_EQ(secret->size(), n);
  }
}

// Two 256-bit draws collide with probability 2^-256, and a stuck generator
// would be caught.
TEST(RandomTest, DrawsDiffer) {
  absl::StatusOr<std::string> a = RandomBytes(32);
  absl::StatusOr<std::string> b = RandomBytes(32);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_NE(*a, std::string(32, '\0'));
  absl::StatusOr<SecretBytes> c = RandomSecret(32);
  absl::StatusOr<SecretBytes> d = RandomSecret(32);
  ASSERT_TRUE(c.ok() && d.ok());
  EXPECT_NE(c->view(), d->view());
}

TEST(ConstantTimeEqualsTest, ComparesContentsAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("", ""));
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_TRUE(
      ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "bbc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEquals("ab", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("", "a"));
  EXPECT_FALSE(
      ConstantTimeEquals(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace meshid::crypto
