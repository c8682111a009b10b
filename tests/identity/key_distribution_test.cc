// Key distribution end to end: a real meshid-identity, real validators
// (common/keyset KeySetWatcher + TokenValidator) fed by WatchKeys.
//   - zero-downtime rotation: tokens issued and validated without pause
//     while the pair's key rotates many times; not one valid token refused;
//   - revoking one pair's key, a jti or a subject fails exactly those
//     tokens at the validator;
//   - the validator keeps validating with its last key set while the
//     identity server is down, reconnects when it returns, and (PostgreSQL)
//     switches to another replica and catches up by version.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/keyset/key_set_watcher.h"
#include "common/keyset/token_validator.h"
#include "gtest/gtest.h"
#include "tests/identity/identity_fixture.h"

namespace meshid::identity {
namespace {

namespace ka = ::meshid::keyadmin::v1;
using keyset::KeySetWatcher;
using keyset::KeySetWatcherOptions;
using keyset::TokenValidator;

// A free loopback port (bound, read, released).
int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

class KeyDistributionTest : public IdentityServerTest {
 protected:
  void Configure(IdentityServerConfig& config) override {
    // Fixed ports, so a restarted server is found where it was.
    if (identity_port_ == 0) {
      identity_port_ = FreePort();
      keyadmin_port_ = FreePort();
    }
    config.identity_address = absl::StrCat("127.0.0.1:", identity_port_);
    config.keyadmin_address = absl::StrCat("127.0.0.1:", keyadmin_port_);
    config.tick_interval = absl::Milliseconds(50);
    config.heartbeat_interval = absl::Milliseconds(500);
  }

  // A validator named `name` (the audience it accepts), watching keys.
  std::unique_ptr<KeySetWatcher> StartWatcher(
      const std::string& name, std::string identity_target = "",
      std::string keyadmin_target = "") {
    const std::string secret =
        CreateClient(name, {{"meshid-keyadmin", {"keys:watch"}}});
    KeySetWatcherOptions options;
    options.identity_address = identity_target.empty()
                                   ? absl::StrCat("127.0.0.1:", identity_port_)
                                   : identity_target;
    options.keyadmin_address = keyadmin_target.empty()
                                   ? absl::StrCat("127.0.0.1:", keyadmin_port_)
                                   : keyadmin_target;
    options.client_id = name;
    options.client_secret = crypto::SecretBytes(secret);
    options.backoff.initial = absl::Milliseconds(20);
    options.backoff.max = absl::Milliseconds(200);
    options.resync_min_interval = absl::Milliseconds(50);
    auto watcher = std::make_unique<KeySetWatcher>(std::move(options));
    EXPECT_TRUE(watcher->Start().ok());
    EXPECT_TRUE(watcher->WaitForVersion(1, absl::Seconds(20)));
    return watcher;
  }

  static VerifyPolicy PolicyFor(const std::string& audience) {
    VerifyPolicy policy;
    policy.issuer = kIssuer;
    policy.audience = audience;
    policy.clock_skew = absl::Seconds(30);
    policy.max_lifetime = absl::Hours(1);
    return policy;
  }

  // The version of the newest audit event with `action` (its change).
  int64_t LastVersion(const std::string& action) {
    ka::ListAuditEventsRequest request;
    request.set_action(action);
    request.set_page_size(1);
    ka::ListAuditEventsResponse response;
    EXPECT_TRUE(
        keyadmin().ListAuditEvents(AsAdmin().get(), request, &response).ok());
    return response.events_size() ? response.events(0).version() : 0;
  }

  // Waits (with a deadline) until the watcher's key set holds `kid`.
  static bool WaitForKid(const KeySetWatcher& watcher, const std::string& kid) {
    const absl::Time deadline = absl::Now() + absl::Seconds(30);
    while (watcher.Current()->Find(kid) == nullptr) {
      if (absl::Now() >= deadline) return false;
      watcher.WaitForVersion(watcher.Current()->version() + 1,
                             absl::Milliseconds(200));
    }
    return true;
  }

  std::string KidOf(const std::string& token) {
    std::string header;
    EXPECT_TRUE(Base64UrlDecode(token.substr(0, token.find('.')), &header));
    const size_t at = header.find("\"kid\":\"") + 7;
    return header.substr(at, header.find('"', at) - at);
  }

  int identity_port_ = 0;
  int keyadmin_port_ = 0;
};

TEST_P(KeyDistributionTest, RotationsUnderContinuousTrafficRejectNoValidToken) {
  const std::string secret =
      CreateClient("careergpt-backend", {{"logging-service", {"logs:write"}}});
  auto watcher = StartWatcher("logging-service");
  TokenValidator validator(watcher.get(), PolicyFor("logging-service"));

  std::atomic<bool> stop{false};
  std::atomic<int> validated{0}, rejected{0};
  std::string first_rejection;
  std::thread traffic([&] {
    std::vector<std::string> recent;  // older tokens must keep verifying
    while (!stop.load()) {
      absl::StatusOr<std::string> token =
          Issue("careergpt-backend", secret, "logging-service");
      if (!token.ok()) continue;  // issuing is not what is measured here
      recent.push_back(*token);
      if (recent.size() > 8) recent.erase(recent.begin());
      for (const std::string& t : recent) {
        const VerifyResult r = validator.Validate(t);
        if (r.ok()) {
          ++validated;
        } else if (rejected++ == 0) {
          first_rejection = std::string(VerifyErrorName(r.error()));
        }
      }
    }
  });

  constexpr int kRotations = 12;
  for (int i = 0; i < kRotations; ++i) {
    ka::RotateKeyRequest rotate;
    rotate.mutable_slot()->mutable_pair()->set_client_id("careergpt-backend");
    rotate.mutable_slot()->mutable_pair()->set_audience("logging-service");
    rotate.mutable_activation_delay()->set_nanos(200 * 1000 * 1000);
    ka::RotateKeyResponse rotated;
    ASSERT_TRUE(keyadmin().RotateKey(AsAdmin().get(), rotate, &rotated).ok());
    // Wait (with a deadline) until the new key signs: then rotate again.
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    bool signing = false;
    while (!signing && absl::Now() < deadline) {
      absl::StatusOr<std::string> t =
          Issue("careergpt-backend", secret, "logging-service");
      signing = t.ok() && KidOf(*t) == rotated.new_key().kid();
    }
    ASSERT_TRUE(signing) << "rotation " << i << " never activated";
  }
  stop = true;
  traffic.join();
  EXPECT_EQ(rejected.load(), 0) << "first rejection: " << first_rejection;
  EXPECT_GT(validated.load(), kRotations * 8);
}

TEST_P(KeyDistributionTest, RevocationsFailExactlyTheirTokensAtTheValidator) {
  const std::string a =
      CreateClient("careergpt-backend", {{"logging-service", {}}});
  const std::string b = CreateClient("billing", {{"logging-service", {}}});
  auto watcher = StartWatcher("logging-service");
  TokenValidator validator(watcher.get(), PolicyFor("logging-service"));
  absl::StatusOr<std::string> ta =
      Issue("careergpt-backend", a, "logging-service");
  absl::StatusOr<std::string> tb1 = Issue("billing", b, "logging-service");
  absl::StatusOr<std::string> tb2 = Issue("billing", b, "logging-service");
  ASSERT_TRUE(ta.ok() && tb1.ok() && tb2.ok());
  for (const std::string* t : {&*ta, &*tb1, &*tb2}) {
    EXPECT_TRUE(validator.Validate(*t).ok());
  }

  ka::RevokeKeyRequest revoke_key;
  revoke_key.set_kid(KidOf(*ta));
  revoke_key.set_reason("test");
  ka::Key key;
  ASSERT_TRUE(keyadmin().RevokeKey(AsAdmin().get(), revoke_key, &key).ok());
  ASSERT_TRUE(
      watcher->WaitForVersion(LastVersion("key.revoke"), absl::Seconds(20)));
  EXPECT_EQ(validator.Validate(*ta).error(), VerifyError::kKeyRevoked);
  EXPECT_TRUE(validator.Validate(*tb1).ok());  // another pair's key

  v1::RevokeTokenRequest revoke_token;
  revoke_token.set_token(*tb1);
  google::protobuf::Empty empty;
  grpc::ClientContext context;
  ASSERT_TRUE(identity().RevokeToken(&context, revoke_token, &empty).ok());
  ASSERT_TRUE(
      watcher->WaitForVersion(LastVersion("token.revoke"), absl::Seconds(20)));
  EXPECT_EQ(validator.Validate(*tb1).error(), VerifyError::kTokenRevoked);
  EXPECT_TRUE(validator.Validate(*tb2).ok());

  ka::RevokeSubjectRequest revoke_subject;
  revoke_subject.set_subject("billing");
  revoke_subject.set_reason("test");
  ka::RevokeSubjectResponse revoked;
  ASSERT_TRUE(
      keyadmin().RevokeSubject(AsAdmin().get(), revoke_subject, &revoked).ok());
  ASSERT_TRUE(watcher->WaitForVersion(revoked.version(), absl::Seconds(20)));
  EXPECT_EQ(validator.Validate(*tb2).error(), VerifyError::kSubjectRevoked);
  // A fresh token of the revoked pair's replacement key still passes.
  absl::StatusOr<std::string> ta2 =
      Issue("careergpt-backend", a, "logging-service");
  ASSERT_TRUE(ta2.ok());
  ASSERT_TRUE(WaitForKid(*watcher, KidOf(*ta2)));
  EXPECT_TRUE(validator.Validate(*ta2).ok());
}

TEST_P(KeyDistributionTest, KeepsValidatingWhileIdentityIsDownAndCatchesUp) {
  const std::string a =
      CreateClient("careergpt-backend", {{"logging-service", {}}});
  auto watcher = StartWatcher("logging-service");
  TokenValidator validator(watcher.get(), PolicyFor("logging-service"));
  absl::StatusOr<std::string> before =
      Issue("careergpt-backend", a, "logging-service");
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(validator.Validate(*before).ok());

  StopServer();
  // Down: the last good set still answers.
  EXPECT_TRUE(validator.Validate(*before).ok());
  StartServer();  // same data, same ports

  ka::RotateKeyRequest rotate;
  rotate.mutable_slot()->mutable_pair()->set_client_id("careergpt-backend");
  rotate.mutable_slot()->mutable_pair()->set_audience("logging-service");
  ka::RotateKeyResponse rotated;
  ASSERT_TRUE(keyadmin().RotateKey(AsAdmin().get(), rotate, &rotated).ok());
  ASSERT_TRUE(
      watcher->WaitForVersion(LastVersion("key.rotate"), absl::Seconds(30)));
  absl::StatusOr<std::string> after =
      Issue("careergpt-backend", a, "logging-service");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(KidOf(*after), rotated.new_key().kid());
  EXPECT_TRUE(validator.Validate(*after).ok());
  EXPECT_TRUE(validator.Validate(*before).ok());  // retired, still verifying
}

// Two replicas on one PostgreSQL database (SQLite runs one replica).
class ReplicaSwitchTest : public KeyDistributionTest {};

TEST_P(ReplicaSwitchTest, AValidatorMovesToAnotherReplicaAndCatchesUp) {
  IdentityServerConfig config_b;
  config_b.store_url = store_url_;
  config_b.master_key_file = data_dir_ + "/master.key";
  config_b.options.issuer = kIssuer;
  config_b.options.activation_delay = absl::ZeroDuration();
  config_b.identity_address = "127.0.0.1:0";
  config_b.keyadmin_address = "127.0.0.1:0";
  config_b.http_address = "";
  config_b.tick_interval = absl::Milliseconds(50);
  config_b.heartbeat_interval = absl::Milliseconds(500);
  absl::StatusOr<std::unique_ptr<IdentityServer>> b =
      IdentityServer::Start(config_b);
  ASSERT_TRUE(b.ok()) << b.status();
  const std::string a_secret =
      CreateClient("careergpt-backend", {{"logging-service", {}}});
  // Both replicas behind one name: pick_first falls over to the second.
  auto watcher =
      StartWatcher("logging-service",
                   absl::StrCat("ipv4:127.0.0.1:", identity_port_,
                                ",127.0.0.1:", (*b)->ports().identity),
                   absl::StrCat("ipv4:127.0.0.1:", keyadmin_port_,
                                ",127.0.0.1:", (*b)->ports().keyadmin));
  TokenValidator validator(watcher.get(), PolicyFor("logging-service"));
  absl::StatusOr<std::string> before =
      Issue("careergpt-backend", a_secret, "logging-service");
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(validator.Validate(*before).ok());

  // Rotate through replica B, then take replica A away.
  auto admin_b = keyadmin::v1::KeyAdmin::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*b)->ports().keyadmin),
                          grpc::InsecureChannelCredentials()));
  const std::string admin_token = AdminToken();
  StopServer();
  EXPECT_TRUE(validator.Validate(*before).ok());
  ka::RotateKeyRequest rotate;
  rotate.mutable_slot()->mutable_pair()->set_client_id("careergpt-backend");
  rotate.mutable_slot()->mutable_pair()->set_audience("logging-service");
  ka::RotateKeyResponse rotated;
  ASSERT_TRUE(
      admin_b->RotateKey(WithToken(admin_token).get(), rotate, &rotated).ok());
  // The watcher finds replica B and resumes from its version.
  EXPECT_TRUE(WaitForKid(*watcher, rotated.new_key().kid()));
  EXPECT_TRUE(validator.Validate(*before).ok());
  (*b)->Stop(absl::Seconds(2));
}

INSTANTIATE_TEST_SUITE_P(Stores, KeyDistributionTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Stores, ReplicaSwitchTest,
                         ::testing::Values(Backend::kPostgres), BackendName);

}  // namespace
}  // namespace meshid::identity
