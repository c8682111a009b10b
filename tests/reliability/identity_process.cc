#include "tests/reliability/identity_process.h"

#include <signal.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/crypto/random.h"

namespace meshid::reliability {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace

absl::StatusOr<std::unique_ptr<IdentityProcess>> IdentityProcess::Create(
    std::string store_url, std::string data_dir) {
  absl::StatusOr<std::string> key_bytes = crypto::RandomBytes(32);
  if (!key_bytes.ok()) return key_bytes.status();
  absl::Status status = test_process::WritePrivateFile(
      absl::StrCat(data_dir, "/master.key"), Base64UrlEncode(*key_bytes));
  if (!status.ok()) return status;
  status = test_process::WritePrivateFile(
      absl::StrCat(data_dir, "/admin.secret"), kTestAdminSecret);
  if (!status.ok()) return status;
  return std::unique_ptr<IdentityProcess>(
      new IdentityProcess(std::move(store_url), std::move(data_dir),
                          FreeLoopbackPort(), FreeLoopbackPort(),
                          FreeLoopbackPort()));
}

IdentityProcess::IdentityProcess(std::string store_url, std::string data_dir,
                                 int identity_port, int keyadmin_port,
                                 int http_port)
    : store_url_(std::move(store_url)),
      data_dir_(std::move(data_dir)),
      identity_port_(identity_port),
      keyadmin_port_(keyadmin_port),
      http_port_(http_port) {
  // The server is killed and restarted under these channels: reconnect
  // quickly instead of sitting out gRPC's default backoff of up to 2 min.
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  identity_ = identity::v1::Identity::NewStub(grpc::CreateCustomChannel(
      identity_target(), grpc::InsecureChannelCredentials(), args));
  keyadmin_ = keyadmin::v1::KeyAdmin::NewStub(grpc::CreateCustomChannel(
      keyadmin_target(), grpc::InsecureChannelCredentials(), args));
}

std::string IdentityProcess::identity_target() const {
  return absl::StrCat("127.0.0.1:", identity_port_);
}
std::string IdentityProcess::keyadmin_target() const {
  return absl::StrCat("127.0.0.1:", keyadmin_port_);
}

absl::Status IdentityProcess::Start() {
  test_process::ChildProcessOptions options;
  options.binary = MESHID_IDENTITY_BINARY;
  options.args = {
      absl::StrCat("--store=", store_url_),
      absl::StrCat("--master_key_file=", data_dir_, "/master.key"),
      absl::StrCat("--bootstrap_admin_secret_file=", data_dir_,
                   "/admin.secret"),
      absl::StrCat("--issuer=", kTestIssuer),
      absl::StrCat("--identity_address=", identity_target()),
      absl::StrCat("--keyadmin_address=", keyadmin_target()),
      absl::StrCat("--http_address=127.0.0.1:", http_port_),
      "--activation_delay=0s",
      "--tick_interval=50ms",
  };
  options.args.insert(options.args.end(), extra_args_.begin(),
                      extra_args_.end());
  options.log_path = absl::StrCat(data_dir_, "/identity.log");
  size_t log_offset = 0;
  if (child_ != nullptr) log_offset = child_->ReadLog().size();
  absl::StatusOr<std::unique_ptr<test_process::ChildProcess>> child =
      test_process::ChildProcess::Start(options);
  if (!child.ok()) return child.status();
  child_ = *std::move(child);
  if (!child_->WaitForLogLine("identity.started", absl::Seconds(30),
                              &log_offset)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "meshid-identity did not start; its log:\n", child_->ReadLog()));
  }
  return absl::OkStatus();
}

void IdentityProcess::Kill(int signal) {
  if (child_ == nullptr) return;
  child_->Signal(signal);
  child_->WaitForExit(absl::Seconds(30));
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>>
IdentityProcess::AdminContext() {
  absl::StatusOr<std::string> token =
      Issue("meshid-admin", kTestAdminSecret, "meshid-keyadmin");
  if (!token.ok()) return token.status();
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", *token));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  context->set_wait_for_ready(true);  // across a restart, within the deadline
  return context;
}

absl::StatusOr<std::string> IdentityProcess::Issue(
    const std::string& client_id, const std::string& secret,
    const std::string& audience) {
  identity::v1::IssueTokenRequest request;
  request.set_client_id(client_id);
  request.set_client_secret(secret);
  request.set_audience(audience);
  identity::v1::TokenResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  context.set_wait_for_ready(true);
  const grpc::Status status = identity_->IssueToken(&context, request,
                                                    &response);
  if (!status.ok()) return FromGrpc(status);
  return response.access_token();
}

absl::StatusOr<std::string> IdentityProcess::CreateClient(
    const std::string& client_id, const AudienceScopes& audiences) {
  keyadmin::v1::CreateClientRequest request;
  request.set_client_id(client_id);
  for (const auto& [audience, scopes] : audiences) {
    request.mutable_policy()->add_allowed_audiences(audience);
    auto* entry = request.mutable_policy()->add_audience_scopes();
    entry->set_audience(audience);
    for (const std::string& s : scopes) entry->add_scopes(s);
  }
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      AdminContext();
  if (!context.ok()) return context.status();
  keyadmin::v1::CreateClientResponse response;
  const grpc::Status status =
      keyadmin_->CreateClient(context->get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response.client_secret();
}

}  // namespace meshid::reliability
