#include "tests/reliability/mesh_processes.h"

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "tests/common/server/test_http_client.h"

namespace meshid::reliability {
namespace {

namespace ka = ::meshid::keyadmin::v1;
namespace iv1 = ::meshid::identity::v1;
namespace gw = ::meshid::gateway::v1;
using test_process::ChildProcess;
using test_process::ChildProcessOptions;

constexpr absl::Duration kStartTimeout = absl::Seconds(30);

absl::Status FromGrpc(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

void SetDuration(google::protobuf::Duration* d, absl::Duration value) {
  d->set_seconds(absl::ToInt64Seconds(value));
  d->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(value - absl::Seconds(d->seconds()))));
}

// A channel that reconnects within a fraction of a second: the processes
// behind it are killed and restarted by the tests, and gRPC's default
// backoff (up to 2 min) would outlast them.
std::shared_ptr<grpc::Channel> FastReconnectChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 20);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                   args);
}

std::string Get(int port, const std::string& path) {
  absl::StatusOr<server::TestHttpResponse> response =
      server::HttpGet(port, path);
  if (!response.ok() || response->status != 200) return "";
  return response->body;
}

}  // namespace

std::unique_ptr<grpc::ClientContext> BearerContext(const std::string& token,
                                                   absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  context->set_deadline(std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(timeout));
  return context;
}

double MetricValue(const std::string& page, const std::string& metric) {
  double sum = 0;
  bool found = false;
  for (absl::string_view line : absl::StrSplit(page, '\n')) {
    if (!absl::StartsWith(line, metric)) continue;
    const absl::string_view rest = line.substr(metric.size());
    if (rest.empty() || (rest[0] != ' ' && rest[0] != '{')) continue;
    const size_t space = line.rfind(' ');
    double value = 0;
    if (absl::SimpleAtod(line.substr(space + 1), &value)) {
      sum += value;
      found = true;
    }
  }
  return found ? sum : -1;
}

long RssKib(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "VmRSS:")) {
      long kib = -1;
      std::istringstream(line.substr(6)) >> kib;
      return kib;
    }
  }
  return -1;
}

absl::StatusOr<std::unique_ptr<MeshProcesses>> MeshProcesses::Create() {
  std::unique_ptr<MeshProcesses> mesh(new MeshProcesses());
  absl::StatusOr<std::unique_ptr<test_process::TempDir>> dir =
      test_process::TempDir::Create("meshid-mesh-");
  if (!dir.ok()) return dir.status();
  mesh->dir_ = *std::move(dir);
  absl::StatusOr<std::unique_ptr<IdentityProcess>> identity =
      IdentityProcess::Create(
          absl::StrCat("sqlite://", mesh->dir_->File("meshid.db")),
          mesh->dir_->path());
  if (!identity.ok()) return identity.status();
  mesh->identity_ = *std::move(identity);
  mesh->echo_port_ = FreeLoopbackPort();
  mesh->log_port_ = FreeLoopbackPort();
  mesh->log_http_port_ = FreeLoopbackPort();
  mesh->gateway_port_ = FreeLoopbackPort();
  mesh->gateway_http_port_ = FreeLoopbackPort();
  mesh->secrets_["meshid-admin"] = kTestAdminSecret;
  return mesh;
}

MeshProcesses::~MeshProcesses() {
  // Front to back, so nothing logs a burst of errors about the others.
  gateway_.reset();
  log_.reset();
  echo_.reset();
  identity_.reset();
}

void MeshProcesses::set_identity_args(std::vector<std::string> args) {
  identity_->set_extra_args(std::move(args));
}

absl::Status MeshProcesses::StartAll() {
  return StartAll(BaseGatewayConfig());
}

absl::Status MeshProcesses::StartAll(const gw::GatewayConfig& gateway_config) {
  if (absl::Status s = identity_->Start(); !s.ok()) return s;
  if (absl::Status s = CreateClients(); !s.ok()) return s;
  if (absl::Status s = StartEcho(); !s.ok()) return s;
  if (absl::Status s = StartLog(); !s.ok()) return s;
  return StartGateway(gateway_config);
}

absl::Status MeshProcesses::CreateClients() {
  const std::vector<std::pair<std::string, AudienceScopes>> clients = {
      {kLogName, {{"meshid-keyadmin", {"keys:watch"}}}},
      {kGatewayName,
       {{"meshid-keyadmin", {"keys:watch"}},
        {kEchoAudience, {"echo:internal"}},
        {kLogName, {"logs:write"}}}},
      {kCallerClient,
       {{kGatewayName, {"echo:call"}},
        {kLogName, {"logs:write", "logs:read"}}}},
  };
  for (const auto& [client_id, audiences] : clients) {
    absl::StatusOr<std::string> secret =
        identity_->CreateClient(client_id, audiences);
    if (!secret.ok()) return secret.status();
    secrets_[client_id] = *secret;
  }
  if (absl::Status s = test_process::WritePrivateFile(
          dir_->File("log.secret"), secrets_[kLogName]);
      !s.ok()) {
    return s;
  }
  return test_process::WritePrivateFile(dir_->File("gateway.secret"),
                                        secrets_[kGatewayName]);
}

absl::Status MeshProcesses::StartEcho() {
  ChildProcessOptions options;
  options.binary = MESHID_ECHO_UPSTREAM_BINARY;
  options.args = {absl::StrCat("--address=127.0.0.1:", echo_port_)};
  options.log_path = dir_->File("echo.log");
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  if (!child.ok()) return child.status();
  echo_ = *std::move(child);
  if (!echo_->WaitForLogLine("echo.started", kStartTimeout)) {
    return absl::DeadlineExceededError(
        absl::StrCat("echo upstream did not start:\n", echo_->ReadLog()));
  }
  return absl::OkStatus();
}

absl::Status MeshProcesses::StartLog() {
  ChildProcessOptions options;
  options.binary = MESHID_LOG_BINARY;
  options.log_path = dir_->File("log.log");
  options.args = {
      absl::StrCat("--store=sqlite://", dir_->File("log.db")),
      absl::StrCat("--grpc_address=127.0.0.1:", log_port_),
      absl::StrCat("--http_address=127.0.0.1:", log_http_port_),
      absl::StrCat("--identity_address=", identity_->identity_target()),
      absl::StrCat("--keyadmin_address=", identity_->keyadmin_target()),
      "--client_secret_file=" + dir_->File("log.secret"),
      absl::StrCat("--issuer=", kTestIssuer),
      "--clock_skew=0s",
  };
  options.args.insert(options.args.end(), log_args_.begin(), log_args_.end());
  size_t offset = log_ != nullptr ? log_->ReadLog().size() : 0;
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  if (!child.ok()) return child.status();
  log_ = *std::move(child);
  if (!log_->WaitForLogLine("log.keys_ready", kStartTimeout, &offset)) {
    return absl::DeadlineExceededError(
        absl::StrCat("meshid-log did not start:\n", log_->ReadLog()));
  }
  return absl::OkStatus();
}

void MeshProcesses::KillLog(int signal) {
  if (log_ == nullptr) return;
  log_->Signal(signal);
  log_->WaitForExit(absl::Seconds(30));
}

gw::GatewayConfig MeshProcesses::BaseGatewayConfig() const {
  gw::GatewayConfig config;
  config.set_listen_address(absl::StrCat("127.0.0.1:", gateway_port_));
  config.set_http_listen_address(
      absl::StrCat("127.0.0.1:", gateway_http_port_));
  config.set_name(kGatewayName);
  config.mutable_identity()->set_address(identity_->identity_target());
  config.mutable_identity()->set_keyadmin_address(
      identity_->keyadmin_target());
  config.mutable_validation()->set_issuer(kTestIssuer);
  SetDuration(config.mutable_validation()->mutable_clock_skew(),
              absl::ZeroDuration());
  config.mutable_credentials()->set_client_secret_file(
      dir_->File("gateway.secret"));
  gw::AccessLogConfig* access_log = config.mutable_access_log();
  access_log->set_log_address(absl::StrCat("127.0.0.1:", log_port_));
  access_log->set_batch_size(50);
  SetDuration(access_log->mutable_flush_interval(), absl::Milliseconds(100));
  gw::Upstream* echo = config.add_upstreams();
  echo->set_name("echo");
  echo->set_address(absl::StrCat("127.0.0.1:", echo_port_));
  echo->set_audience(kEchoAudience);
  gw::Route* all = config.add_routes();
  all->set_method_prefix("/meshid.gatewaytest.v1.Echo/");
  all->set_upstream("echo");
  all->add_required_scopes("echo:call");
  config.mutable_limits()->mutable_anomaly()->set_failed_validation_burst(
      1000000);
  // Rate-spike reports are access records too; the tests burst on purpose
  // and count records exactly, so spikes are never reported.
  config.mutable_limits()->mutable_anomaly()->set_rate_spike_min_calls(
      1000000000);
  return config;
}

absl::Status MeshProcesses::StartGateway(const gw::GatewayConfig& config) {
  std::string json;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(config, &json, print)
           .ok()) {
    return absl::InternalError("gateway config to JSON");
  }
  const std::string path =
      dir_->File(absl::StrCat("gateway-", ++gateway_starts_, ".json"));
  if (absl::Status s = test_process::WritePrivateFile(path, json); !s.ok()) {
    return s;
  }
  ChildProcessOptions options;
  options.binary = MESHID_GATEWAY_BINARY;
  options.args = {"--config", path};
  options.args.insert(options.args.end(), gateway_args_.begin(),
                      gateway_args_.end());
  options.log_path = dir_->File("gateway.log");
  size_t offset = gateway_ != nullptr ? gateway_->ReadLog().size() : 0;
  gateway_.reset();
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  if (!child.ok()) return child.status();
  gateway_ = *std::move(child);
  if (!gateway_->WaitForLogLine("\"event\":\"gateway.ready\"", kStartTimeout,
                                &offset)) {
    return absl::DeadlineExceededError(
        absl::StrCat("meshid-gateway did not start:\n", gateway_->ReadLog()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> MeshProcesses::CallerToken(absl::Duration ttl) {
  iv1::IssueTokenRequest request;
  request.set_client_id(kCallerClient);
  request.set_client_secret(secrets_[kCallerClient]);
  request.set_audience(kGatewayName);
  request.add_scopes("echo:call");
  if (ttl > absl::ZeroDuration()) SetDuration(request.mutable_ttl(), ttl);
  iv1::TokenResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  context.set_wait_for_ready(true);
  const grpc::Status status =
      identity_->identity().IssueToken(&context, request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response.access_token();
}

absl::StatusOr<std::string> MeshProcesses::CallerLogToken() {
  return identity_->Issue(kCallerClient, secrets_[kCallerClient], kLogName);
}

absl::StatusOr<std::string> MeshProcesses::RotatePair(
    const std::string& client_id, const std::string& audience,
    absl::Duration activation_delay) {
  ka::RotateKeyRequest request;
  request.mutable_slot()->mutable_pair()->set_client_id(client_id);
  request.mutable_slot()->mutable_pair()->set_audience(audience);
  SetDuration(request.mutable_activation_delay(), activation_delay);
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> context =
      identity_->AdminContext();
  if (!context.ok()) return context.status();
  ka::RotateKeyResponse response;
  const grpc::Status status =
      identity_->keyadmin().RotateKey(context->get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response.new_key().kid();
}

absl::Status MeshProcesses::RevokeToken(const std::string& token) {
  iv1::RevokeTokenRequest request;
  request.set_token(token);
  google::protobuf::Empty response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(10));
  return FromGrpc(
      identity_->identity().RevokeToken(&context, request, &response));
}

std::unique_ptr<gatewaytest::v1::Echo::Stub> MeshProcesses::GatewayEcho()
    const {
  return gatewaytest::v1::Echo::NewStub(
      FastReconnectChannel(absl::StrCat("127.0.0.1:", gateway_port_)));
}

std::unique_ptr<logging::v1::Log::Stub> MeshProcesses::LogStub() const {
  return logging::v1::Log::NewStub(
      FastReconnectChannel(absl::StrCat("127.0.0.1:", log_port_)));
}

std::string MeshProcesses::GatewayMetrics() const {
  return Get(gateway_http_port_, "/metrics");
}

std::string MeshProcesses::LogMetrics() const {
  return Get(log_http_port_, "/metrics");
}

}  // namespace meshid::reliability
