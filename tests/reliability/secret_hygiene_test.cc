// No secret in any output: a real meshid-identity (debug logging on) is
// driven through its normal work and through every kind of mistake, while
// the test remembers each secret it handed out or received — the bootstrap
// admin secret, the master key, client secrets, user passwords, every token,
// every key's material from WatchKeys. Then every log line the server
// wrote, its whole /metrics page, every error message it returned and every
// audit event are searched for all of them, in several spellings.
//
// The second test does the same for the validators: meshid-log and
// meshid-gateway (debug logging on, with identity and the echo upstream
// as real processes), driven through valid calls and every kind of bad
// token; their logs, /metrics pages and the errors they returned are
// searched for the client secrets, the pair keys' material, the tokens the
// test was handed and the gateway's own upstream token.
#include <signal.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/common/server/test_http_client.h"
#include "tests/reliability/identity_process.h"
#include "tests/reliability/mesh_processes.h"
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


// Adds the HS256 material of every key in the first WatchKeys message that
// `client_id` (allowed keys:watch) receives.
int AddWatchedKeys(IdentityProcess& identity, const std::string& client_id,
                   const std::string& secret, SecretScanner* scanner) {
  absl::StatusOr<std::string> token =
      identity.Issue(client_id, secret, "meshid-keyadmin");
  if (!token.ok()) return 0;
  scanner->AddToken(absl::StrCat("keys:watch token of ", client_id), *token);
  auto context = WithAuthorization("Bearer " + *token);
  auto stream =
      identity.keyadmin().WatchKeys(context.get(), ka::WatchKeysRequest());
  ka::WatchKeysResponse first;
  int added = 0;
  if (stream->Read(&first) && first.has_snapshot()) {
    for (const ka::KeyMaterial& key : first.snapshot().keys()) {
      if (!key.hs256_secret().empty() &&
          scanner->Add(absl::StrCat("HS256 material of ", key.kid()),
                       key.hs256_secret())) {
        ++added;
      }
    }
  }
  context->TryCancel();
  return added;
}

TEST(ValidatorSecretHygieneTest, NoSecretInLogAndGatewayOutput) {
  auto created = MeshProcesses::Create();
  ASSERT_TRUE(created.ok()) << created.status();
  MeshProcesses& mesh = **created;
  mesh.set_identity_args({"--log_level=debug"});
  mesh.set_log_args({"--log_level=debug"});
  mesh.set_gateway_args({"--log_level=debug"});
  const absl::Status started = mesh.StartAll();
  ASSERT_TRUE(started.ok()) << started;

  SecretScanner scanner;
  scanner.Add("bootstrap admin secret", kTestAdminSecret);
  scanner.Add("master key file",
              ReadFile(absl::StrCat(mesh.dir(), "/master.key")));
  for (const auto& [client_id, secret] : mesh.secrets()) {
    scanner.Add(absl::StrCat("client secret of ", client_id), secret);
  }
  // The pair keys both validators hold (and the caller's keys for them).
  EXPECT_GT(AddWatchedKeys(mesh.identity(), kGatewayName,
                           mesh.secrets().at(kGatewayName), &scanner),
            0);
  EXPECT_GT(AddWatchedKeys(mesh.identity(), kLogName,
                           mesh.secrets().at(kLogName), &scanner),
            0);
  absl::StatusOr<std::string> caller = mesh.CallerToken();
  ASSERT_TRUE(caller.ok());
  scanner.AddToken("caller token for the gateway", *caller);
  absl::StatusOr<std::string> log_token = mesh.CallerLogToken();
  ASSERT_TRUE(log_token.ok());
  scanner.AddToken("caller token for the Log server", *log_token);
  absl::StatusOr<std::string> expired = mesh.CallerToken(absl::Seconds(1));
  ASSERT_TRUE(expired.ok());
  scanner.AddToken("short-lived caller token", *expired);

  std::vector<std::string> errors;
  auto record = [&](const std::string& call, const grpc::Status& status) {
    errors.push_back(absl::StrCat(call, ": ", status.error_message(), " ",
                                  status.error_details()));
  };

  // Normal work through the gateway; the upstream shows the gateway's own
  // token, which must not appear anywhere either.
  auto echo = mesh.GatewayEcho();
  gatewaytest::v1::EchoRequest ping;
  ping.set_payload("hygiene");
  gatewaytest::v1::EchoResponse pong;
  grpc::Status status;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  do {
    status = echo->Unary(BearerContext(*caller).get(), ping, &pong);
    if (!status.ok()) absl::SleepFor(absl::Milliseconds(20));  // key arrival
  } while (!status.ok() && absl::Now() < deadline);
  ASSERT_TRUE(status.ok()) << status.error_message();
  int upstream_tokens = 0;
  for (const auto& header : pong.headers()) {
    if (header.key() == "authorization" &&
        absl::StartsWith(header.value(), "Bearer ")) {
      scanner.AddToken("the gateway's upstream token",
                       header.value().substr(7));
      ++upstream_tokens;
    }
  }
  EXPECT_EQ(upstream_tokens, 1);

  // Normal work on the Log server.
  auto log = mesh.LogStub();
  logging::v1::AppendRequest append;
  append.add_entries()->set_message("hygiene entry");
  append.mutable_entries(0)->set_level(logging::v1::LOG_LEVEL_INFO);
  logging::v1::AppendResponse appended;
  ASSERT_TRUE(
      log->Append(BearerContext(*log_token).get(), append, &appended).ok());
  logging::v1::QueryResponse queried;
  ASSERT_TRUE(log->Query(BearerContext(*log_token).get(),
                         logging::v1::QueryRequest(), &queried)
                  .ok());

  // Mistakes, each carrying a secret a careless validator would echo.
  std::string forged = *caller;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  const std::string& client_secret = mesh.secrets().at(kCallerClient);
  const std::vector<std::pair<std::string, std::string>> bad_authorizations = {
      {"forged signature", "Bearer " + forged},
      {"appended byte", "Bearer " + *caller + "x"},
      {"too many segments", "Bearer " + *caller + "." + *caller},
      {"no scheme", *caller},
      {"secret as Basic", "Basic " + client_secret},
      {"secret as Bearer", "Bearer " + client_secret},
      {"wrong audience", "Bearer " + *log_token},
  };
  for (const auto& [what, authorization] : bad_authorizations) {
    auto context = WithAuthorization(authorization);
    status = echo->Unary(context.get(), ping, &pong);
    EXPECT_FALSE(status.ok()) << what;
    record(absl::StrCat("gateway ", what), status);
  }
  // The expired token, once it has expired.
  const absl::Time expiry_deadline = absl::Now() + absl::Seconds(20);
  do {
    status = echo->Unary(BearerContext(*expired).get(), ping, &pong);
    if (status.ok()) absl::SleepFor(absl::Milliseconds(50));  // its 1 s ttl
  } while (status.ok() && absl::Now() < expiry_deadline);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  record("gateway expired", status);

  std::string log_forged = *log_token;
  log_forged.back() = log_forged.back() == 'A' ? 'B' : 'A';
  for (const auto& [what, authorization] :
       std::vector<std::pair<std::string, std::string>>{
           {"forged signature", "Bearer " + log_forged},
           {"gateway audience", "Bearer " + *caller},
           {"secret as Basic", "Basic " + client_secret},
           {"appended byte", "Bearer " + *log_token + "x"},
           {"no scheme", *log_token}}) {
    status = log->Append(WithAuthorization(authorization).get(), append,
                         &appended);
    EXPECT_FALSE(status.ok()) << what;
    record(absl::StrCat("Log.Append ", what), status);
    status = log->Query(WithAuthorization(authorization).get(),
                        logging::v1::QueryRequest(), &queried);
    EXPECT_FALSE(status.ok()) << what;
    record(absl::StrCat("Log.Query ", what), status);
  }

  // The gateway's access lines of the denials are written by its shipper
  // thread; wait until the last one (the expired token) is there.
  ASSERT_TRUE(mesh.gateway_process()->WaitForLogLine("\"reason\":\"expired\"",
                                                     absl::Seconds(10)))
      << mesh.gateway_process()->ReadLog();
  const std::string gateway_metrics = mesh.GatewayMetrics();
  const std::string log_metrics = mesh.LogMetrics();
  ASSERT_FALSE(gateway_metrics.empty());
  ASSERT_FALSE(log_metrics.empty());

  // The error paths of the logs: identity and then the Log server go away
  // (watch disconnects, failed token renewals, access-log retries with the
  // errors gRPC reports), the gateway keeps serving.
  size_t gateway_from = mesh.gateway_process()->ReadLog().size();
  size_t log_from = mesh.log_process()->ReadLog().size();
  mesh.identity().Kill(SIGKILL);
  EXPECT_TRUE(mesh.gateway_process()->WaitForLogLine(
      "keyset.watch_disconnect", absl::Seconds(10), &gateway_from));
  EXPECT_TRUE(mesh.log_process()->WaitForLogLine(
      "keyset.watch_disconnect", absl::Seconds(10), &log_from));
  mesh.KillLog(SIGKILL);
  status = echo->Unary(BearerContext(*caller).get(), ping, &pong);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(mesh.gateway_process()->WaitForLogLine(
      "gateway.access_log_retry", absl::Seconds(10), &gateway_from));
  const std::string gateway_log = mesh.gateway_process()->ReadLog();
  const std::string log_log = mesh.log_process()->ReadLog();

  ASSERT_GT(scanner.size(), 40u);
  std::vector<test_process::Leak> leaks;
  auto scan = [&](const std::string& where, const std::string& text) {
    std::vector<test_process::Leak> found = scanner.Scan(where, text);
    leaks.insert(leaks.end(), found.begin(), found.end());
  };
  scan("gateway log", gateway_log);
  scan("meshid-log log", log_log);
  scan("identity log", mesh.identity().process()->ReadLog());
  scan("gateway /metrics", gateway_metrics);
  scan("meshid-log /metrics", log_metrics);
  for (const std::string& error : errors) scan(error.substr(0, 48), error);
  EXPECT_GE(errors.size(), 18u);
  std::cout << "validator hygiene: " << scanner.size()
            << " search strings (secrets x spellings) in "
            << gateway_log.size() << " + " << log_log.size()
            << " bytes of gateway + meshid-log log, "
            << gateway_metrics.size() + log_metrics.size()
            << " bytes of /metrics, " << errors.size()
            << " error messages: " << leaks.size() << " found\n";
  EXPECT_TRUE(leaks.empty()) << DescribeLeaks(leaks);
}

}  // namespace
}  // namespace meshid::reliability
