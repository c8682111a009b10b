// The KeyAdmin plane through gRPC: who may call it, keys through their
// lifecycle, and the promise of per-pair keys — rotating or revoking one
// pair's key leaves every other pair's tokens valid.
#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"
#include "tests/identity/identity_fixture.h"

namespace meshid::identity {
namespace {

using ::grpc::StatusCode;
namespace ka = ::meshid::keyadmin::v1;

ka::KeySlot PairSlot(const std::string& client, const std::string& audience) {
  ka::KeySlot slot;
  slot.mutable_pair()->set_client_id(client);
  slot.mutable_pair()->set_audience(audience);
  return slot;
}

std::string KidOf(const std::string& token) {
  std::string header;
  EXPECT_TRUE(Base64UrlDecode(token.substr(0, token.find('.')), &header));
  const size_t at = header.find("\"kid\":\"");
  return header.substr(at + 7, header.find('"', at + 7) - at - 7);
}

class KeyAdminTest : public IdentityServerTest {};

TEST_P(KeyAdminTest, CallersNeedAKeyAdminTokenWithKeysAdmin) {
  ka::ListKeysRequest request;
  ka::ListKeysResponse response;
  {
    grpc::ClientContext context;
    EXPECT_EQ(keyadmin().ListKeys(&context, request, &response).error_code(),
              StatusCode::UNAUTHENTICATED);
  }
  EXPECT_EQ(
      keyadmin()
          .ListKeys(WithToken("garbage.token.here").get(), request, &response)
          .error_code(),
      StatusCode::UNAUTHENTICATED);
  // The admin's token for another audience is refused too.
  EXPECT_EQ(keyadmin()
                .ListKeys(WithToken(AdminToken("meshid-identity")).get(),
                          request, &response)
                .error_code(),
            StatusCode::UNAUTHENTICATED);
  const std::string secret =
      CreateClient("watcher", {{"meshid-keyadmin", {"keys:watch"}}});
  absl::StatusOr<std::string> watch =
      Issue("watcher", secret, "meshid-keyadmin");
  ASSERT_TRUE(watch.ok());
  const grpc::Status denied =
      keyadmin().ListKeys(WithToken(*watch).get(), request, &response);
  EXPECT_EQ(denied.error_code(), StatusCode::PERMISSION_DENIED);
  EXPECT_NE(denied.error_message().find("keys:admin"), std::string::npos);
  EXPECT_TRUE(keyadmin().ListKeys(AsAdmin().get(), request, &response).ok());
}

TEST_P(KeyAdminTest, RotatingOrRevokingOnePairLeavesTheOthersValid) {
  const std::string a = CreateClient("svc-a", {{"aud-1", {}}, {"aud-2", {}}});
  const std::string b = CreateClient("svc-b", {{"aud-1", {}}});
  absl::StatusOr<std::string> a1 = Issue("svc-a", a, "aud-1");
  absl::StatusOr<std::string> a2 = Issue("svc-a", a, "aud-2");
  absl::StatusOr<std::string> b1 = Issue("svc-b", b, "aud-1");
  ASSERT_TRUE(a1.ok() && a2.ok() && b1.ok());
  // Three pairs, three keys.
  EXPECT_NE(KidOf(*a1), KidOf(*a2));
  EXPECT_NE(KidOf(*a1), KidOf(*b1));

  ka::RotateKeyRequest rotate;
  *rotate.mutable_slot() = PairSlot("svc-a", "aud-1");
  rotate.mutable_activation_delay()->set_seconds(0);
  ka::RotateKeyResponse rotated;
  const grpc::Status rotate_status =
      keyadmin().RotateKey(AsAdmin().get(), rotate, &rotated);
  ASSERT_TRUE(rotate_status.ok()) << rotate_status.error_message();
  EXPECT_EQ(rotated.previous_key().kid(), KidOf(*a1));
  EXPECT_EQ(rotated.new_key().state(), ka::KEY_STATE_ACTIVE);
  // Old tokens of the rotated pair still verify (the key is RETIRED)...
  EXPECT_TRUE(IsActive(*a1));
  // ...new ones use the new key...
  absl::StatusOr<std::string> a1_new = Issue("svc-a", a, "aud-1");
  ASSERT_TRUE(a1_new.ok());
  EXPECT_EQ(KidOf(*a1_new), rotated.new_key().kid());
  // ...and nobody else noticed.
  EXPECT_TRUE(IsActive(*a2));
  EXPECT_TRUE(IsActive(*b1));

  ka::RevokeKeyRequest revoke;
  revoke.set_kid(KidOf(*a1));
  revoke.set_reason("leaked in a log");
  ka::Key revoked;
  ASSERT_TRUE(keyadmin().RevokeKey(AsAdmin().get(), revoke, &revoked).ok());
  EXPECT_EQ(revoked.state(), ka::KEY_STATE_REVOKED);
  EXPECT_FALSE(IsActive(*a1));
  EXPECT_TRUE(IsActive(*a1_new));
  EXPECT_TRUE(IsActive(*a2));
  EXPECT_TRUE(IsActive(*b1));

  // Revoking a pair's ACTIVE key replaces it: the pair keeps issuing.
  revoke.set_kid(rotated.new_key().kid());
  ASSERT_TRUE(keyadmin().RevokeKey(AsAdmin().get(), revoke, &revoked).ok());
  EXPECT_FALSE(IsActive(*a1_new));
  absl::StatusOr<std::string> a1_third = Issue("svc-a", a, "aud-1");
  ASSERT_TRUE(a1_third.ok()) << a1_third.status();
  EXPECT_TRUE(IsActive(*a1_third));
  EXPECT_TRUE(IsActive(*b1));
}

TEST_P(KeyAdminTest, IllegalKeyMovesAreFailedPrecondition) {
  CreateClient("svc-k", {{"aud-1", {}}});
  ka::CreateKeyRequest create;
  *create.mutable_slot() = PairSlot("svc-k", "aud-1");
  ka::Key key;
  EXPECT_EQ(keyadmin().CreateKey(AsAdmin().get(), create, &key).error_code(),
            StatusCode::FAILED_PRECONDITION);  // the slot has its key
  *create.mutable_slot() = PairSlot("svc-nobody", "aud-1");
  EXPECT_EQ(keyadmin().CreateKey(AsAdmin().get(), create, &key).error_code(),
            StatusCode::NOT_FOUND);
  create.mutable_slot()->mutable_issuer()->set_alg(ka::KEY_ALGORITHM_HS256);
  EXPECT_EQ(keyadmin().CreateKey(AsAdmin().get(), create, &key).error_code(),
            StatusCode::INVALID_ARGUMENT);
  create.clear_slot();
  EXPECT_EQ(keyadmin().CreateKey(AsAdmin().get(), create, &key).error_code(),
            StatusCode::INVALID_ARGUMENT);

  ka::ListKeysRequest list;
  *list.mutable_slot() = PairSlot("svc-k", "aud-1");
  ka::ListKeysResponse keys;
  ASSERT_TRUE(keyadmin().ListKeys(AsAdmin().get(), list, &keys).ok());
  ASSERT_EQ(keys.keys_size(), 1);
  ka::RevokeKeyRequest revoke;
  revoke.set_kid(keys.keys(0).kid());
  ASSERT_TRUE(keyadmin().RevokeKey(AsAdmin().get(), revoke, &key).ok());
  const grpc::Status again =
      keyadmin().RevokeKey(AsAdmin().get(), revoke, &key);
  EXPECT_EQ(again.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_NE(again.error_message().find("REVOKED"), std::string::npos);
  revoke.set_kid("no-such-kid");
  EXPECT_EQ(keyadmin().RevokeKey(AsAdmin().get(), revoke, &key).error_code(),
            StatusCode::NOT_FOUND);
  ka::RotateKeyRequest rotate;
  *rotate.mutable_slot() = PairSlot("svc-k", "nobody");
  ka::RotateKeyResponse rotated;
  EXPECT_EQ(
      keyadmin().RotateKey(AsAdmin().get(), rotate, &rotated).error_code(),
      StatusCode::FAILED_PRECONDITION);
}

TEST_P(KeyAdminTest, ListsPageAndAuditRecordsWhoDidWhat) {
  for (int i = 0; i < 3; ++i) {
    CreateClient(absl::StrCat("svc-page-", i), {{"aud-1", {}}});
  }
  ka::ListKeysRequest list;
  list.set_page_size(2);
  std::set<std::string> kids;
  int pages = 0;
  do {
    ka::ListKeysResponse page;
    ASSERT_TRUE(keyadmin().ListKeys(AsAdmin().get(), list, &page).ok());
    EXPECT_LE(page.keys_size(), 2);
    for (const ka::Key& k : page.keys()) {
      EXPECT_TRUE(kids.insert(k.kid()).second) << "duplicate across pages";
    }
    list.set_page_token(page.next_page_token());
    ++pages;
  } while (!list.page_token().empty() && pages < 20);
  // 2 issuer keys + admin's 2 + 3 clients' 1.
  EXPECT_EQ(kids.size(), 7u);
  list.set_page_token("bogus!");
  ka::ListKeysResponse bad;
  EXPECT_EQ(keyadmin().ListKeys(AsAdmin().get(), list, &bad).error_code(),
            StatusCode::INVALID_ARGUMENT);

  ka::ListAuditEventsRequest audit;
  audit.set_action("client.create");
  audit.set_actor("meshid-admin");
  ka::ListAuditEventsResponse events;
  ASSERT_TRUE(keyadmin().ListAuditEvents(AsAdmin().get(), audit, &events).ok());
  ASSERT_EQ(events.events_size(), 3);
  EXPECT_EQ(events.events(0).target(), "svc-page-2");  // newest first
  EXPECT_GT(events.events(0).version(), 0);
}

TEST_P(KeyAdminTest, ClientLifecycleSecretRotationAndDeletion) {
  const std::string first = CreateClient("svc-life", {{"aud-1", {}}});
  ka::CreateClientRequest duplicate;
  duplicate.set_client_id("svc-life");
  ka::CreateClientResponse created;
  EXPECT_EQ(keyadmin()
                .CreateClient(AsAdmin().get(), duplicate, &created)
                .error_code(),
            StatusCode::ALREADY_EXISTS);
  duplicate.set_client_id("bad id with spaces");
  const grpc::Status bad =
      keyadmin().CreateClient(AsAdmin().get(), duplicate, &created);
  EXPECT_EQ(bad.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(bad.error_message().find("client_id"), std::string::npos);

  ka::RotateClientSecretRequest rotate;
  rotate.set_client_id("svc-life");
  ka::RotateClientSecretResponse rotated;
  ASSERT_TRUE(
      keyadmin().RotateClientSecret(AsAdmin().get(), rotate, &rotated).ok());
  EXPECT_NE(rotated.client_secret(), first);
  EXPECT_EQ(Issue("svc-life", first, "aud-1").status().code(),
            absl::StatusCode::kUnauthenticated);
  absl::StatusOr<std::string> token =
      Issue("svc-life", rotated.client_secret(), "aud-1");
  ASSERT_TRUE(token.ok());

  ka::GetClientRequest get;
  get.set_client_id("svc-life");
  ka::Client client;
  ASSERT_TRUE(keyadmin().GetClient(AsAdmin().get(), get, &client).ok());
  ka::ListClientsRequest list;
  ka::ListClientsResponse listed;
  ASSERT_TRUE(keyadmin().ListClients(AsAdmin().get(), list, &listed).ok());
  std::set<std::string> ids;
  for (const ka::Client& c : listed.clients()) ids.insert(c.client_id());
  // The bootstrap clients and this one; never a secret.
  EXPECT_EQ(
      ids, (std::set<std::string>{"meshid-admin", "meshid-login", "svc-life"}));
  EXPECT_EQ(listed.DebugString().find(rotated.client_secret()),
            std::string::npos);
  EXPECT_EQ(client.policy().allowed_audiences_size(), 1);
  EXPECT_EQ(client.DebugString().find(rotated.client_secret()),
            std::string::npos);

  ka::DeleteClientRequest del;
  del.set_client_id("svc-life");
  google::protobuf::Empty empty;
  ASSERT_TRUE(keyadmin().DeleteClient(AsAdmin().get(), del, &empty).ok());
  EXPECT_FALSE(IsActive(*token));
  EXPECT_EQ(Issue("svc-life", rotated.client_secret(), "aud-1").status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(keyadmin().GetClient(AsAdmin().get(), get, &client).error_code(),
            StatusCode::NOT_FOUND);
  duplicate.set_client_id("svc-life");  // ids are never reused
  EXPECT_EQ(keyadmin()
                .CreateClient(AsAdmin().get(), duplicate, &created)
                .error_code(),
            StatusCode::ALREADY_EXISTS);
}

TEST_P(KeyAdminTest, PolicyChangesMakeAndRetirePairKeys) {
  const std::string secret = CreateClient("svc-pol", {{"aud-1", {}}});
  absl::StatusOr<std::string> t1 = Issue("svc-pol", secret, "aud-1");
  ASSERT_TRUE(t1.ok());
  ka::UpdateClientPolicyRequest update;
  update.set_client_id("svc-pol");
  update.mutable_policy()->add_allowed_audiences("aud-2");
  ka::Client client;
  ASSERT_TRUE(
      keyadmin().UpdateClientPolicy(AsAdmin().get(), update, &client).ok());
  EXPECT_TRUE(Issue("svc-pol", secret, "aud-2").ok());
  EXPECT_EQ(Issue("svc-pol", secret, "aud-1").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(IsActive(*t1));  // its key is RETIRED, not revoked
  update.mutable_policy()->add_audience_scopes()->set_audience("aud-3");
  EXPECT_EQ(keyadmin()
                .UpdateClientPolicy(AsAdmin().get(), update, &client)
                .error_code(),
            StatusCode::INVALID_ARGUMENT);
}

// Time moves only when the test says so.
class KeyTimingTest : public IdentityServerTest {
 protected:
  void Configure(IdentityServerConfig& config) override {
    config.clock = &clock_;
    config.options.activation_delay = absl::Seconds(2);
    config.options.rotation_period = absl::Hours(24);
    config.tick_interval = absl::Hours(1);  // only TickNow() moves keys
  }
  FakeClock clock_{absl::Now()};
};

TEST_P(KeyTimingTest, PendingActivatesRetiredExpiresAndOldKeysRotate) {
  const std::string secret = CreateClient("svc-t", {{"aud-1", {}}});
  // A new pair key is PENDING for the activation delay: published, not
  // signing yet.
  EXPECT_EQ(Issue("svc-t", secret, "aud-1").status().code(),
            absl::StatusCode::kUnavailable);
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(server().TickNow().ok());
  absl::StatusOr<std::string> t1 = Issue("svc-t", secret, "aud-1");
  ASSERT_TRUE(t1.ok()) << t1.status();

  ka::RotateKeyRequest rotate;
  *rotate.mutable_slot() = PairSlot("svc-t", "aud-1");
  ka::RotateKeyResponse rotated;
  ASSERT_TRUE(keyadmin().RotateKey(AsAdmin().get(), rotate, &rotated).ok());
  EXPECT_EQ(rotated.new_key().state(), ka::KEY_STATE_PENDING);
  EXPECT_EQ(KidOf(*Issue("svc-t", secret, "aud-1")), KidOf(*t1));
  EXPECT_EQ(
      keyadmin().RotateKey(AsAdmin().get(), rotate, &rotated).error_code(),
      StatusCode::FAILED_PRECONDITION);  // one rotation at a time
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(server().TickNow().ok());
  absl::StatusOr<std::string> t2 = Issue("svc-t", secret, "aud-1");
  ASSERT_TRUE(t2.ok());
  EXPECT_NE(KidOf(*t2), KidOf(*t1));
  EXPECT_TRUE(IsActive(*t1));

  // The retired key verifies until max TTL + skew, then expires.
  clock_.Advance(absl::Hours(1) + absl::Seconds(31));
  ASSERT_TRUE(server().TickNow().ok());
  ka::GetKeyRequest get;
  get.set_kid(KidOf(*t1));
  ka::Key key;
  ASSERT_TRUE(keyadmin().GetKey(AsAdmin().get(), get, &key).ok());
  EXPECT_EQ(key.state(), ka::KEY_STATE_EXPIRED);

  // A day later every slot rotates on its own (and activates after delay).
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(server().TickNow().ok());
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(server().TickNow().ok());
  absl::StatusOr<std::string> t3 = Issue("svc-t", secret, "aud-1");
  ASSERT_TRUE(t3.ok());
  EXPECT_NE(KidOf(*t3), KidOf(*t2));
  ka::ListAuditEventsRequest audit;
  audit.set_actor("system");
  audit.set_action("key.rotate");
  ka::ListAuditEventsResponse events;
  ASSERT_TRUE(keyadmin().ListAuditEvents(AsAdmin().get(), audit, &events).ok());
  EXPECT_GE(events.events_size(), 1);
}

TEST_P(KeyTimingTest, StateSurvivesARestart) {
  const std::string secret = CreateClient("svc-r", {{"aud-1", {}}});
  clock_.Advance(absl::Seconds(2));
  ASSERT_TRUE(server().TickNow().ok());
  absl::StatusOr<std::string> before = Issue("svc-r", secret, "aud-1");
  ASSERT_TRUE(before.ok());
  StopServer();
  StartServer();
  EXPECT_TRUE(IsActive(*before));
  absl::StatusOr<std::string> after = Issue("svc-r", secret, "aud-1");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(KidOf(*after), KidOf(*before));
}

INSTANTIATE_TEST_SUITE_P(Stores, KeyAdminTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);
INSTANTIATE_TEST_SUITE_P(Stores, KeyTimingTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace meshid::identity
