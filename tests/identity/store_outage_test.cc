// PostgreSQL becomes unreachable while meshid-identity serves: tokens for
// known clients keep coming from memory, admin writes answer UNAVAILABLE,
// and once the database is back everything works again without a restart,
// with nothing half-written.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "tests/identity/identity_fixture.h"

namespace meshid::identity {
namespace {

using ::grpc::StatusCode;
namespace ka = ::meshid::keyadmin::v1;

class StoreOutageTest : public IdentityServerTest {
 protected:
  // Refuses new connections to the scratch database and ends current ones:
  // to meshid-identity this is the database going away.
  void CutDatabase(bool cut) {
    pqxx::connection c(database_->base_url());
    pqxx::nontransaction tx(c);
    tx.exec0(absl::StrCat("ALTER DATABASE ", tx.quote_name(database_->name()),
                          " ALLOW_CONNECTIONS ", cut ? "false" : "true"));
    if (cut) {
      tx.exec(absl::StrCat(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
          "datname = ",
          tx.quote(database_->name())));
    }
  }

  grpc::Status TryCreateClient(const std::string& id,
                               const std::string& admin_token) {
    ka::CreateClientRequest request;
    request.set_client_id(id);
    request.mutable_policy()->add_allowed_audiences("aud-1");
    ka::CreateClientResponse response;
    return keyadmin().CreateClient(WithToken(admin_token).get(), request,
                                   &response);
  }
};

TEST_P(StoreOutageTest, ServesFromMemoryRefusesWritesAndRecovers) {
  const std::string secret = CreateClient("svc-known", {{"aud-1", {}}});
  const std::string admin = AdminToken();
  ASSERT_TRUE(Issue("svc-known", secret, "aud-1").ok());

  CutDatabase(true);
  absl::StatusOr<std::string> during = Issue("svc-known", secret, "aud-1");
  EXPECT_TRUE(during.ok()) << during.status();
  const grpc::Status write = TryCreateClient("svc-during", admin);
  EXPECT_EQ(write.error_code(), StatusCode::UNAVAILABLE)
      << write.error_message();
  EXPECT_EQ(write.error_message().find("password"), std::string::npos);

  CutDatabase(false);
  // The first call after the outage may still meet a dead pooled
  // connection; the store replaces it, so a retry succeeds.
  grpc::Status after = TryCreateClient("svc-after", admin);
  for (int attempt = 0;
       attempt < 5 && after.error_code() == StatusCode::UNAVAILABLE;
       ++attempt) {
    after = TryCreateClient("svc-after", admin);
  }
  EXPECT_TRUE(after.ok()) << after.error_message();
  // The write refused during the outage left nothing behind: the id is free.
  ka::GetClientRequest get;
  get.set_client_id("svc-during");
  ka::Client client;
  EXPECT_EQ(
      keyadmin().GetClient(WithToken(admin).get(), get, &client).error_code(),
      StatusCode::NOT_FOUND);
  EXPECT_TRUE(TryCreateClient("svc-during", admin).ok());
  EXPECT_TRUE(Issue("svc-known", secret, "aud-1").ok());
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreOutageTest,
                         ::testing::Values(Backend::kPostgres), BackendName);

}  // namespace
}  // namespace meshid::identity
