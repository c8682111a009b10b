// The cache of validated tokens: a hit only for the same token bytes, the
// same key-set version, and inside the token's time window (with skew) and
// its key's verification window.
#include "gateway/verified_token_cache.h"

#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid::gateway {
namespace {

using ::meshid::testing::MakeTestKeySet;
using ::meshid::testing::TestNow;

Principal TestPrincipal() {
  Principal p;
  p.subject = "alice";
  p.client_id = std::string(::meshid::testing::kClient);
  p.kid = std::string(::meshid::testing::kHsKid);
  p.issued_at = TestNow() - absl::Minutes(1);
  p.not_before = p.issued_at;
  p.expires_at = TestNow() + absl::Minutes(14);
  return p;
}

TEST(VerifiedTokenCacheTest, HitOnlyForTheSameTokenAndKeySetVersion) {
  VerifiedTokenCache cache({absl::Seconds(30)});
  auto keys = MakeTestKeySet();
  EXPECT_EQ(cache.Lookup("tok-a", *keys, TestNow()), nullptr);
  cache.Insert("tok-a", *keys, TestPrincipal());
  auto hit = cache.Lookup("tok-a", *keys, TestNow());
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->subject, "alice");
  EXPECT_EQ(cache.Lookup("tok-b", *keys, TestNow()), nullptr);
  EXPECT_EQ(cache.Lookup("tok-", *keys, TestNow()), nullptr);
  // Any change to keys or revocations is a new version: validate again.
  KeySet::Builder next(*keys);
  next.RevokeJti("other", TestNow()).SetVersion(2);
  auto newer = std::move(next).Build();
  EXPECT_EQ(cache.Lookup("tok-a", *newer, TestNow()), nullptr);
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(VerifiedTokenCacheTest, TimeWindowFollowsTheVerifiersRules) {
  VerifiedTokenCache cache({absl::Seconds(30)});
  auto keys = MakeTestKeySet();
  const Principal p = TestPrincipal();
  cache.Insert("tok", *keys, p);
  // exp + skew is the end, exclusive.
  EXPECT_NE(cache.Lookup("tok", *keys, p.expires_at + absl::Seconds(29)),
            nullptr);
  EXPECT_EQ(cache.Lookup("tok", *keys, p.expires_at + absl::Seconds(30)),
            nullptr);
  // nbf / iat - skew is the start.
  EXPECT_EQ(cache.Lookup("tok", *keys, p.issued_at - absl::Seconds(31)),
            nullptr);
  EXPECT_NE(cache.Lookup("tok", *keys, p.issued_at - absl::Seconds(29)),
            nullptr);
}

TEST(VerifiedTokenCacheTest, KeyVerificationWindowBoundsTheEntry) {
  VerifiedTokenCache cache({absl::Seconds(30)});
  absl::StatusOr<VerificationKey> retiring =
      VerificationKey::Hs256(std::string(::meshid::testing::kHsKid),
                             ::meshid::testing::Rfc7515HmacKey(),
                             std::string(::meshid::testing::kClient),
                             std::string(::meshid::testing::kAudience));
  ASSERT_TRUE(retiring.ok());
  retiring->verify_until = TestNow() + absl::Minutes(1);
  KeySet::Builder builder(*MakeTestKeySet());
  builder.AddKey(*std::move(retiring));
  auto keys = std::move(builder).Build();
  cache.Insert("tok", *keys, TestPrincipal());
  EXPECT_NE(cache.Lookup("tok", *keys, TestNow()), nullptr);
  EXPECT_EQ(cache.Lookup("tok", *keys, TestNow() + absl::Minutes(1)), nullptr);
}

TEST(VerifiedTokenCacheTest, PrincipalOfAnotherSnapshotsKeyNeverHits) {
  VerifiedTokenCache cache({absl::Seconds(30)});
  auto keys = MakeTestKeySet();
  Principal p = TestPrincipal();
  p.kid = "not-in-this-set";
  cache.Insert("tok", *keys, p);
  EXPECT_EQ(cache.Lookup("tok", *keys, TestNow()), nullptr);
}

}  // namespace
}  // namespace meshid::gateway
