#include "tests/identity/identity_fixture.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "tests/testing/postgres_env.h"

namespace meshid::identity {

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

void IdentityServerTest::SetUp() {
  char pattern[] = "/tmp/meshid-it-XXXXXX";
  ASSERT_NE(mkdtemp(pattern), nullptr);
  data_dir_ = pattern;
  if (GetParam() == Backend::kSqlite) {
    store_url_ = absl::StrCat("sqlite://", data_dir_, "/meshid.db");
  } else {
    std::string base;
    MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(base);
    absl::StatusOr<std::unique_ptr<ScratchDatabase>> db =
        ScratchDatabase::Create(base);
    ASSERT_TRUE(db.ok()) << db.status();
    database_ = *std::move(db);
    store_url_ = database_->url();
  }
  StartServer();
}

void IdentityServerTest::TearDown() {
  StopServer();
  database_.reset();
  if (!data_dir_.empty()) {
    std::system(absl::StrCat("rm -rf '", data_dir_, "'").c_str());
  }
}

void IdentityServerTest::StartServer() {
  IdentityServerConfig config;
  config.store_url = store_url_;
  config.master_key_file = absl::StrCat(data_dir_, "/master.key");
  if (GetParam() == Backend::kPostgres) {
    // PostgreSQL never creates the key; the test makes it like an operator.
    std::system(absl::StrCat("test -f '", config.master_key_file,
                             "' || (umask 077 && head -c 32 /dev/urandom | "
                             "base64 -w0 | tr '+/' '-_' | tr -d '=' > '",
                             config.master_key_file, "')")
                    .c_str());
  } else {
    config.master_key_file.clear();  // the embedded default makes one
  }
  config.options.issuer = kIssuer;
  config.options.activation_delay = absl::ZeroDuration();
  config.bootstrap.admin_secret = kAdminSecret;
  config.identity_address = "127.0.0.1:0";
  config.keyadmin_address = "127.0.0.1:0";
  config.http_address = "127.0.0.1:0";
  config.tick_interval = absl::Milliseconds(200);
  Configure(config);
  absl::StatusOr<std::unique_ptr<IdentityServer>> server =
      IdentityServer::Start(config);
  ASSERT_TRUE(server.ok()) << server.status();
  server_ = *std::move(server);
  identity_ = v1::Identity::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->ports().identity),
                          grpc::InsecureChannelCredentials()));
  keyadmin_ = keyadmin::v1::KeyAdmin::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->ports().keyadmin),
                          grpc::InsecureChannelCredentials()));
}

void IdentityServerTest::StopServer() {
  identity_.reset();
  keyadmin_.reset();
  if (server_) server_->Stop(absl::Seconds(2));
  server_.reset();
}

std::string IdentityServerTest::AdminToken(const std::string& audience) {
  absl::StatusOr<std::string> token =
      Issue("meshid-admin", kAdminSecret, audience);
  EXPECT_TRUE(token.ok()) << token.status();
  return token.value_or("");
}

std::unique_ptr<grpc::ClientContext> IdentityServerTest::WithToken(
    const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  return context;
}

std::string IdentityServerTest::CreateClient(
    const std::string& client_id,
    const std::map<std::string, std::set<std::string>>& audiences) {
  keyadmin::v1::CreateClientRequest request;
  request.set_client_id(client_id);
  for (const auto& [audience, scopes] : audiences) {
    request.mutable_policy()->add_allowed_audiences(audience);
    auto* entry = request.mutable_policy()->add_audience_scopes();
    entry->set_audience(audience);
    for (const std::string& s : scopes) entry->add_scopes(s);
  }
  keyadmin::v1::CreateClientResponse response;
  const grpc::Status status =
      keyadmin().CreateClient(AsAdmin().get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.client_secret();
}

absl::StatusOr<std::string> IdentityServerTest::Issue(
    const std::string& client_id, const std::string& secret,
    const std::string& audience, std::vector<std::string> scopes) {
  v1::IssueTokenRequest request;
  request.set_client_id(client_id);
  request.set_client_secret(secret);
  request.set_audience(audience);
  for (const std::string& s : scopes) request.add_scopes(s);
  v1::TokenResponse response;
  grpc::ClientContext context;
  const grpc::Status status =
      identity().IssueToken(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return response.access_token();
}

bool IdentityServerTest::IsActive(const std::string& token) {
  v1::IntrospectTokenRequest request;
  request.set_token(token);
  v1::IntrospectTokenResponse response;
  const grpc::Status status = identity().IntrospectToken(
      WithToken(AdminToken("meshid-identity")).get(), request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.active();
}

}  // namespace meshid::identity
