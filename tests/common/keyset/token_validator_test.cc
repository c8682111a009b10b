#include "common/keyset/token_validator.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/fake_clock.h"
#include "common/token/token_signer.h"
#include "gtest/gtest.h"
#include "tests/common/keyset/test_support.h"
#include "tests/common/token/test_keys.h"

namespace meshid::keyset {
namespace {

using ::meshid::keyset::testing::MetricValue;
using ::meshid::testing::TestClaims;
using ::meshid::testing::TestNow;
using ::meshid::testing::TestPolicy;

class FakeKeySetSource final : public KeySetSource {
 public:
  explicit FakeKeySetSource(std::shared_ptr<const KeySet> set)
      : set_(std::move(set)) {}
  std::shared_ptr<const KeySet> Current() const override {
    return std::atomic_load(&set_);
  }
  void RequestResync() override { resyncs_.fetch_add(1); }
  void Set(std::shared_ptr<const KeySet> set) {
    std::atomic_store(&set_, std::move(set));
  }
  int resyncs() const { return resyncs_.load(); }

 private:
  std::shared_ptr<const KeySet> set_;
  std::atomic<int> resyncs_{0};
};

class TokenValidatorTest : public ::testing::Test {
 protected:
  std::string Sign(const SigningKey& key, TokenClaims claims = TestClaims()) {
    absl::StatusOr<std::string> token = SignToken(claims, key);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }
  double Count(absl::string_view result, absl::string_view reason) {
    return MetricValue(
        registry_, "meshid_validations_total",
        {{"result", std::string(result)}, {"reason", std::string(reason)}});
  }

  FakeClock clock_{TestNow()};
  prometheus::Registry registry_;
  meshid::testing::TestSigners signers_ = meshid::testing::MakeTestSigners();
  FakeKeySetSource source_{meshid::testing::MakeTestKeySet()};
  TokenValidator validator_{&source_, TestPolicy(), &clock_, &registry_};
};

TEST_F(TokenValidatorTest, AcceptsAValidToken) {
  for (const SigningKey* key : {&signers_.hs, &signers_.ed, &signers_.es}) {
    const VerifyResult result = validator_.Validate(Sign(*key));
    ASSERT_TRUE(result.ok()) << VerifyErrorName(result.error());
    EXPECT_EQ(result.principal().subject, meshid::testing::kClient);
    EXPECT_EQ(result.principal().kid, key->kid);
  }
  EXPECT_EQ(source_.resyncs(), 0);
  EXPECT_EQ(Count("accepted", "ok"), 3);
}

TEST_F(TokenValidatorTest, UnknownKidAsksForOneResync) {
  absl::StatusOr<SigningKey> stranger =
      SigningKey::Hs256("unknown-kid", meshid::testing::Rfc7520HmacKey());
  ASSERT_TRUE(stranger.ok());
  EXPECT_EQ(validator_.Validate(Sign(*stranger)).error(),
            VerifyError::kKidUnknown);
  EXPECT_EQ(source_.resyncs(), 1);
  EXPECT_EQ(Count("rejected", "kid_unknown"), 1);
}

TEST_F(TokenValidatorTest, OtherFailuresDoNotResync) {
  std::string token = Sign(signers_.hs);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(validator_.Validate(token).error(), VerifyError::kBadSignature);
  EXPECT_EQ(validator_.Validate("not.a.token!").error(),
            VerifyError::kBadBase64);
  clock_.Advance(absl::Hours(1));
  EXPECT_EQ(validator_.Validate(Sign(signers_.ed)).error(),
            VerifyError::kExpired);
  EXPECT_EQ(source_.resyncs(), 0);
  EXPECT_EQ(Count("rejected", "bad_signature"), 1);
  EXPECT_EQ(Count("rejected", "bad_base64"), 1);
  EXPECT_EQ(Count("rejected", "expired"), 1);
  EXPECT_EQ(Count("accepted", "ok"), 0);
}

TEST_F(TokenValidatorTest, UsesWhicheverSetIsCurrent) {
  const std::string token = Sign(signers_.hs);
  EXPECT_TRUE(validator_.Validate(token).ok());
  source_.Set(KeySet::Empty());
  EXPECT_EQ(validator_.Validate(token).error(), VerifyError::kKidUnknown);
  source_.Set(meshid::testing::MakeTestKeySet());
  EXPECT_TRUE(validator_.Validate(token).ok());
}

TEST_F(TokenValidatorTest, AudienceIsTheValidatorsOwnName) {
  VerifyPolicy policy = TestPolicy();
  policy.audience = "another-service";
  TokenValidator other(&source_, policy, &clock_);
  EXPECT_EQ(other.Validate(Sign(signers_.hs)).error(),
            VerifyError::kAudMismatch);
}

TEST_F(TokenValidatorTest, ConcurrentValidationsAreAllCounted) {
  const std::string token = Sign(signers_.ed);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 250; ++j)
        EXPECT_TRUE(validator_.Validate(token).ok());
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(Count("accepted", "ok"), 1000);
}

TEST_F(TokenValidatorTest, WorksWithoutMetrics) {
  TokenValidator plain(&source_, TestPolicy(), &clock_);
  EXPECT_TRUE(plain.Validate(Sign(signers_.es)).ok());
}

}  // namespace
}  // namespace meshid::keyset
