#include "tests/logging/log_process_fixture.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "tests/testing/postgres_env.h"

namespace meshid::logging::testing {
namespace {

namespace ka = ::meshid::keyadmin::v1;
using test_process::ChildProcess;
using test_process::ChildProcessOptions;
using test_process::JsonLogInt;

constexpr char kAdminSecret[] = "admin-secret-for-tests-0123456789abcdef";
constexpr absl::Duration kStartTimeout = absl::Seconds(30);

std::shared_ptr<grpc::Channel> Channel(int port) {
  return grpc::CreateChannel(absl::StrCat("127.0.0.1:", port),
                             grpc::InsecureChannelCredentials());
}

}  // namespace

std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

v1::LogEntry Entry(const std::string& message, v1::LogLevel level,
                   v1::LogKind kind) {
  v1::LogEntry entry;
  entry.set_message(message);
  entry.set_level(level);
  entry.set_kind(kind);
  entry.set_subject("user-1");
  return entry;
}

void LogProcessTest::SetUp() {
  absl::StatusOr<std::unique_ptr<test_process::TempDir>> dir =
      test_process::TempDir::Create("meshid-logproc");
  ASSERT_TRUE(dir.ok()) << dir.status();
  dir_ = *std::move(dir);
  std::string identity_url = absl::StrCat("sqlite://", dir_->File("id.db"));
  std::string log_url = absl::StrCat("sqlite://", dir_->File("log.db"));
  if (GetParam() == Backend::kPostgres) {
    std::string base;
    MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(base);
    absl::StatusOr<std::unique_ptr<ScratchDatabase>> db =
        ScratchDatabase::Create(base);
    ASSERT_TRUE(db.ok()) << db.status();
    identity_db_ = *std::move(db);
    db = ScratchDatabase::Create(base);
    ASSERT_TRUE(db.ok()) << db.status();
    log_db_ = *std::move(db);
    identity_url = identity_db_->url();
    log_url = log_db_->url();
  }
  ASSERT_NO_FATAL_FAILURE(StartIdentity(identity_url));
  ASSERT_NO_FATAL_FAILURE(
      CreateClient("logging-service", {{"meshid-keyadmin", {"keys:watch"}}}));
  ASSERT_NO_FATAL_FAILURE(CreateClient(
      "careergpt-backend",
      {{"logging-service", {"logs:write"}}, {"other-service", {"x:y"}}}));
  ASSERT_NO_FATAL_FAILURE(
      CreateClient("log-reader", {{"logging-service", {"logs:read"}}}));
  ASSERT_NO_FATAL_FAILURE(CreateClient("no-scope", {{"logging-service", {}}}));
  ASSERT_NO_FATAL_FAILURE(StartLog(log_url));
}

void LogProcessTest::TearDown() {
  log_stub_.reset();
  identity_stub_.reset();
  keyadmin_stub_.reset();
  log_.reset();  // SIGKILLs what still runs
  identity_.reset();
  log_db_.reset();
  identity_db_.reset();
  dir_.reset();
}

void LogProcessTest::StartIdentity(const std::string& store_url) {
  ASSERT_TRUE(
      test_process::WritePrivateFile(dir_->File("admin.secret"), kAdminSecret)
          .ok());
  log_port_ = test_process::FreeLoopbackPort();
  ChildProcessOptions options;
  options.binary = MESHID_IDENTITY_BINARY;
  options.log_path = dir_->File("identity.log");
  options.args = {
      "--store=" + store_url,
      "--bootstrap_admin_secret_file=" + dir_->File("admin.secret"),
      "--identity_address=127.0.0.1:0",
      "--keyadmin_address=127.0.0.1:0",
      "--http_address=",
      absl::StrCat("--issuer=", kIssuer),
      "--activation_delay=0s",
      "--tick_interval=100ms",
      // Audit events go to the Log server, which starts later: the shipper
      // retries until it is there.
      "--audit_log_address=" + log_address(),
      absl::StrCat("--audit_log_client=", kAuditClient),
      "--audit_log_retry_max=200ms",
  };
  if (GetParam() == Backend::kPostgres) {
    // PostgreSQL never creates the master key; the test makes it like an
    // operator (32 bytes, base64url).
    ASSERT_TRUE(test_process::WritePrivateFile(
                    dir_->File("master.key"),
                    "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY")
                    .ok());
    options.args.push_back("--master_key_file=" + dir_->File("master.key"));
  }
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  ASSERT_TRUE(child.ok()) << child.status();
  identity_ = *std::move(child);
  std::optional<std::string> started =
      identity_->WaitForLogLine("identity.started", kStartTimeout);
  ASSERT_TRUE(started.has_value()) << identity_->ReadLog();
  identity_port_ = JsonLogInt(*started, "identity_port").value_or(0);
  keyadmin_port_ = JsonLogInt(*started, "keyadmin_port").value_or(0);
  ASSERT_NE(identity_port_, 0);
  ASSERT_NE(keyadmin_port_, 0);
  identity_stub_ = identity::v1::Identity::NewStub(Channel(identity_port_));
  keyadmin_stub_ = ka::KeyAdmin::NewStub(Channel(keyadmin_port_));
  secrets_["meshid-admin"] = kAdminSecret;
}

void LogProcessTest::CreateClient(
    const std::string& client_id,
    const std::map<std::string, std::set<std::string>>& audiences) {
  ka::CreateClientRequest request;
  request.set_client_id(client_id);
  for (const auto& [audience, scopes] : audiences) {
    request.mutable_policy()->add_allowed_audiences(audience);
    ka::AudienceScopes* entry = request.mutable_policy()->add_audience_scopes();
    entry->set_audience(audience);
    for (const std::string& s : scopes) entry->add_scopes(s);
  }
  ka::CreateClientResponse response;
  const grpc::Status status = keyadmin_stub_->CreateClient(
      With(AdminToken()).get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  secrets_[client_id] = response.client_secret();
}

void LogProcessTest::StartLog(const std::string& store_url) {
  ASSERT_TRUE(test_process::WritePrivateFile(dir_->File("log.secret"),
                                             secrets_["logging-service"])
                  .ok());
  ChildProcessOptions options;
  options.binary = MESHID_LOG_BINARY;
  options.log_path = dir_->File("log.log");
  options.args = {
      "--store=" + store_url,
      "--grpc_address=" + log_address(),
      "--http_address=127.0.0.1:0",
      absl::StrCat("--identity_address=127.0.0.1:", identity_port_),
      absl::StrCat("--keyadmin_address=127.0.0.1:", keyadmin_port_),
      "--client_secret_file=" + dir_->File("log.secret"),
      absl::StrCat("--issuer=", kIssuer),
      // Expiry is checked without leeway, so an expired token needs only
      // its one-second lifetime to pass.
      "--clock_skew=0s",
  };
  for (const std::string& flag : ExtraLogFlags()) options.args.push_back(flag);
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  ASSERT_TRUE(child.ok()) << child.status();
  log_ = *std::move(child);
  std::optional<std::string> started =
      log_->WaitForLogLine("log.started", kStartTimeout);
  ASSERT_TRUE(started.has_value()) << log_->ReadLog();
  log_http_port_ = JsonLogInt(*started, "http_port").value_or(0);
  ASSERT_TRUE(log_->WaitForLogLine("log.keys_ready", kStartTimeout))
      << log_->ReadLog();
  log_stub_ = v1::Log::NewStub(Channel(log_port_));
}

absl::StatusOr<std::string> LogProcessTest::Issue(
    const std::string& client_id, const std::string& audience,
    std::vector<std::string> scopes, int ttl_seconds) {
  identity::v1::IssueTokenRequest request;
  request.set_client_id(client_id);
  request.set_client_secret(secrets_[client_id]);
  request.set_audience(audience);
  for (const std::string& s : scopes) request.add_scopes(s);
  if (ttl_seconds > 0) request.mutable_ttl()->set_seconds(ttl_seconds);
  identity::v1::TokenResponse response;
  grpc::ClientContext context;
  const grpc::Status status =
      identity_stub_->IssueToken(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        status.error_message());
  }
  return response.access_token();
}

std::string LogProcessTest::Token(const std::string& client_id,
                                  const std::string& audience,
                                  std::vector<std::string> scopes) {
  absl::StatusOr<std::string> token =
      Issue(client_id, audience, std::move(scopes));
  EXPECT_TRUE(token.ok()) << client_id << ": " << token.status();
  return token.value_or("");
}

std::unique_ptr<grpc::ClientContext> LogProcessTest::With(
    const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

grpc::Status LogProcessTest::Append(const std::string& token,
                                    const v1::AppendRequest& request,
                                    v1::AppendResponse* response) {
  return log_stub_->Append(With(token).get(), request, response);
}

grpc::Status LogProcessTest::Query(const std::string& token,
                                   const v1::QueryRequest& request,
                                   v1::QueryResponse* response) {
  return log_stub_->Query(With(token).get(), request, response);
}

grpc::Status LogProcessTest::AppendOnceKeysArrived(
    const std::string& token, const v1::AppendRequest& request,
    v1::AppendResponse* response) {
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  grpc::Status status = Append(token, request, response);
  // Until the key arrives the server refuses it (logging kid_unknown); the
  // caller sees only UNAUTHENTICATED, so any refusal is retried here and the
  // last one returned.
  while (status.error_code() == grpc::StatusCode::UNAUTHENTICATED &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    status = Append(token, request, response);
  }
  return status;
}

LogProcessTest::MeshctlRun LogProcessTest::Meshctl(
    const std::vector<std::string>& args, const std::string& token) {
  static int runs = 0;
  ChildProcessOptions options;
  options.binary = MESHCTL_BINARY;
  options.args = args;
  options.env = {"MESHID_LOG_ADDR=" + log_address(), "MESHID_TOKEN=" + token};
  options.log_path = dir_->File(absl::StrCat("meshctl-", ++runs, ".out"));
  MeshctlRun run;
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  EXPECT_TRUE(child.ok()) << child.status();
  if (!child.ok()) return run;
  run.exit_code = (*child)->WaitForExit(absl::Seconds(30)).value_or(-1);
  run.output = (*child)->ReadLog();
  return run;
}

}  // namespace meshid::logging::testing
