// No secret in any output: a real meshid-identity (debug logging on) is
// driven through its normal work and through every kind of mistake, while
// the test remembers each secret it handed out or received — the bootstrap
// admin secret, the master key, client secrets, user passwords, every token,
// every key's material from WatchKeys. Then every log line the server
// wrote, its whole /metrics page, every error message it returned and every
// audit event are searched for all of them, in several spellings.
#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/common/server/test_http_client.h"
#include "tests/reliability/identity_process.h"
#include "tests/testing/secret_scan.h"

namespace meshid::reliability {
namespace {

namespace ka = ::meshid::keyadmin::v1;
namespace iv1 = ::meshid::identity::v1;
using test_process::DescribeLeaks;
using test_process::SecretScanner;

constexpr char kCaller[] = "careergpt-backend";
constexpr char kService[] = "logging-service";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

std::unique_ptr<grpc::ClientContext> WithAuthorization(
    const std::string& value) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!value.empty()) context->AddMetadata("authorization", value);
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

class SecretHygieneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto dir = test_process::TempDir::Create("meshid-hygiene-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    auto identity = IdentityProcess::Create(
        absl::StrCat("sqlite://", dir_->File("meshid.db")), dir_->path());
    ASSERT_TRUE(identity.ok()) << identity.status();
    identity_ = *std::move(identity);
    identity_->set_extra_args({"--log_level=debug"});
    ASSERT_TRUE(identity_->Start().ok());
    scanner_.Add("bootstrap admin secret", kTestAdminSecret);
    scanner_.Add("master key file", ReadFile(dir_->File("master.key")));
  }

  // Records the error message of a failed call for the final scan.
  void Record(const std::string& call, const grpc::Status& status) {
    errors_.push_back(absl::StrCat(call, ": ", status.error_message(), " ",
                                   status.error_details()));
  }

  std::string Issue(const std::string& client_id, const std::string& secret,
                    const std::string& audience) {
    absl::StatusOr<std::string> token =
        identity_->Issue(client_id, secret, audience);
    EXPECT_TRUE(token.ok()) << token.status();
    if (!token.ok()) return "";
    scanner_.AddToken(absl::StrCat("token of ", client_id, " for ", audience),
                      *token);
    return *token;
  }

  std::unique_ptr<test_process::TempDir> dir_;
  std::unique_ptr<IdentityProcess> identity_;
  SecretScanner scanner_;
  std::vector<std::string> errors_;
};

TEST_F(SecretHygieneTest, NoSecretInLogsMetricsErrorsOrAudit) {
  // Normal work: clients, tokens, key material on the watch stream.
  absl::StatusOr<std::string> caller_secret =
      identity_->CreateClient(kCaller, {{kService, {"logs:write"}}});
  ASSERT_TRUE(caller_secret.ok());
  scanner_.Add("caller client secret", *caller_secret);
  absl::StatusOr<std::string> watcher_secret = identity_->CreateClient(
      kService, {{"meshid-keyadmin", {"keys:watch"}}});
  ASSERT_TRUE(watcher_secret.ok());
  scanner_.Add("watcher client secret", *watcher_secret);
  const std::string admin = Issue("meshid-admin", kTestAdminSecret,
                                  "meshid-keyadmin");
  const std::string caller = Issue(kCaller, *caller_secret, kService);
  const std::string watcher =
      Issue(kService, *watcher_secret, "meshid-keyadmin");

  {
    auto context = WithAuthorization("Bearer " + watcher);
    ka::WatchKeysRequest request;
    auto stream = identity_->keyadmin().WatchKeys(context.get(), request);
    ka::WatchKeysResponse first;
    ASSERT_TRUE(stream->Read(&first));
    ASSERT_TRUE(first.has_snapshot());
    int secrets = 0;
    for (const ka::KeyMaterial& key : first.snapshot().keys()) {
      if (!key.hs256_secret().empty()) {
        scanner_.Add(absl::StrCat("HS256 material of ", key.kid()),
                     key.hs256_secret());
        ++secrets;
      }
    }
    EXPECT_GT(secrets, 0) << "the watcher received no pair secret";
    context->TryCancel();
  }

  ka::RotateKeyRequest rotate;
  rotate.mutable_slot()->mutable_pair()->set_client_id(kCaller);
  rotate.mutable_slot()->mutable_pair()->set_audience(kService);
  ka::RotateKeyResponse rotated;
  ASSERT_TRUE(identity_->keyadmin()
                  .RotateKey(WithAuthorization("Bearer " + admin).get(),
                             rotate, &rotated)
                  .ok());
  ka::RotateClientSecretRequest rotate_secret;
  rotate_secret.set_client_id(kCaller);
  ka::RotateClientSecretResponse new_secret;
  ASSERT_TRUE(identity_->keyadmin()
                  .RotateClientSecret(WithAuthorization("Bearer " + admin).get(),
                                      rotate_secret, &new_secret)
                  .ok());
  scanner_.Add("rotated caller secret", new_secret.client_secret());

  const std::string password = "correct horse battery staple 42";
  scanner_.Add("user password", password);
  {
    iv1::RegisterUserRequest request;
    request.set_username("alice");
    request.set_password(password);
    iv1::RegisterUserResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        identity_->identity().RegisterUser(&context, request, &response);
    if (!status.ok()) Record("RegisterUser", status);
  }

  // Mistakes, each with a secret where a careless server would echo it.
  {
    iv1::IssueTokenRequest request;
    request.set_client_id(kCaller);
    request.set_client_secret(*caller_secret + "-typo");  // old + suffix
    request.set_audience(kService);
    iv1::TokenResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        identity_->identity().IssueToken(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    Record("IssueToken bad secret", status);
  }
  {
    iv1::LoginRequest request;
    request.set_username("alice");
    request.set_password(password + "!");
    request.set_audience(kService);
    iv1::TokenResponse response;
    grpc::ClientContext context;
    const grpc::Status status =
        identity_->identity().Login(&context, request, &response);
    EXPECT_FALSE(status.ok());
    Record("Login bad password", status);
  }
  for (const std::string& authorization :
       {"Bearer " + caller,                 // wrong audience
        "Bearer " + caller + "x",           // broken signature
        "Bearer " + admin + "." + admin,    // too many segments
        caller,                             // no scheme
        "Basic " + *caller_secret,          // a secret in the wrong scheme
        "Bearer " + watcher}) {             // missing scope
    ka::ListClientsRequest request;
    ka::ListClientsResponse response;
    const grpc::Status status = identity_->keyadmin().ListClients(
        WithAuthorization(authorization).get(), request, &response);
    EXPECT_FALSE(status.ok());
    Record("ListClients", status);
  }
  {
    iv1::IntrospectTokenRequest request;
    request.set_token(caller);
    iv1::IntrospectTokenResponse response;
    const grpc::Status status = identity_->identity().IntrospectToken(
        WithAuthorization("Bearer " + caller).get(), request, &response);
    EXPECT_FALSE(status.ok());
    Record("IntrospectToken without scope", status);
  }
  {
    iv1::RevokeTokenRequest request;
    request.set_token(caller + "tampered");
    google::protobuf::Empty response;
    grpc::ClientContext context;
    const grpc::Status status =
        identity_->identity().RevokeToken(&context, request, &response);
    if (!status.ok()) Record("RevokeToken tampered", status);
  }
  {
    ka::CreateClientRequest request;
    request.set_client_id(kCaller);  // exists already
    ka::CreateClientResponse response;
    const grpc::Status status = identity_->keyadmin().CreateClient(
        WithAuthorization("Bearer " + admin).get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::ALREADY_EXISTS);
    Record("CreateClient duplicate", status);
  }

  // The audit trail, as an admin reads it.
  ka::ListAuditEventsRequest audit_request;
  audit_request.set_page_size(1000);
  ka::ListAuditEventsResponse audit;
  ASSERT_TRUE(identity_->keyadmin()
                  .ListAuditEvents(WithAuthorization("Bearer " + admin).get(),
                                   audit_request, &audit)
                  .ok());
  ASSERT_GT(audit.events_size(), 0);

  absl::StatusOr<server::TestHttpResponse> metrics =
      server::HttpGet(identity_->http_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ASSERT_EQ(metrics->status, 200);

  ASSERT_GT(scanner_.size(), 20u);
  std::vector<test_process::Leak> leaks;
  auto scan = [&](const std::string& where, const std::string& text) {
    std::vector<test_process::Leak> found = scanner_.Scan(where, text);
    leaks.insert(leaks.end(), found.begin(), found.end());
  };
  const std::string log = identity_->process()->ReadLog();
  // The mistakes above were logged (so there was something to leak).
  EXPECT_NE(log.find("\"event\":\"auth.denied\""), std::string::npos) << log;
  scan("identity log", log);
  scan("/metrics", metrics->body);
  for (const std::string& error : errors_) scan(error.substr(0, 40), error);
  scan("audit events", audit.DebugString());
  EXPECT_TRUE(leaks.empty()) << DescribeLeaks(leaks);
}

}  // namespace
}  // namespace meshid::reliability
