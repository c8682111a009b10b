#include "common/keyset/key_set_watcher.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/keyset/token_validator.h"
#include "common/testing/fake_clock.h"
#include "common/token/token_signer.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/common/keyset/fake_key_servers.h"
#include "tests/common/keyset/keyset_test_util.h"
#include "tests/common/keyset/test_support.h"
#include "tests/common/token/test_keys.h"

namespace meshid::keyset {
namespace {

using ::meshid::testing::kEdKid;
using ::meshid::testing::kEsKid;
using ::meshid::testing::kHsKid;
using ::meshid::testing::TestClaims;
using ::meshid::testing::TestNow;
using ::meshid::testing::TestPolicy;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::meshid::keyset::testing;  // NOLINT: fakes and builders

constexpr absl::string_view kClientId = "logging-service";
// A recognisable client secret; it must never reach a log line.
constexpr absl::string_view kClientSecret =
    "S3CRET-do-not-log-0123456789abcdefghijklmnopq";

class KeySetWatcherTest : public ::testing::Test {
 protected:
  void SetUp() override {
    servers_ = FakeKeyServers::Start();
    ASSERT_NE(servers_, nullptr);
  }

  void TearDown() override {
    watcher_.reset();  // stops before the servers go away
    servers_.reset();
    for (const std::string& line : log_.lines()) {
      EXPECT_THAT(line, Not(HasSubstr(kClientSecret)));
      EXPECT_THAT(line, Not(HasSubstr("watch-token-")));  // nor a token
    }
  }

  KeySetWatcherOptions Options() {
    KeySetWatcherOptions options;
    options.identity_address = servers_->address();
    options.keyadmin_address = servers_->address();
    options.client_id = std::string(kClientId);
    options.client_secret = crypto::SecretBytes(kClientSecret);
    // Short delays keep the tests quick; the logic is the same.
    options.backoff.initial = absl::Milliseconds(20);
    options.backoff.max = absl::Milliseconds(200);
    options.clock = &clock_;
    options.registry = &registry_;
    return options;
  }

  void StartWatcher(KeySetWatcherOptions options) {
    watcher_ = std::make_unique<KeySetWatcher>(std::move(options));
    ASSERT_TRUE(watcher_->Start().ok());
  }

  FakeKeyAdmin& keyadmin() { return servers_->keyadmin(); }

  // Waits for stream `i` and returns it.
  FakeWatchStream& Stream(int i) {
    EXPECT_TRUE(keyadmin().WaitForStreams(i + 1, kWaitTimeout))
        << "stream " << i << " never opened";
    return keyadmin().stream(i);
  }

  double Metric(absl::string_view name) { return MetricValue(registry_, name); }

  // Opens the first stream and syncs the watcher to a snapshot at
  // `version` with the three test keys.
  void SyncTo(int64_t version) {
    ASSERT_TRUE(Stream(0).Send(
        SnapshotMessage(version, {HsMaterial(), EdMaterial(), EsMaterial()})));
    ASSERT_TRUE(watcher_->WaitForVersion(version, kWaitTimeout));
  }

  LogCapture log_;
  FakeClock clock_{TestNow()};
  prometheus::Registry registry_;
  std::unique_ptr<FakeKeyServers> servers_;
  std::unique_ptr<KeySetWatcher> watcher_;
  meshid::testing::TestSigners signers_ = meshid::testing::MakeTestSigners();
  SigningKey hs_signer_ = HsSigner();
};

TEST_F(KeySetWatcherTest, AppliesTheInitialSnapshotWithItsOwnToken) {
  StartWatcher(Options());
  EXPECT_EQ(watcher_->Current()->version(), 0);
  FakeWatchStream& stream = Stream(0);
  EXPECT_EQ(stream.since_version(), 0);
  EXPECT_EQ(stream.authorization(), "Bearer watch-token-1");

  ASSERT_EQ(servers_->identity().calls(), 1);
  const auto issue = servers_->identity().request(0);
  EXPECT_EQ(issue.client_id(), kClientId);
  EXPECT_EQ(issue.client_secret(), kClientSecret);
  EXPECT_EQ(issue.audience(), "meshid-keyadmin");
  EXPECT_THAT(issue.scopes(), ElementsAre("keys:watch"));

  ASSERT_TRUE(stream.Send(
      SnapshotMessage(5, {HsMaterial(), EdMaterial(), EsMaterial()})));
  ASSERT_TRUE(watcher_->WaitForVersion(5, kWaitTimeout));
  const std::shared_ptr<const KeySet> set = watcher_->Current();
  EXPECT_EQ(set->version(), 5);
  EXPECT_EQ(set->key_count(), 3u);
  EXPECT_NE(set->Find(kHsKid), nullptr);
  EXPECT_EQ(Metric("meshid_keyset_version"), 5);
  EXPECT_EQ(Metric("meshid_keyset_keys"), 3);
  EXPECT_EQ(Metric("meshid_keyset_reconnects_total"), 0);
  EXPECT_EQ(Metric("meshid_keyset_seconds_since_last_event"), 0);
  EXPECT_EQ(log_.Count("\"event\":\"keyset.watch_connect\""), 1);
}

TEST_F(KeySetWatcherTest, AppliesEventsInOrder) {
  StartWatcher(Options());
  SyncTo(1);
  FakeWatchStream& stream = Stream(0);
  ASSERT_TRUE(
      stream.Send(KeyEventMessage(2, kv1::KeyEvent::KIND_ADDED,
                                  HsMaterial("hs-2", kv1::KEY_STATE_PENDING))));
  ASSERT_TRUE(stream.Send(
      JtiRevokedMessage(3, "jti-0001", TestNow() + absl::Hours(1))));
  ASSERT_TRUE(stream.Send(SubjectRevokedMessage(4, "user:eve", TestNow())));
  ASSERT_TRUE(
      stream.Send(KeyEventMessage(5, kv1::KeyEvent::KIND_STATE_CHANGED,
                                  Tombstone(kEsKid, kv1::KEY_ALGORITHM_ES256,
                                            TestNow() + absl::Hours(1)))));
  ASSERT_TRUE(stream.Send(RemovedMessage(6, kEdKid)));
  ASSERT_TRUE(stream.Send(HeartbeatMessage(9)));
  ASSERT_TRUE(watcher_->WaitForVersion(9, kWaitTimeout));

  const std::shared_ptr<const KeySet> set = watcher_->Current();
  EXPECT_EQ(set->version(), 9);
  ASSERT_NE(set->Find("hs-2"), nullptr);
  EXPECT_EQ(set->Find("hs-2")->state, KeyState::kPending);
  EXPECT_TRUE(set->IsJtiRevoked("jti-0001"));
  EXPECT_EQ(set->SubjectRevokedBefore("user:eve"), TestNow());
  ASSERT_NE(set->Find(kEsKid), nullptr);
  EXPECT_EQ(set->Find(kEsKid)->state, KeyState::kRevoked);
  EXPECT_EQ(set->Find(kEdKid), nullptr);
  EXPECT_EQ(Metric("meshid_keyset_version"), 9);
  EXPECT_EQ(Metric("meshid_keyset_keys"), 3);  // hs, hs-2, es tombstone
  EXPECT_EQ(keyadmin().stream_count(), 1);
}

TEST_F(KeySetWatcherTest, OnPublishReportsEachNewSetOnceCurrentShowsIt) {
  KeySetWatcherOptions options = Options();
  absl::Mutex mu;
  std::vector<int64_t> published;   // guarded by mu
  std::vector<int64_t> current_at;  // Current()'s version inside the hook
  options.on_publish = [&](int64_t version) {
    const int64_t current = watcher_->Current()->version();
    absl::MutexLock lock(&mu);
    published.push_back(version);
    current_at.push_back(current);
  };
  StartWatcher(std::move(options));
  SyncTo(1);
  FakeWatchStream& stream = Stream(0);
  ASSERT_TRUE(
      stream.Send(KeyEventMessage(2, kv1::KeyEvent::KIND_ADDED,
                                  HsMaterial("hs-2", kv1::KEY_STATE_PENDING))));
  ASSERT_TRUE(stream.Send(HeartbeatMessage(2)));  // changes nothing
  ASSERT_TRUE(stream.Send(HeartbeatMessage(4)));
  ASSERT_TRUE(watcher_->WaitForVersion(4, kWaitTimeout));
  absl::MutexLock lock(&mu);
  EXPECT_THAT(published, ElementsAre(1, 2, 4));
  EXPECT_EQ(current_at, published);
}

TEST_F(KeySetWatcherTest, ResumesFromItsVersionWhenTheServerEndsTheStream) {
  StartWatcher(Options());
  SyncTo(5);
  ASSERT_TRUE(Stream(0).Send(HeartbeatMessage(7)));
  ASSERT_TRUE(watcher_->WaitForVersion(7, kWaitTimeout));
  Stream(0).Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "draining"));

  FakeWatchStream& second = Stream(1);
  EXPECT_EQ(second.since_version(), 7);  // heartbeats count
  EXPECT_EQ(second.authorization(), "Bearer watch-token-1");  // token reused
  EXPECT_EQ(servers_->identity().calls(), 1);
  EXPECT_EQ(Metric("meshid_keyset_reconnects_total"), 1);
  EXPECT_EQ(watcher_->Current()->key_count(), 3u);  // kept meanwhile

  ASSERT_TRUE(second.Send(RemovedMessage(8, kHsKid)));
  ASSERT_TRUE(watcher_->WaitForVersion(8, kWaitTimeout));
  EXPECT_EQ(watcher_->Current()->Find(kHsKid), nullptr);

  // The disconnect was logged with its code.
  bool seen = false;
  for (const std::string& line : log_.lines()) {
    if (absl::StrContains(line, "keyset.watch_disconnect") &&
        absl::StrContains(line, "\"code\":\"UNAVAILABLE\"")) {
      seen = true;
    }
  }
  EXPECT_TRUE(seen);
}

TEST_F(KeySetWatcherTest, KeepsTheLastSetWhileTheServerIsDownAndCatchesUp) {
  StartWatcher(Options());
  SyncTo(5);
  const std::shared_ptr<const KeySet> before = watcher_->Current();
  const int port = servers_->port();

  servers_->Shutdown();
  // The stream drops, then at least one reconnect attempt fails.
  ASSERT_TRUE(log_.WaitFor("keyset.watch_disconnect", 2, kWaitTimeout));
  EXPECT_EQ(watcher_->Current(), before);
  const std::shared_ptr<const KeySet> during = watcher_->Current();
  EXPECT_EQ(during->version(), 5);
  TokenValidator validator(watcher_.get(), TestPolicy(), &clock_);
  EXPECT_TRUE(validator.Validate(*SignToken(TestClaims(), hs_signer_)).ok());

  // The server comes back on the same address.
  servers_ = FakeKeyServers::Start(port);
  ASSERT_NE(servers_, nullptr) << "port " << port << " taken meanwhile";
  FakeWatchStream& resumed = Stream(0);
  EXPECT_EQ(resumed.since_version(), 5);
  ASSERT_TRUE(resumed.Send(RemovedMessage(6, kEsKid)));
  ASSERT_TRUE(watcher_->WaitForVersion(6, kWaitTimeout));
  EXPECT_EQ(watcher_->Current()->Find(kEsKid), nullptr);
  EXPECT_GE(Metric("meshid_keyset_reconnects_total"), 1);
}

TEST_F(KeySetWatcherTest, ResyncReconnectsAtOnceAndIsRateLimited) {
  KeySetWatcherOptions options = Options();
  options.resync_min_interval = absl::Minutes(1);
  // Any backoff would stall the test: a resync must not wait for one.
  options.backoff.initial = absl::Hours(1);
  options.backoff.max = absl::Hours(1);
  StartWatcher(std::move(options));
  SyncTo(3);

  watcher_->RequestResync();
  watcher_->RequestResync();  // within the interval: ignored
  FakeWatchStream& second = Stream(1);
  EXPECT_EQ(second.since_version(), 3);
  EXPECT_TRUE(Stream(0).WaitForDone(kWaitTimeout));
  EXPECT_TRUE(Stream(0).cancelled());
  ASSERT_TRUE(second.Send(HeartbeatMessage(4)));
  ASSERT_TRUE(watcher_->WaitForVersion(4, kWaitTimeout));
  EXPECT_EQ(keyadmin().stream_count(), 2);
  EXPECT_EQ(Metric("meshid_keyset_resyncs_total"), 1);
  EXPECT_EQ(Metric("meshid_keyset_reconnects_total"), 1);
  EXPECT_EQ(log_.Count("\"event\":\"keyset.resync\""), 1);

  // Once the interval has passed, the next one goes through.
  clock_.Advance(absl::Minutes(1));
  watcher_->RequestResync();
  EXPECT_EQ(Stream(2).since_version(), 4);
  EXPECT_EQ(Metric("meshid_keyset_resyncs_total"), 2);
}

TEST_F(KeySetWatcherTest, ResyncFromManyThreadsIsOneReconnect) {
  KeySetWatcherOptions options = Options();
  options.resync_min_interval = absl::Minutes(1);
  StartWatcher(std::move(options));
  SyncTo(3);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([this] {
      for (int j = 0; j < 100; ++j) watcher_->RequestResync();
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_TRUE(Stream(1).Send(HeartbeatMessage(4)));
  ASSERT_TRUE(watcher_->WaitForVersion(4, kWaitTimeout));
  EXPECT_EQ(keyadmin().stream_count(), 2);
  EXPECT_EQ(Metric("meshid_keyset_resyncs_total"), 1);
}

TEST_F(KeySetWatcherTest, ASilentStreamIsTreatedAsDead) {
  KeySetWatcherOptions options = Options();
  options.idle_timeout = absl::Milliseconds(300);
  StartWatcher(std::move(options));
  SyncTo(2);
  // No heartbeat follows: the watcher gives up on the stream and resumes.
  FakeWatchStream& second = Stream(1);
  EXPECT_EQ(second.since_version(), 2);
  EXPECT_TRUE(Stream(0).WaitForDone(kWaitTimeout));
  EXPECT_GE(log_.Count("keyset.watch_idle"), 1);
}

TEST_F(KeySetWatcherTest, ReissuesItsTokenBeforeItExpires) {
  servers_->identity().set_expires_in(100);
  StartWatcher(Options());
  SyncTo(1);
  EXPECT_EQ(Stream(0).authorization(), "Bearer watch-token-1");
  // Past 80% of the lifetime, the next stream gets a fresh token.
  clock_.Advance(absl::Seconds(81));
  Stream(0).Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "draining"));
  EXPECT_EQ(Stream(1).authorization(), "Bearer watch-token-2");
  EXPECT_EQ(servers_->identity().calls(), 2);
}

TEST_F(KeySetWatcherTest, UnauthenticatedStreamGetsANewToken) {
  StartWatcher(Options());
  Stream(0).Finish(
      grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "invalid token"));
  EXPECT_EQ(Stream(1).authorization(), "Bearer watch-token-2");
  EXPECT_EQ(Stream(1).since_version(), 0);
}

TEST_F(KeySetWatcherTest, RetriesIssueTokenWithoutLoggingTheSecret) {
  servers_->identity().FailWith(
      grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "bad credentials"));
  StartWatcher(Options());
  ASSERT_TRUE(servers_->identity().WaitForCalls(3, kWaitTimeout));
  EXPECT_EQ(keyadmin().stream_count(), 0);
  EXPECT_GE(log_.Count("keyset.token_failed"), 1);
  servers_->identity().FailWith(grpc::Status::OK);
  EXPECT_EQ(Stream(0).since_version(), 0);
  // TearDown checks no line carries the secret or a token.
}

TEST_F(KeySetWatcherTest, RefusedMessageDropsTheStreamAndResumes) {
  StartWatcher(Options());
  SyncTo(5);
  kv1::KeyMaterial bad = HsMaterial("bad");
  bad.set_hs256_secret(std::string(16, 'k'));
  ASSERT_TRUE(
      Stream(0).Send(KeyEventMessage(6, kv1::KeyEvent::KIND_ADDED, bad)));
  EXPECT_TRUE(Stream(0).WaitForDone(kWaitTimeout));
  EXPECT_EQ(Stream(1).since_version(), 5);
  EXPECT_EQ(watcher_->Current()->version(), 5);
  EXPECT_EQ(watcher_->Current()->Find("bad"), nullptr);
  EXPECT_EQ(Metric("meshid_keyset_rejected_messages_total"), 1);
  EXPECT_EQ(log_.Count("keyset.message_rejected"), 1);
}

TEST_F(KeySetWatcherTest, WaitForVersionTimesOut) {
  StartWatcher(Options());
  Stream(0);
  EXPECT_FALSE(watcher_->WaitForVersion(1, absl::Milliseconds(50)));
  EXPECT_TRUE(watcher_->WaitForVersion(0, absl::ZeroDuration()));
}

TEST_F(KeySetWatcherTest, StopIsIdempotentAndKeepsTheSet) {
  StartWatcher(Options());
  SyncTo(4);
  watcher_->Stop();
  watcher_->Stop();
  EXPECT_TRUE(Stream(0).WaitForDone(kWaitTimeout));
  EXPECT_EQ(watcher_->Current()->version(), 4);
  EXPECT_FALSE(watcher_->WaitForVersion(5, kWaitTimeout));  // returns at once
  EXPECT_EQ(watcher_->Start().code(), absl::StatusCode::kFailedPrecondition);
  watcher_->RequestResync();  // harmless after Stop
}

TEST_F(KeySetWatcherTest, StopDuringALongBackoffReturnsPromptly) {
  servers_->identity().FailWith(
      grpc::Status(grpc::StatusCode::UNAVAILABLE, "store down"));
  KeySetWatcherOptions options = Options();
  options.backoff.initial = absl::Hours(1);
  options.backoff.max = absl::Hours(1);
  StartWatcher(std::move(options));
  ASSERT_TRUE(servers_->identity().WaitForCalls(1, kWaitTimeout));
  watcher_->Stop();  // would hang for an hour if the wait ignored Stop
}

TEST_F(KeySetWatcherTest, StartChecksItsOptions) {
  KeySetWatcherOptions options = Options();
  options.client_secret = crypto::SecretBytes();
  EXPECT_EQ(KeySetWatcher(options).Start().code(),
            absl::StatusCode::kInvalidArgument);
  options = Options();
  options.keyadmin_address.clear();
  EXPECT_EQ(KeySetWatcher(options).Start().code(),
            absl::StatusCode::kInvalidArgument);
  StartWatcher(Options());
  EXPECT_EQ(watcher_->Start().code(), absl::StatusCode::kFailedPrecondition);
}

// The whole validator side: a token naming a kid the watcher does not have
// yet triggers a resync, which brings the key.
TEST_F(KeySetWatcherTest, UnknownKidResyncsThroughTheValidator) {
  KeySetWatcherOptions options = Options();
  options.backoff.initial = absl::Hours(1);  // the resync must not wait
  options.backoff.max = absl::Hours(1);
  StartWatcher(std::move(options));
  ASSERT_TRUE(Stream(0).Send(SnapshotMessage(1, {EdMaterial()})));
  ASSERT_TRUE(watcher_->WaitForVersion(1, kWaitTimeout));

  TokenValidator validator(watcher_.get(), TestPolicy(), &clock_, &registry_);
  const std::string token = *SignToken(TestClaims(), hs_signer_);
  EXPECT_EQ(validator.Validate(token).error(), VerifyError::kKidUnknown);

  FakeWatchStream& second = Stream(1);
  EXPECT_EQ(second.since_version(), 1);
  ASSERT_TRUE(
      second.Send(KeyEventMessage(2, kv1::KeyEvent::KIND_ADDED, HsMaterial())));
  ASSERT_TRUE(watcher_->WaitForVersion(2, kWaitTimeout));
  const VerifyResult result = validator.Validate(token);
  ASSERT_TRUE(result.ok()) << VerifyErrorName(result.error());
  EXPECT_EQ(result.principal().kid, kHsKid);
  EXPECT_EQ(MetricValue(registry_, "meshid_validations_total",
                        {{"result", "rejected"}, {"reason", "kid_unknown"}}),
            1);
  EXPECT_EQ(MetricValue(registry_, "meshid_validations_total",
                        {{"result", "accepted"}, {"reason", "ok"}}),
            1);
}

}  // namespace
}  // namespace meshid::keyset
