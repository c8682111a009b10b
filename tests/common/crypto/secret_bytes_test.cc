#include "common/crypto/secret_bytes.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace meshid::crypto {
namespace {

// Long enough to live on the heap; kShort fits libstdc++'s inline buffer,
// the case where a moved-from string keeps its old bytes.
constexpr char kLong[] = "a secret that is longer than sixteen bytes";
constexpr char kShort[] = "short";

TEST(SecretBytesTest, HoldsBytes) {
  const SecretBytes empty;
  EXPECT_TRUE(empty.empty());
  const SecretBytes secret(absl::string_view("a\0b", 3));
  EXPECT_EQ(secret.size(), 3u);
  EXPECT_EQ(secret.view(), absl::string_view("a\0b", 3));
  EXPECT_EQ(secret.data()[2], 'b');
}

TEST(SecretBytesTest, TakesOverAStringAndEmptiesIt) {
  for (const char* value : {kShort, kLong}) {
    std::string source = value;
    const SecretBytes secret(std::move(source));
    EXPECT_EQ(secret.view(), value);
    EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)
  }
}

TEST(SecretBytesTest, CopyAndCopyAssign) {
  const SecretBytes original{absl::string_view(kLong)};
  SecretBytes copy(original);
  EXPECT_EQ(copy.view(), kLong);
  SecretBytes assigned{absl::string_view(kShort)};
  assigned = original;
  EXPECT_EQ(assigned.view(), kLong);
  assigned = SecretBytes(absl::string_view(kShort));
  EXPECT_EQ(assigned.view(), kShort);
  const SecretBytes& self = assigned;
  assigned = self;
  EXPECT_EQ(assigned.view(), kShort);
  EXPECT_EQ(original.view(), kLong);
}

TEST(SecretBytesTest, MovedFromIsEmpty) {
  for (const char* value : {kShort, kLong}) {
    SecretBytes source{absl::string_view(value)};
    SecretBytes moved(std::move(source));
    EXPECT_EQ(moved.view(), value);
    EXPECT_TRUE(source.empty());  // NOLINT(bugprone-use-after-move)

    SecretBytes target(absl::string_view("previous contents of the target"));
    target = std::move(moved);
    EXPECT_EQ(target.view(), value);
    EXPECT_TRUE(moved.empty());  // NOLINT(bugprone-use-after-move)
  }
}

}  // namespace
}  // namespace meshid::crypto
