#include "tests/authz/authz_mesh.h"

#include <signal.h>

#include <chrono>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "meshid/gateway/v1/config.pb.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::authz {
namespace {

namespace ka = ::meshid::keyadmin::v1;
namespace gw = ::meshid::gateway::v1;
using reliability::AudienceScopes;
using reliability::FreeLoopbackPort;
using test_process::ChildProcess;
using test_process::ChildProcessOptions;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

std::shared_ptr<grpc::Channel> Channel(const std::string& target) {
  return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
}

std::unique_ptr<grpc::ClientContext> Bearer(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

// The last `n` bytes of `text`: enough of a log to see why a start failed.
std::string Tail(const std::string& text, size_t n = 4000) {
  return text.size() <= n ? text : text.substr(text.size() - n);
}

}  // namespace

AuthzMesh::~AuthzMesh() {
  // Children first (their destructors SIGKILL and reap), then the files.
  gateway_.reset();
  log_.reset();
  identity_.reset();
  dir_.reset();
}

absl::Status AuthzMesh::Start(
    const std::map<std::string, AudienceScopes>& callers) {
  absl::StatusOr<std::unique_ptr<test_process::TempDir>> dir =
      test_process::TempDir::Create("meshid-authz");
  if (!dir.ok()) return dir.status();
  dir_ = *std::move(dir);
  absl::StatusOr<std::unique_ptr<reliability::IdentityProcess>> identity =
      reliability::IdentityProcess::Create(
          absl::StrCat("sqlite://", dir_->File("identity.db")), dir_->path());
  if (!identity.ok()) return identity.status();
  identity_ = *std::move(identity);
  // No leeway: an expired token is refused as soon as its exp passes.
  identity_->set_extra_args({"--clock_skew=0s"});
  if (absl::Status s = identity_->Start(); !s.ok()) return s;
  identity_ch_ = Channel(identity_->identity_target());
  keyadmin_ch_ = Channel(identity_->keyadmin_target());
  secrets_[kAdminClient] = reliability::kTestAdminSecret;

  if (absl::Status s =
          CreateClient(kLogAudience, {{kKeyAdminAudience, {"keys:watch"}}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = CreateClient(
          kGatewayName, {{kKeyAdminAudience, {"keys:watch"}},
                         {kLogAudience, {"logs:read", "logs:write"}}});
      !s.ok()) {
    return s;
  }
  // Callers before the validators start: their keys are in the first key
  // set the Log server and the gateway receive.
  for (const auto& [client_id, audiences] : callers) {
    if (absl::Status s = CreateClient(client_id, audiences); !s.ok()) return s;
  }
  if (absl::Status s = StartLog(); !s.ok()) return s;
  return StartGateway();
}

absl::Status AuthzMesh::CreateClient(const std::string& client_id,
                                     const AudienceScopes& audiences) {
  absl::StatusOr<std::string> secret =
      identity_->CreateClient(client_id, audiences);
  if (!secret.ok()) return secret.status();
  secrets_[client_id] = *secret;
  return absl::OkStatus();
}

absl::Status AuthzMesh::StartLog() {
  const std::string secret_file = dir_->File("log.secret");
  if (absl::Status s =
          test_process::WritePrivateFile(secret_file, secrets_[kLogAudience]);
      !s.ok()) {
    return s;
  }
  log_port_ = FreeLoopbackPort();
  ChildProcessOptions options;
  options.binary = MESHID_LOG_BINARY;
  options.log_path = dir_->File("log.log");
  options.args = {
      absl::StrCat("--store=sqlite://", dir_->File("log.db")),
      absl::StrCat("--grpc_address=127.0.0.1:", log_port_),
      "--http_address=127.0.0.1:0",
      "--identity_address=" + identity_->identity_target(),
      "--keyadmin_address=" + identity_->keyadmin_target(),
      "--client_secret_file=" + secret_file,
      absl::StrCat("--issuer=", reliability::kTestIssuer),
      "--clock_skew=0s",
  };
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  if (!child.ok()) return child.status();
  log_ = *std::move(child);
  if (!log_->WaitForLogLine("log.keys_ready", kStartTimeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("meshid-log did not get its keys:\n", log_->ReadLog()));
  }
  log_ch_ = Channel(absl::StrCat("127.0.0.1:", log_port_));
  return absl::OkStatus();
}

absl::Status AuthzMesh::StartGateway() {
  const std::string secret_file = dir_->File("gateway.secret");
  if (absl::Status s =
          test_process::WritePrivateFile(secret_file, secrets_[kGatewayName]);
      !s.ok()) {
    return s;
  }
  gateway_port_ = FreeLoopbackPort();
  gw::GatewayConfig config;
  config.set_name(kGatewayName);
  config.set_listen_address(absl::StrCat("127.0.0.1:", gateway_port_));
  config.set_http_listen_address(
      absl::StrCat("127.0.0.1:", FreeLoopbackPort()));
  config.mutable_identity()->set_address(identity_->identity_target());
  config.mutable_identity()->set_keyadmin_address(identity_->keyadmin_target());
  config.mutable_validation()->set_issuer(reliability::kTestIssuer);
  // Set explicitly: unset would mean the 30 s default.
  config.mutable_validation()->mutable_clock_skew()->set_seconds(0);
  config.mutable_credentials()->set_client_secret_file(secret_file);
  gw::Upstream* logs = config.add_upstreams();
  logs->set_name("logs");
  logs->set_address(absl::StrCat("127.0.0.1:", log_port_));
  logs->set_audience(kLogAudience);
  const std::pair<const char*, const char*> routes[] = {
      {"/meshid.logging.v1.Log/Append", "logs:write"},
      {"/meshid.logging.v1.Log/Query", "logs:read"},
      {"/meshid.logging.v1.Log/Tail", "logs:read"},
  };
  for (const auto& [prefix, scope] : routes) {
    gw::Route* route = config.add_routes();
    route->set_method_prefix(prefix);
    route->set_upstream("logs");
    route->add_required_scopes(scope);
  }
  // The matrix sends dozens of bad tokens from one address on purpose: the
  // peer blocker must not turn them into RESOURCE_EXHAUSTED.
  config.mutable_limits()->mutable_anomaly()->set_failed_validation_burst(
      100000);
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(config, &json, print).ok()) {
    return absl::InternalError("gateway config to JSON");
  }
  const std::string config_file = dir_->File("gateway.json");
  if (absl::Status s = test_process::WritePrivateFile(config_file, json);
      !s.ok()) {
    return s;
  }
  ChildProcessOptions options;
  options.binary = MESHID_GATEWAY_BINARY;
  options.log_path = dir_->File("gateway.log");
  options.args = {"--config", config_file};
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  if (!child.ok()) return child.status();
  gateway_ = *std::move(child);
  if (!gateway_->WaitForLogLine("\"event\":\"gateway.ready\"", kStartTimeout)) {
    return absl::DeadlineExceededError(absl::StrCat(
        "meshid-gateway did not become ready:\n", gateway_->ReadLog()));
  }
  gateway_ch_ = Channel(absl::StrCat("127.0.0.1:", gateway_port_));
  return absl::OkStatus();
}

absl::StatusOr<std::string> AuthzMesh::Issue(
    const std::string& client_id, const std::string& audience,
    const std::vector<std::string>& scopes, int ttl_seconds) {
  identity::v1::IssueTokenRequest request;
  request.set_client_id(client_id);
  request.set_client_secret(secrets_[client_id]);
  request.set_audience(audience);
  for (const std::string& scope : scopes) request.add_scopes(scope);
  if (ttl_seconds > 0) request.mutable_ttl()->set_seconds(ttl_seconds);
  identity::v1::TokenResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  const grpc::Status status =
      identity_->identity().IssueToken(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(FromGrpc(status).code(),
                        absl::StrCat("IssueToken ", client_id, " for ",
                                     audience, ": ", status.error_message()));
  }
  return response.access_token();
}

absl::StatusOr<std::vector<HeldKey>> AuthzMesh::HeldKeys(
    const std::string& watcher) {
  absl::StatusOr<std::string> token =
      Issue(watcher, kKeyAdminAudience, {"keys:watch"});
  if (!token.ok()) return token.status();
  std::unique_ptr<grpc::ClientContext> context = Bearer(*token);
  std::unique_ptr<grpc::ClientReader<ka::WatchKeysResponse>> stream =
      identity_->keyadmin().WatchKeys(context.get(), ka::WatchKeysRequest());
  ka::WatchKeysResponse first;
  const bool read = stream->Read(&first);
  context->TryCancel();
  const grpc::Status finished = stream->Finish();
  if (!read || !first.has_snapshot()) {
    return absl::InternalError(
        absl::StrCat("WatchKeys as ", watcher,
                     " sent no snapshot: ", finished.error_message()));
  }
  std::vector<HeldKey> keys;
  for (const ka::KeyMaterial& key : first.snapshot().keys()) {
    if (key.material_case() != ka::KeyMaterial::kHs256Secret) continue;
    keys.push_back(
        {key.kid(), key.client_id(), key.audience(), key.hs256_secret()});
  }
  return keys;
}

absl::Status AuthzMesh::Transition(const std::string& principal_id, int event) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      identity_->AdminContext();
  if (!context.ok()) return context.status();
  ka::TransitionPrincipalRequest request;
  request.set_principal_id(principal_id);
  request.set_event(static_cast<ka::PrincipalEvent>(event));
  request.set_reason("authorization matrix");
  ka::Principal response;
  return FromGrpc(identity_->keyadmin().TransitionPrincipal(
      context->get(), request, &response));
}

absl::Status AuthzMesh::AllowLoginAudience(const std::string& audience) {
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      identity_->AdminContext();
  if (!context.ok()) return context.status();
  ka::UpdateClientPolicyRequest request;
  request.set_client_id("meshid-login");
  request.mutable_policy()->add_allowed_audiences(audience);
  ka::Client response;
  return FromGrpc(identity_->keyadmin().UpdateClientPolicy(context->get(),
                                                           request, &response));
}

std::string AuthzMesh::Logs() const {
  std::string out;
  if (identity_ != nullptr && identity_->process() != nullptr) {
    absl::StrAppend(&out, "--- meshid-identity\n",
                    Tail(identity_->process()->ReadLog()));
  }
  if (log_ != nullptr) {
    absl::StrAppend(&out, "--- meshid-log\n", Tail(log_->ReadLog()));
  }
  if (gateway_ != nullptr) {
    absl::StrAppend(&out, "--- meshid-gateway\n", Tail(gateway_->ReadLog()));
  }
  return out;
}

}  // namespace meshid::authz
