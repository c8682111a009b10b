// KeyAdmin.WatchKeys through gRPC: a watcher gets the pair secrets of its own
// audience and the issuer's public keys, never another audience's secret;
// a snapshot first, then one event per committed change; resumption from a
// version; refusals; clean end on shutdown; and, on PostgreSQL, a change
// made through one replica reaching the watchers of another.
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/identity/identity_fixture.h"

namespace meshid::identity {
namespace {

using ::grpc::StatusCode;
namespace ka = ::meshid::keyadmin::v1;

class WatchKeysTest : public IdentityServerTest {
 protected:
  void Configure(IdentityServerConfig& config) override {
    config.heartbeat_interval = absl::Milliseconds(300);
  }

  // A validator named `name`, allowed to watch.
  std::string WatcherToken(const std::string& name) {
    const std::string secret =
        CreateClient(name, {{"meshid-keyadmin", {"keys:watch"}}});
    absl::StatusOr<std::string> token = Issue(name, secret, "meshid-keyadmin");
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  struct Stream {
    Stream() = default;
    Stream(Stream&&) = default;
    Stream& operator=(Stream&&) = default;
    ~Stream() {
      if (reader) {
        context->TryCancel();
        reader->Finish();
      }
    }
    std::unique_ptr<grpc::ClientContext> context;
    std::unique_ptr<grpc::ClientReader<ka::WatchKeysResponse>> reader;
    // The next message that is not a heartbeat; false when the stream ended.
    bool Next(ka::WatchKeysResponse* m) {
      while (reader->Read(m)) {
        if (!m->has_heartbeat()) return true;
      }
      return false;
    }
  };
  Stream Watch(const std::string& token, int64_t since = 0,
               keyadmin::v1::KeyAdmin::Stub* stub = nullptr) {
    Stream s;
    s.context = WithToken(token);
    ka::WatchKeysRequest request;
    request.set_since_version(since);
    s.reader = (stub ? *stub : keyadmin()).WatchKeys(s.context.get(), request);
    return s;
  }
  ka::RotateKeyResponse Rotate(const std::string& client,
                               const std::string& audience) {
    ka::RotateKeyRequest rotate;
    rotate.mutable_slot()->mutable_pair()->set_client_id(client);
    rotate.mutable_slot()->mutable_pair()->set_audience(audience);
    ka::RotateKeyResponse rotated;
    EXPECT_TRUE(keyadmin().RotateKey(AsAdmin().get(), rotate, &rotated).ok());
    return rotated;
  }
};

TEST_P(WatchKeysTest, AWatcherGetsOnlyItsOwnAudiencesSecrets) {
  CreateClient("careergpt-backend", {{"logging-service", {"logs:write"}}});
  CreateClient("billing-caller", {{"billing-service", {}}});
  Stream stream = Watch(WatcherToken("logging-service"));
  ka::WatchKeysResponse first;
  ASSERT_TRUE(stream.Next(&first));
  ASSERT_TRUE(first.has_snapshot());
  int secrets = 0, public_keys = 0;
  for (const ka::KeyMaterial& k : first.snapshot().keys()) {
    if (k.alg() == ka::KEY_ALGORITHM_HS256) {
      EXPECT_EQ(k.audience(), "logging-service") << k.kid();
      EXPECT_EQ(k.hs256_secret().size(), 32u);
      ++secrets;
    } else {
      EXPECT_TRUE(k.has_ed25519() || k.has_ec_p256());
      EXPECT_TRUE(k.hs256_secret().empty());
      ++public_keys;
    }
  }
  EXPECT_EQ(secrets, 1);      // careergpt-backend -> logging-service
  EXPECT_EQ(public_keys, 2);  // EdDSA and ES256
  EXPECT_GT(first.snapshot().version(), 0);

  // Another audience's change is not sent at all; ours is.
  Rotate("billing-caller", "billing-service");
  const ka::RotateKeyResponse ours =
      Rotate("careergpt-backend", "logging-service");
  ka::WatchKeysResponse m;
  std::set<std::string> seen;
  while (seen.size() < 2 && stream.Next(&m)) {
    ASSERT_TRUE(m.has_key_event()) << m.DebugString();
    EXPECT_EQ(m.key_event().key().audience(), "logging-service");
    EXPECT_GT(m.key_event().version(), first.snapshot().version());
    seen.insert(m.key_event().key().kid());
    if (m.key_event().key().kid() == ours.previous_key().kid()) {
      EXPECT_EQ(m.key_event().key().state(), ka::KEY_STATE_RETIRED);
      EXPECT_TRUE(m.key_event().key().has_verify_until());
    }
  }
  EXPECT_EQ(seen, (std::set<std::string>{ours.new_key().kid(),
                                         ours.previous_key().kid()}));
  stream.context->TryCancel();
}

TEST_P(WatchKeysTest, AnAdminWatcherReceivesNoSecretAtAll) {
  CreateClient("careergpt-backend", {{"logging-service", {}}});
  Stream stream = Watch(AdminToken());
  ka::WatchKeysResponse first;
  ASSERT_TRUE(stream.Next(&first));
  ASSERT_TRUE(first.has_snapshot());
  for (const ka::KeyMaterial& k : first.snapshot().keys()) {
    EXPECT_TRUE(k.hs256_secret().empty()) << k.kid();
    EXPECT_NE(k.alg(), ka::KEY_ALGORITHM_HS256);
  }
  stream.context->TryCancel();
}

TEST_P(WatchKeysTest, ResumesFromAVersionAndCarriesRevocations) {
  const std::string token = WatcherToken("logging-service");
  int64_t version = 0;
  {
    Stream s = Watch(token);
    ka::WatchKeysResponse snapshot;
    ASSERT_TRUE(s.Next(&snapshot));
    version = snapshot.snapshot().version();
    s.context->TryCancel();
  }
  ka::RevokeSubjectRequest revoke;
  revoke.set_subject("user:mallory");
  revoke.set_reason("test");
  ka::RevokeSubjectResponse revoked;
  ASSERT_TRUE(keyadmin().RevokeSubject(AsAdmin().get(), revoke, &revoked).ok());

  Stream resumed = Watch(token, version);
  ka::WatchKeysResponse m;
  ASSERT_TRUE(resumed.Next(&m));
  ASSERT_TRUE(m.has_revocation()) << m.DebugString();  // no snapshot again
  EXPECT_EQ(m.revocation().subject().subject(), "user:mallory");
  EXPECT_EQ(m.revocation().version(), revoked.version());
  resumed.context->TryCancel();
}

TEST_P(WatchKeysTest, ARotationSendsOneMessagePerKey) {
  CreateClient("careergpt-backend", {{"logging-service", {"logs:write"}}});
  Stream s = Watch(WatcherToken("logging-service"));
  ka::WatchKeysResponse m;
  ASSERT_TRUE(s.Next(&m));
  ASSERT_TRUE(m.has_snapshot());
  // The rotation records three changes (the new key inserted, then
  // activated; the old one retired) in one commit: each key is sent once,
  // as it now is, each message costing every watcher a write and an apply.
  const ka::RotateKeyResponse rotated =
      Rotate("careergpt-backend", "logging-service");
  std::vector<ka::KeyEvent> events;
  bool seen_new_key = false;
  while (s.reader->Read(&m)) {
    if (m.has_heartbeat()) {
      if (seen_new_key) break;  // the catch-up is over
      continue;
    }
    ASSERT_TRUE(m.has_key_event()) << m.DebugString();
    events.push_back(m.key_event());
    if (m.key_event().key().kid() == rotated.new_key().kid()) {
      seen_new_key = true;
    }
  }
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].key().kid(), rotated.new_key().kid());
  EXPECT_EQ(events[0].key().state(), ka::KEY_STATE_ACTIVE);
  EXPECT_NE(events[1].key().kid(), rotated.new_key().kid());
  EXPECT_EQ(events[1].key().state(), ka::KEY_STATE_RETIRED);
  EXPECT_LT(events[0].version(), events[1].version());
}

TEST_P(WatchKeysTest, HeartbeatsKeepAnIdleStreamAlive) {
  Stream s = Watch(WatcherToken("logging-service"));
  ka::WatchKeysResponse m;
  ASSERT_TRUE(s.reader->Read(&m));
  ASSERT_TRUE(m.has_snapshot());
  ASSERT_TRUE(s.reader->Read(&m));  // nothing changed: a heartbeat comes
  EXPECT_TRUE(m.has_heartbeat());
  EXPECT_GT(m.heartbeat().version(), 0);
  EXPECT_TRUE(m.heartbeat().has_server_time());
  s.context->TryCancel();
}

TEST_P(WatchKeysTest, RefusesCallersWithoutKeysWatch) {
  const std::string secret =
      CreateClient("no-watch", {{"meshid-keyadmin", {"other"}}});
  absl::StatusOr<std::string> token =
      Issue("no-watch", secret, "meshid-keyadmin");
  ASSERT_TRUE(token.ok());
  Stream s = Watch(*token);
  ka::WatchKeysResponse m;
  EXPECT_FALSE(s.reader->Read(&m));
  EXPECT_EQ(s.reader->Finish().error_code(), StatusCode::PERMISSION_DENIED);
  s.reader.reset();
  Stream anonymous = Watch("");
  EXPECT_FALSE(anonymous.reader->Read(&m));
  EXPECT_EQ(anonymous.reader->Finish().error_code(),
            StatusCode::UNAUTHENTICATED);
  anonymous.reader.reset();
  // meshid's own audiences cannot be taken as client ids.
  ka::CreateClientRequest reserved;
  reserved.set_client_id("meshid-keyadmin");
  ka::CreateClientResponse created;
  EXPECT_EQ(
      keyadmin().CreateClient(AsAdmin().get(), reserved, &created).error_code(),
      StatusCode::INVALID_ARGUMENT);
}

TEST_P(WatchKeysTest, ShutdownEndsStreamsPromptlyWithUnavailable) {
  Stream s = Watch(WatcherToken("logging-service"));
  ka::WatchKeysResponse m;
  ASSERT_TRUE(s.Next(&m));
  StopServer();
  while (s.reader->Read(&m)) {
  }
  // Closed by the server on purpose (not cut off at the drain deadline),
  // with the code that tells the watcher to reconnect elsewhere.
  const grpc::Status end = s.reader->Finish();
  EXPECT_EQ(end.error_code(), StatusCode::UNAVAILABLE);
  EXPECT_EQ(end.error_message(), "server is shutting down");
  s.reader.reset();
}

// Several replicas share one PostgreSQL database (SQLite runs one replica).
class WatchKeysReplicaTest : public WatchKeysTest {};

TEST_P(WatchKeysReplicaTest, AChangeThroughOneReplicaReachesAnothersWatchers) {
  IdentityServerConfig b;
  b.store_url = store_url_;
  b.master_key_file = data_dir_ + "/master.key";
  b.options.issuer = kIssuer;
  b.options.activation_delay = absl::ZeroDuration();
  b.identity_address = "127.0.0.1:0";
  b.keyadmin_address = "127.0.0.1:0";
  b.http_address = "";
  b.tick_interval = absl::Hours(1);  // only NOTIFY can bring the change
  absl::StatusOr<std::unique_ptr<IdentityServer>> replica =
      IdentityServer::Start(b);
  ASSERT_TRUE(replica.ok()) << replica.status();
  auto stub_b = keyadmin::v1::KeyAdmin::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*replica)->ports().keyadmin),
      grpc::InsecureChannelCredentials()));
  CreateClient("careergpt-backend", {{"logging-service", {}}});
  const std::string token = WatcherToken("logging-service");
  // Replica B must know the watcher's own key first (NOTIFY delivers it).
  // Until then B refuses the stream; retry against a deadline, not a count
  // (50 quick attempts once ran out first on a loaded machine).
  Stream s;
  ka::WatchKeysResponse m;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    s = Watch(token, 0, stub_b.get());
    if (s.Next(&m)) break;
    s = Stream();
  }
  ASSERT_TRUE(m.has_snapshot());
  const ka::RotateKeyResponse rotated =
      Rotate("careergpt-backend", "logging-service");  // through replica A
  bool got_new_key = false;
  while (!got_new_key && s.Next(&m)) {
    got_new_key = m.has_key_event() &&
                  m.key_event().key().kid() == rotated.new_key().kid();
  }
  EXPECT_TRUE(got_new_key);
  s.context->TryCancel();
  (*replica)->Stop(absl::Seconds(2));
}

INSTANTIATE_TEST_SUITE_P(Stores, WatchKeysTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Stores, WatchKeysReplicaTest,
                         ::testing::Values(Backend::kPostgres), BackendName);

}  // namespace
}  // namespace meshid::identity
