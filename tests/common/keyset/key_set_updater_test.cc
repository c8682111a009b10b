#include "common/keyset/key_set_updater.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/keyset/key_material.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/keyset/keyset_test_util.h"
#include "tests/common/token/test_keys.h"

namespace meshid::keyset {
namespace {

using ::meshid::testing::kAudience;
using ::meshid::testing::kClient;
using ::meshid::testing::kEdKid;
using ::meshid::testing::kEsKid;
using ::meshid::testing::kHsKid;
using ::meshid::testing::TestClaims;
using ::meshid::testing::TestNow;
using ::meshid::testing::TestPolicy;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::meshid::keyset::testing;  // NOLINT: message builders

std::shared_ptr<const KeySet> ApplyOk(KeySetUpdater& updater,
                                      const kv1::WatchKeysResponse& message) {
  absl::StatusOr<std::shared_ptr<const KeySet>> next =
      updater.Apply(message, TestNow());
  EXPECT_TRUE(next.ok()) << next.status();
  if (!next.ok()) return nullptr;
  EXPECT_EQ(*next, updater.current());
  return *next;
}

// Applies a message that must be refused with `code`, and checks the
// updater kept exactly the set it had.
void ExpectRefused(KeySetUpdater& updater,
                   const kv1::WatchKeysResponse& message,
                   absl::StatusCode code) {
  const std::shared_ptr<const KeySet> before = updater.current();
  const int64_t version = updater.version();
  absl::StatusOr<std::shared_ptr<const KeySet>> next =
      updater.Apply(message, TestNow());
  ASSERT_FALSE(next.ok()) << message.ShortDebugString();
  EXPECT_EQ(next.status().code(), code) << next.status();
  // Never echo material.
  EXPECT_THAT(std::string(next.status().message()),
              Not(HasSubstr(meshid::testing::Rfc7520HmacKey())));
  EXPECT_EQ(updater.current(), before);
  EXPECT_EQ(updater.version(), version);
}

VerifyError Verify(const KeySet& keys, const SigningKey& signer,
                   TokenClaims claims = TestClaims()) {
  absl::StatusOr<std::string> token = SignToken(claims, signer);
  EXPECT_TRUE(token.ok()) << token.status();
  return VerifyToken(token.value_or(""), keys, TestPolicy(), TestNow()).error();
}

class KeySetUpdaterTest : public ::testing::Test {
 protected:
  // An updater synced at `version` with the three test keys.
  void Sync(int64_t version = 10) {
    ApplyOk(updater_, SnapshotMessage(
                          version, {HsMaterial(), EdMaterial(), EsMaterial()}));
  }

  KeySetUpdater updater_;
  meshid::testing::TestSigners signers_ = meshid::testing::MakeTestSigners();
  SigningKey hs_signer_ = HsSigner();
};

TEST_F(KeySetUpdaterTest, StartsEmptyAndUnsynced) {
  EXPECT_EQ(updater_.version(), 0);
  EXPECT_FALSE(updater_.synced());
  EXPECT_EQ(updater_.resume_version(), 0);
  EXPECT_EQ(updater_.current()->key_count(), 0u);
}

TEST_F(KeySetUpdaterTest, SnapshotBuildsAFreshSetAtItsVersion) {
  kv1::WatchKeysResponse message = SnapshotMessage(
      7, {HsMaterial(), EdMaterial(kEdKid, kv1::KEY_STATE_PENDING),
          EsMaterial(kEsKid, kv1::KEY_STATE_RETIRED),
          Tombstone("dead-kid", kv1::KEY_ALGORITHM_HS256,
                    TestNow() + absl::Hours(1)),
          EdMaterial("expired-kid", kv1::KEY_STATE_EXPIRED)});
  *message.mutable_snapshot()->mutable_keys(2)->mutable_verify_until() =
      ToProto(TestNow() + absl::Minutes(30));
  kv1::RevokedJti* jti = message.mutable_snapshot()->add_revoked_jtis();
  jti->set_jti("jti-revoked");
  *jti->mutable_expires_at() = ToProto(TestNow() + absl::Hours(1));
  kv1::RevokedSubject* subject =
      message.mutable_snapshot()->add_revoked_subjects();
  subject->set_subject("user:mallory");
  *subject->mutable_revoked_before() = ToProto(TestNow());

  const std::shared_ptr<const KeySet> set = ApplyOk(updater_, message);
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(updater_.synced());
  EXPECT_EQ(set->version(), 7);
  EXPECT_EQ(updater_.resume_version(), 7);
  EXPECT_EQ(set->key_count(), 4u);  // the EXPIRED key is left out

  const VerificationKey* hs = set->Find(kHsKid);
  ASSERT_NE(hs, nullptr);
  EXPECT_EQ(hs->alg, Algorithm::kHs256);
  EXPECT_EQ(hs->state, KeyState::kActive);
  EXPECT_EQ(hs->client_id, kClient);
  EXPECT_EQ(hs->audience, kAudience);
  EXPECT_EQ(hs->verify_until, absl::InfiniteFuture());

  const VerificationKey* ed = set->Find(kEdKid);
  ASSERT_NE(ed, nullptr);
  EXPECT_EQ(ed->alg, Algorithm::kEdDsa);
  EXPECT_EQ(ed->state, KeyState::kPending);

  const VerificationKey* es = set->Find(kEsKid);
  ASSERT_NE(es, nullptr);
  EXPECT_EQ(es->alg, Algorithm::kEs256);
  EXPECT_EQ(es->state, KeyState::kRetired);
  EXPECT_EQ(es->verify_until, TestNow() + absl::Minutes(30));

  const VerificationKey* dead = set->Find("dead-kid");
  ASSERT_NE(dead, nullptr);
  EXPECT_EQ(dead->state, KeyState::kRevoked);
  EXPECT_TRUE(absl::holds_alternative<absl::monostate>(dead->material));
  EXPECT_EQ(dead->verify_until, TestNow() + absl::Hours(1));
  EXPECT_EQ(set->Find("expired-kid"), nullptr);

  EXPECT_TRUE(set->IsJtiRevoked("jti-revoked"));
  EXPECT_EQ(set->SubjectRevokedBefore("user:mallory"), TestNow());

  // The keys really verify: every algorithm, pending and retired included.
  EXPECT_EQ(Verify(*set, hs_signer_), VerifyError::kOk);
  EXPECT_EQ(Verify(*set, signers_.ed), VerifyError::kOk);
  EXPECT_EQ(Verify(*set, signers_.es), VerifyError::kOk);
}

TEST_F(KeySetUpdaterTest, SnapshotReplacesEverything) {
  Sync(10);
  ApplyOk(updater_, JtiRevokedMessage(11, "jti-1", TestNow() + absl::Hours(1)));
  const std::shared_ptr<const KeySet> set =
      ApplyOk(updater_, SnapshotMessage(20, {EdMaterial()}));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->version(), 20);
  EXPECT_EQ(set->key_count(), 1u);
  EXPECT_EQ(set->Find(kHsKid), nullptr);
  EXPECT_FALSE(set->IsJtiRevoked("jti-1"));
}

TEST_F(KeySetUpdaterTest, SnapshotBehindTheWatcherStillReplaces) {
  // The server sends a snapshot when since_version is ahead of it: that
  // snapshot is the truth, even at a lower version.
  Sync(50);
  const std::shared_ptr<const KeySet> set =
      ApplyOk(updater_, SnapshotMessage(40, {EsMaterial()}));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->version(), 40);
  EXPECT_EQ(set->key_count(), 1u);
}

TEST_F(KeySetUpdaterTest, KeyAddedAndStateChangedReplaceTheKey) {
  Sync(10);
  const std::shared_ptr<const KeySet> v10 = updater_.current();
  std::shared_ptr<const KeySet> set = ApplyOk(
      updater_, KeyEventMessage(11, kv1::KeyEvent::KIND_ADDED,
                                HsMaterial("hs-new", kv1::KEY_STATE_PENDING)));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->version(), 11);
  EXPECT_EQ(set->key_count(), 4u);
  ASSERT_NE(set->Find("hs-new"), nullptr);
  EXPECT_EQ(set->Find("hs-new")->state, KeyState::kPending);
  // Unchanged keys are shared, not copied; the old snapshot is untouched.
  EXPECT_EQ(set->Find(kEdKid), v10->Find(kEdKid));
  EXPECT_EQ(v10->Find("hs-new"), nullptr);
  EXPECT_EQ(v10->version(), 10);

  kv1::KeyMaterial retired = HsMaterial(kHsKid, kv1::KEY_STATE_RETIRED);
  *retired.mutable_verify_until() = ToProto(TestNow() + absl::Minutes(5));
  set = ApplyOk(updater_, KeyEventMessage(12, kv1::KeyEvent::KIND_STATE_CHANGED,
                                          retired));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->Find(kHsKid)->state, KeyState::kRetired);
  EXPECT_EQ(set->Find(kHsKid)->verify_until, TestNow() + absl::Minutes(5));
  EXPECT_EQ(Verify(*set, hs_signer_), VerifyError::kOk);
  EXPECT_EQ(VerifyToken(*SignToken(TestClaims(), hs_signer_), *set,
                        TestPolicy(), TestNow() + absl::Minutes(5))
                .error(),
            VerifyError::kKeyExpired);
}

TEST_F(KeySetUpdaterTest, RevokedBecomesATombstoneThatFailsItsTokens) {
  Sync(10);
  kv1::KeyMaterial revoked =
      Tombstone(kHsKid, kv1::KEY_ALGORITHM_HS256, TestNow() + absl::Hours(1));
  const std::shared_ptr<const KeySet> set =
      ApplyOk(updater_,
              KeyEventMessage(11, kv1::KeyEvent::KIND_STATE_CHANGED, revoked));
  ASSERT_NE(set, nullptr);
  ASSERT_NE(set->Find(kHsKid), nullptr);
  EXPECT_EQ(set->Find(kHsKid)->state, KeyState::kRevoked);
  EXPECT_EQ(Verify(*set, hs_signer_), VerifyError::kKeyRevoked);
}

TEST_F(KeySetUpdaterTest, TombstoneMaterialIsDropped) {
  Sync(10);
  kv1::KeyMaterial revoked = HsMaterial(kHsKid, kv1::KEY_STATE_REVOKED);
  const std::shared_ptr<const KeySet> set =
      ApplyOk(updater_,
              KeyEventMessage(11, kv1::KeyEvent::KIND_STATE_CHANGED, revoked));
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(
      absl::holds_alternative<absl::monostate>(set->Find(kHsKid)->material));
}

TEST_F(KeySetUpdaterTest, ExpiredAndRemovedLeaveTheSet) {
  Sync(10);
  std::shared_ptr<const KeySet> set = ApplyOk(
      updater_, KeyEventMessage(11, kv1::KeyEvent::KIND_STATE_CHANGED,
                                EdMaterial(kEdKid, kv1::KEY_STATE_EXPIRED)));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->Find(kEdKid), nullptr);
  EXPECT_EQ(set->key_count(), 2u);

  set = ApplyOk(updater_, RemovedMessage(12, kEsKid));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->Find(kEsKid), nullptr);
  EXPECT_EQ(set->version(), 12);
  EXPECT_EQ(Verify(*set, signers_.es), VerifyError::kKidUnknown);

  // Removing a kid we never had is harmless; the version still moves.
  set = ApplyOk(updater_, RemovedMessage(13, "never-seen"));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->version(), 13);
  EXPECT_EQ(set->key_count(), 1u);
}

TEST_F(KeySetUpdaterTest, RevocationEventsReachTheLists) {
  Sync(10);
  std::shared_ptr<const KeySet> set = ApplyOk(
      updater_, JtiRevokedMessage(11, "jti-0001", TestNow() + absl::Hours(1)));
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(set->IsJtiRevoked("jti-0001"));
  EXPECT_EQ(set->version(), 11);
  EXPECT_EQ(Verify(*set, hs_signer_), VerifyError::kTokenRevoked);

  set = ApplyOk(updater_, SubjectRevokedMessage(12, kClient, TestNow()));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->SubjectRevokedBefore(kClient), TestNow());
  TokenClaims claims = TestClaims();
  claims.jti = "jti-0002";
  EXPECT_EQ(Verify(*set, hs_signer_, claims), VerifyError::kSubjectRevoked);
}

TEST_F(KeySetUpdaterTest, JtiWithoutExpiryIsKeptForever) {
  Sync(10);
  kv1::WatchKeysResponse message =
      JtiRevokedMessage(11, "jti-x", TestNow() - absl::Hours(100));
  message.mutable_revocation()->mutable_jti()->clear_expires_at();
  const std::shared_ptr<const KeySet> set = ApplyOk(updater_, message);
  ASSERT_NE(set, nullptr);
  EXPECT_TRUE(set->IsJtiRevoked("jti-x"));
}

TEST_F(KeySetUpdaterTest, LongExpiredJtisArePruned) {
  Sync(10);
  ApplyOk(updater_, JtiRevokedMessage(11, "old", TestNow() - absl::Hours(1)));
  ApplyOk(updater_,
          JtiRevokedMessage(12, "recent", TestNow() - absl::Minutes(1)));
  const std::shared_ptr<const KeySet> set = updater_.current();
  EXPECT_FALSE(set->IsJtiRevoked("old"));    // beyond the 5 min grace
  EXPECT_TRUE(set->IsJtiRevoked("recent"));  // within it
}

TEST_F(KeySetUpdaterTest, HeartbeatChangesNothingButTheVersion) {
  Sync(10);
  const std::shared_ptr<const KeySet> v10 = updater_.current();
  // Same version: the very same snapshot object, nothing to publish.
  absl::StatusOr<std::shared_ptr<const KeySet>> same =
      updater_.Apply(HeartbeatMessage(10), TestNow());
  ASSERT_TRUE(same.ok()) << same.status();
  EXPECT_EQ(*same, v10);

  // Higher version: same keys (shared), version advanced.
  const std::shared_ptr<const KeySet> v15 =
      ApplyOk(updater_, HeartbeatMessage(15));
  ASSERT_NE(v15, nullptr);
  EXPECT_EQ(v15->version(), 15);
  EXPECT_EQ(updater_.resume_version(), 15);
  EXPECT_EQ(v15->key_count(), v10->key_count());
  EXPECT_EQ(v15->Find(kHsKid), v10->Find(kHsKid));
  EXPECT_EQ(v15->Find(kEdKid), v10->Find(kEdKid));
}

TEST_F(KeySetUpdaterTest, EventAtTheCurrentVersionIsApplied) {
  // Harmless repeats (idempotent), e.g. several rows of one change.
  Sync(10);
  const std::shared_ptr<const KeySet> set =
      ApplyOk(updater_, RemovedMessage(10, kEsKid));
  ASSERT_NE(set, nullptr);
  EXPECT_EQ(set->version(), 10);
  EXPECT_EQ(set->Find(kEsKid), nullptr);
}

TEST_F(KeySetUpdaterTest, StaleVersionsAreRefused) {
  Sync(10);
  ApplyOk(updater_, HeartbeatMessage(20));
  ExpectRefused(
      updater_,
      KeyEventMessage(19, kv1::KeyEvent::KIND_ADDED, HsMaterial("late")),
      absl::StatusCode::kFailedPrecondition);
  ExpectRefused(updater_, RemovedMessage(5, kHsKid),
                absl::StatusCode::kFailedPrecondition);
  ExpectRefused(updater_,
                JtiRevokedMessage(19, "j", TestNow() + absl::Hours(1)),
                absl::StatusCode::kFailedPrecondition);
  ExpectRefused(updater_, SubjectRevokedMessage(1, "s", TestNow()),
                absl::StatusCode::kFailedPrecondition);
  ExpectRefused(updater_, HeartbeatMessage(19),
                absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(updater_.current()->Find(kHsKid), nullptr);
}

TEST_F(KeySetUpdaterTest, EventsBeforeAnySnapshotAreRefused) {
  ExpectRefused(updater_,
                KeyEventMessage(3, kv1::KeyEvent::KIND_ADDED, HsMaterial()),
                absl::StatusCode::kFailedPrecondition);
  ExpectRefused(updater_, JtiRevokedMessage(3, "j", TestNow() + absl::Hours(1)),
                absl::StatusCode::kFailedPrecondition);
  // A heartbeat too: resuming from its version would skip the snapshot.
  ExpectRefused(updater_, HeartbeatMessage(3),
                absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(updater_.synced());
  EXPECT_EQ(updater_.resume_version(), 0);
  // The snapshot at version 0 of an empty store still syncs.
  ApplyOk(updater_, SnapshotMessage(0, {}));
  EXPECT_TRUE(updater_.synced());
  ApplyOk(updater_,
          KeyEventMessage(1, kv1::KeyEvent::KIND_ADDED, HsMaterial()));
  EXPECT_EQ(updater_.version(), 1);
}

TEST_F(KeySetUpdaterTest, StartingFromAKeptSetResumesWithoutASnapshot) {
  KeySet::Builder builder;
  builder.SetVersion(30);
  KeySetUpdater updater(std::move(builder).Build(), KeySetUpdater::Options{});
  EXPECT_TRUE(updater.synced());
  EXPECT_EQ(updater.resume_version(), 30);
  ApplyOk(updater,
          KeyEventMessage(31, kv1::KeyEvent::KIND_ADDED, EdMaterial()));
  EXPECT_NE(updater.current()->Find(kEdKid), nullptr);
}

// Each malformed key, as an ADDED event and inside a snapshot: refused with
// INVALID_ARGUMENT, the old set kept.
TEST_F(KeySetUpdaterTest, MalformedMaterialIsRefusedAndTheOldSetKept) {
  Sync(10);
  std::vector<std::pair<std::string, kv1::KeyMaterial>> cases;
  {
    kv1::KeyMaterial m = HsMaterial("k");
    m.set_hs256_secret(std::string(31, 'a'));
    cases.emplace_back("hs256 secret 31 bytes", m);
    m.set_hs256_secret(std::string(33, 'a'));
    cases.emplace_back("hs256 secret 33 bytes", m);
    m.set_hs256_secret("");
    cases.emplace_back("hs256 secret empty", m);
  }
  {
    kv1::KeyMaterial m = HsMaterial("k");
    m.clear_client_id();
    cases.emplace_back("hs256 without client_id", m);
    m = HsMaterial("k");
    m.clear_audience();
    cases.emplace_back("hs256 without audience", m);
    m = HsMaterial("k");
    m.mutable_ed25519()->set_x(meshid::testing::Rfc8037Public());
    cases.emplace_back("hs256 with ed25519 material", m);
    m = HsMaterial("k");
    m.clear_material();
    cases.emplace_back("hs256 without material", m);
  }
  {
    kv1::KeyMaterial m = EdMaterial("k");
    m.mutable_ed25519()->set_x(std::string(31, 'x'));
    cases.emplace_back("ed25519 31 bytes", m);
    m.mutable_ed25519()->set_x(std::string(33, 'x'));
    cases.emplace_back("ed25519 33 bytes", m);
    m = EdMaterial("k");
    m.set_hs256_secret(meshid::testing::Rfc7520HmacKey());
    cases.emplace_back("eddsa with an hs256 secret", m);
  }
  {
    kv1::KeyMaterial m = EsMaterial("k");
    m.mutable_ec_p256()->set_y(std::string(33, 'y'));
    cases.emplace_back("p256 y 33 bytes", m);
    m = EsMaterial("k");
    m.mutable_ec_p256()->set_x(std::string(31, 'x'));
    cases.emplace_back("p256 x 31 bytes", m);
    m = EsMaterial("k");
    m.mutable_ec_p256()->set_x(std::string(32, '\x01'));
    cases.emplace_back("p256 point not on the curve", m);
  }
  {
    kv1::KeyMaterial m = HsMaterial("k");
    m.set_alg(kv1::KEY_ALGORITHM_UNSPECIFIED);
    cases.emplace_back("unspecified algorithm", m);
    m = HsMaterial("k");
    m.set_state(kv1::KEY_STATE_UNSPECIFIED);
    cases.emplace_back("unspecified state", m);
    m = HsMaterial("");
    cases.emplace_back("empty kid", m);
    m = HsMaterial("k");
    m.mutable_verify_until()->set_nanos(1000000000);
    cases.emplace_back("verify_until nanos out of range", m);
  }
  for (const auto& [name, material] : cases) {
    SCOPED_TRACE(name);
    ExpectRefused(updater_,
                  KeyEventMessage(11, kv1::KeyEvent::KIND_ADDED, material),
                  absl::StatusCode::kInvalidArgument);
    ExpectRefused(
        updater_,
        KeyEventMessage(11, kv1::KeyEvent::KIND_STATE_CHANGED, material),
        absl::StatusCode::kInvalidArgument);
    // One bad key spoils the whole snapshot.
    ExpectRefused(updater_, SnapshotMessage(11, {EdMaterial(), material}),
                  absl::StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(updater_.version(), 10);
  EXPECT_EQ(updater_.current()->key_count(), 3u);
}

TEST_F(KeySetUpdaterTest, MalformedMessagesAreRefused) {
  Sync(10);
  ExpectRefused(updater_, kv1::WatchKeysResponse(),
                absl::StatusCode::kInvalidArgument);
  ExpectRefused(updater_, SnapshotMessage(11, {HsMaterial(), HsMaterial()}),
                absl::StatusCode::kInvalidArgument);
  ExpectRefused(updater_, SnapshotMessage(-1, {}),
                absl::StatusCode::kInvalidArgument);
  ExpectRefused(
      updater_,
      KeyEventMessage(11, kv1::KeyEvent::KIND_UNSPECIFIED, HsMaterial()),
      absl::StatusCode::kInvalidArgument);
  ExpectRefused(updater_, RemovedMessage(11, ""),
                absl::StatusCode::kInvalidArgument);

  kv1::WatchKeysResponse no_target;
  no_target.mutable_revocation()->set_version(11);
  ExpectRefused(updater_, no_target, absl::StatusCode::kInvalidArgument);

  kv1::WatchKeysResponse empty_jti =
      JtiRevokedMessage(11, "", TestNow() + absl::Hours(1));
  ExpectRefused(updater_, empty_jti, absl::StatusCode::kInvalidArgument);

  kv1::WatchKeysResponse no_cutoff = SubjectRevokedMessage(11, "s", TestNow());
  no_cutoff.mutable_revocation()->mutable_subject()->clear_revoked_before();
  ExpectRefused(updater_, no_cutoff, absl::StatusCode::kInvalidArgument);

  kv1::WatchKeysResponse bad_snapshot_jti = SnapshotMessage(11, {});
  bad_snapshot_jti.mutable_snapshot()->add_revoked_jtis()->set_jti("");
  ExpectRefused(updater_, bad_snapshot_jti, absl::StatusCode::kInvalidArgument);
}

TEST(KeyMaterialTest, TombstoneWithoutAlgorithmIsStillATombstone) {
  kv1::KeyMaterial m;
  m.set_kid("gone");
  m.set_state(kv1::KEY_STATE_REVOKED);
  absl::StatusOr<std::optional<VerificationKey>> key = KeyFromMaterial(m);
  ASSERT_TRUE(key.ok()) << key.status();
  ASSERT_TRUE(key->has_value());
  EXPECT_EQ((*key)->state, KeyState::kRevoked);
  EXPECT_EQ((*key)->verify_until, absl::InfiniteFuture());
}

TEST(KeyMaterialTest, TimestampRange) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(1700000000);
  ts.set_nanos(5);
  EXPECT_EQ(*TimeFromProto(ts),
            absl::FromUnixSeconds(1700000000) + absl::Nanoseconds(5));
  ts.set_nanos(-1);
  EXPECT_FALSE(TimeFromProto(ts).ok());
  ts.set_nanos(0);
  ts.set_seconds(253402300800);
  EXPECT_FALSE(TimeFromProto(ts).ok());
}

}  // namespace
}  // namespace meshid::keyset
