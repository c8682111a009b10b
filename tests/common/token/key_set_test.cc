#include "common/token/key_set.h"

#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid {
namespace {

TEST(KeySetTest, FindIsExactAndBuildersNeverChangeTheBase) {
  const auto base = testing::MakeTestKeySet();
  EXPECT_NE(base->Find("hs-pair-key"), nullptr);
  EXPECT_EQ(base->Find("hs-pair-ke"), nullptr);
  EXPECT_EQ(base->Find("hs-pair-key "), nullptr);
  EXPECT_EQ(base->Find(""), nullptr);

  KeySet::Builder b(*base);
  b.RemoveKey("hs-pair-key").RevokeJti("j1", absl::UnixEpoch()).SetVersion(2);
  const auto next = std::move(b).Build();
  EXPECT_EQ(next->Find("hs-pair-key"), nullptr);
  EXPECT_NE(base->Find("hs-pair-key"), nullptr);
  EXPECT_TRUE(next->IsJtiRevoked("j1"));
  EXPECT_FALSE(base->IsJtiRevoked("j1"));
  EXPECT_EQ(base->version(), 1);
  EXPECT_EQ(next->version(), 2);
  // Unchanged keys are shared, not copied.
  EXPECT_EQ(base->Find("ed-issuer-key"), next->Find("ed-issuer-key"));
}

TEST(KeySetTest, ReplacingAKeyKeepsLookupsValid) {
  const auto base = testing::MakeTestKeySet();
  KeySet::Builder b(*base);
  b.AddKey(VerificationKey::Revoked("hs-pair-key", Algorithm::kHs256));
  const auto next = std::move(b).Build();
  ASSERT_NE(next->Find("hs-pair-key"), nullptr);
  EXPECT_EQ(next->Find("hs-pair-key")->state, KeyState::kRevoked);
  EXPECT_EQ(next->key_count(), 3u);
}

TEST(KeySetTest, SubjectCutoffKeepsTheLatestAndJtisPrune) {
  KeySet::Builder b;
  const absl::Time t = absl::FromUnixSeconds(1000);
  b.RevokeSubject("alice", t).RevokeSubject("alice", t - absl::Seconds(5));
  b.RevokeJti("old", t - absl::Seconds(1)).RevokeJti("new", t);
  b.PruneRevokedJtis(t);
  const auto set = std::move(b).Build();
  EXPECT_EQ(set->SubjectRevokedBefore("alice"), t);
  EXPECT_EQ(set->SubjectRevokedBefore("bob"), std::nullopt);
  EXPECT_FALSE(set->IsJtiRevoked("old"));
  EXPECT_TRUE(set->IsJtiRevoked("new"));
}

TEST(KeysTest, Hs256SecretsShorterThan256BitsAreRefused) {
  EXPECT_FALSE(VerificationKey::Hs256("k", std::string(31, 'x'), "", "").ok());
  EXPECT_FALSE(SigningKey::Hs256("k", std::string(31, 'x')).ok());
  EXPECT_TRUE(SigningKey::Hs256("k", std::string(32, 'x')).ok());
}

}  // namespace
}  // namespace meshid
