#include "tests/gateway/testing/gateway_env.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace meshid::gatewaytest {
namespace {

namespace ka = ::meshid::keyadmin::v1;
namespace id = ::meshid::identity::v1;
namespace gw = ::meshid::gateway::v1;

constexpr absl::Duration kStartTimeout = absl::Seconds(60);

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void SetDuration(google::protobuf::Duration* d, absl::Duration value) {
  d->set_seconds(absl::ToInt64Seconds(value));
  d->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(value - absl::Seconds(d->seconds()))));
}

}  // namespace

// A command prefix from the environment (for profiling), split at spaces.
std::vector<std::string> WrapperArgs(const char* variable) {
  std::vector<std::string> args;
  if (const char* wrapper = std::getenv(variable)) {
    for (absl::string_view part :
         absl::StrSplit(wrapper, ' ', absl::SkipEmpty())) {
      args.emplace_back(part);
    }
  }
  return args;
}

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

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(20));
  return context;
}

grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method, const std::string& request,
                         const std::string& token, std::string* response) {
  grpc::GenericStub stub(channel);
  std::unique_ptr<grpc::ClientContext> context = WithToken(token);
  grpc::Slice slice(request);
  grpc::ByteBuffer request_buffer(&slice, 1);
  grpc::ByteBuffer response_buffer;
  absl::Notification done;
  grpc::Status result;
  stub.UnaryCall(context.get(), method, grpc::StubOptions(), &request_buffer,
                 &response_buffer, [&](grpc::Status status) {
                   result = std::move(status);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (result.ok() && response != nullptr) {
    std::vector<grpc::Slice> slices;
    (void)response_buffer.Dump(&slices);
    response->clear();
    for (const grpc::Slice& s : slices) {
      response->append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return result;
}

namespace {

// One request, half-close, read everything: enough for reflection.
class OneShotStream final
    : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  OneShotStream(grpc::GenericStub* stub, const std::string& method,
                const std::string& request) {
    grpc::Slice slice(request);
    request_ = grpc::ByteBuffer(&slice, 1);
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(20));
    stub->PrepareBidiStreamingCall(&context_, method, grpc::StubOptions(),
                                   this);
    StartWriteLast(&request_, grpc::WriteOptions());
    StartRead(&response_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (!ok) return;
    std::vector<grpc::Slice> slices;
    (void)response_.Dump(&slices);
    for (const grpc::Slice& s : slices) {
      responses_.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
    StartRead(&response_);
  }
  void OnDone(const grpc::Status& status) override {
    status_ = status;
    done_.Notify();
  }
  grpc::Status Wait(std::string* responses) {
    done_.WaitForNotification();
    *responses = responses_;
    return status_;
  }

 private:
  grpc::ClientContext context_;
  grpc::ByteBuffer request_;
  grpc::ByteBuffer response_;
  std::string responses_;
  grpc::Status status_;
  absl::Notification done_;
};

}  // namespace

grpc::Status CallGenericStream(const std::shared_ptr<grpc::Channel>& channel,
                               const std::string& method,
                               const std::string& request,
                               std::string* responses) {
  grpc::GenericStub stub(channel);
  OneShotStream stream(&stub, method, request);
  return stream.Wait(responses);
}

std::string JwtPayload(absl::string_view token) {
  const std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  std::string payload;
  if (parts.size() == 3) absl::WebSafeBase64Unescape(parts[1], &payload);
  return payload;
}

// --- GatewayProcess ----------------------------------------------------

std::string GatewayProcess::address() const {
  return absl::StrCat("127.0.0.1:", port);
}

std::shared_ptr<grpc::Channel> GatewayProcess::NewChannel() const {
  static std::atomic<int> next{0};
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("meshid.test.channel", next.fetch_add(1));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  return grpc::CreateCustomChannel(address(),
                                   grpc::InsecureChannelCredentials(), args);
}

std::string GatewayProcess::Stderr() const {
  return ReadWholeFile(stderr_path);
}

std::optional<int> GatewayProcess::Stop(absl::Duration timeout) {
  process->Signal(SIGTERM);
  return process->WaitForExit(timeout);
}

bool GatewayProcess::WaitForStderr(absl::string_view needle,
                                   absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (absl::StrContains(Stderr(), needle)) return true;
    if (absl::Now() >= deadline || !process->Running()) return false;
    // A file written by another process: polled, under the deadline.
    absl::SleepFor(absl::Milliseconds(10));
  }
}

// --- GatewayEnv --------------------------------------------------------

GatewayEnv::GatewayEnv() = default;

GatewayEnv::~GatewayEnv() {
  identity_.reset();
  echo_.reset();
  if (!dir_.empty() && std::getenv("MESHID_KEEP_TEST_DIR") == nullptr) {
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
}

std::string GatewayEnv::WriteFile(const std::string& name,
                                  const std::string& content, int mode) {
  const std::string path = absl::StrCat(dir_, "/", name);
  {
    std::ofstream out(path, std::ios::trunc);
    out << content;
  }
  chmod(path.c_str(), mode);
  return path;
}

absl::Status GatewayEnv::Start() {
  char pattern[] = "/tmp/meshid-gw-XXXXXX";
  if (mkdtemp(pattern) == nullptr) return absl::InternalError("mkdtemp");
  dir_ = pattern;
  identity_port_ = FreePort();
  keyadmin_port_ = FreePort();
  echo_port_ = FreePort();
  if (absl::Status s = log_.Start(); !s.ok()) return s;

  std::vector<std::string> echo_argv = WrapperArgs("MESHID_ECHO_WRAPPER");
  echo_argv.insert(echo_argv.end(),
                   {MESHID_ECHO_UPSTREAM_BINARY,
                    absl::StrCat("--address=127.0.0.1:", echo_port_)});
  absl::StatusOr<std::unique_ptr<ChildProcess>> echo = ChildProcess::Spawn(
      {echo_argv, "/dev/null", absl::StrCat(dir_, "/echo.err")});
  if (!echo.ok()) return echo.status();
  echo_ = *std::move(echo);

  if (absl::Status s = StartIdentity(); !s.ok()) return s;

  // The gateway's own client: keys for its name, tokens for the echo
  // upstream and the Log server.
  absl::StatusOr<std::string> gateway_secret =
      CreateClient(kGatewayName, {{"meshid-keyadmin", {"keys:watch"}},
                                  {kEchoAudience, {"echo:internal"}},
                                  {"logging-service", {"logs:write"}}});
  if (!gateway_secret.ok()) return gateway_secret.status();
  gateway_secret_file_ =
      WriteFile("gateway.secret", *gateway_secret + "\n", 0600);

  // The echo upstream answers once it listens.
  auto stub = DirectEcho();
  const absl::Time deadline = absl::Now() + kStartTimeout;
  for (;;) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::milliseconds(500));
    v1::StatsResponse stats;
    if (stub->Stats(&context, v1::StatsRequest(), &stats).ok()) break;
    if (absl::Now() >= deadline || !echo_->Running()) {
      return absl::UnavailableError(
          absl::StrCat("echo upstream did not start: ",
                       ReadWholeFile(absl::StrCat(dir_, "/echo.err"))));
    }
  }
  return absl::OkStatus();
}

absl::Status GatewayEnv::StartIdentity() {
  const std::string admin_secret_file =
      WriteFile("admin.secret", kAdminSecret, 0600);
  absl::StatusOr<std::unique_ptr<ChildProcess>> identity = ChildProcess::Spawn(
      {{MESHID_IDENTITY_BINARY,
        absl::StrCat("--store=sqlite://", dir_, "/meshid.db"),
        absl::StrCat("--bootstrap_admin_secret_file=", admin_secret_file),
        absl::StrCat("--issuer=", kIssuer),
        absl::StrCat("--identity_address=127.0.0.1:", identity_port_),
        absl::StrCat("--keyadmin_address=127.0.0.1:", keyadmin_port_),
        "--http_address=", "--activation_delay=0s", "--tick_interval=100ms",
        "--log_level=warning"},
       "/dev/null",
       absl::StrCat(dir_, "/identity.err")});
  if (!identity.ok()) return identity.status();
  identity_ = *std::move(identity);
  identity_stub_ = id::Identity::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", identity_port_),
                          grpc::InsecureChannelCredentials()));
  keyadmin_stub_ = ka::KeyAdmin::NewStub(
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", keyadmin_port_),
                          grpc::InsecureChannelCredentials()));
  const absl::Time deadline = absl::Now() + kStartTimeout;
  for (;;) {
    absl::StatusOr<std::string> token =
        Issue("meshid-admin", kAdminSecret, "meshid-keyadmin");
    if (token.ok()) return absl::OkStatus();
    if (absl::Now() >= deadline || !identity_->Running()) {
      return absl::UnavailableError(absl::StrCat(
          "meshid-identity did not start: ", token.status().message(), "\n",
          ReadWholeFile(absl::StrCat(dir_, "/identity.err"))));
    }
  }
}

void GatewayEnv::KillIdentity() {
  if (identity_ == nullptr) return;
  identity_->Signal(SIGKILL);
  identity_->WaitForExit(absl::Seconds(10));
  identity_.reset();
}

std::string GatewayEnv::AdminToken() {
  return Issue("meshid-admin", kAdminSecret, "meshid-keyadmin").value_or("");
}

absl::StatusOr<std::string> GatewayEnv::Issue(
    const std::string& client_id, const std::string& secret,
    const std::string& audience, const std::vector<std::string>& scopes,
    absl::Duration ttl) {
  id::IssueTokenRequest request;
  request.set_client_id(client_id);
  request.set_client_secret(secret);
  request.set_audience(audience);
  for (const std::string& s : scopes) request.add_scopes(s);
  if (ttl > absl::ZeroDuration()) SetDuration(request.mutable_ttl(), ttl);
  id::TokenResponse response;
  grpc::ClientContext context;
  context.set_wait_for_ready(true);
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  const grpc::Status status =
      identity_stub_->IssueToken(&context, request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response.access_token();
}

absl::StatusOr<std::string> GatewayEnv::CreateClient(
    const std::string& client_id,
    const std::map<std::string, std::vector<std::string>>& audiences,
    ka::KeyAlgorithm signing_alg) {
  ka::CreateClientRequest request;
  request.set_client_id(client_id);
  request.mutable_policy()->set_signing_alg(signing_alg);
  for (const auto& [audience, scopes] : audiences) {
    request.mutable_policy()->add_allowed_audiences(audience);
    auto* entry = request.mutable_policy()->add_audience_scopes();
    entry->set_audience(audience);
    for (const std::string& s : scopes) entry->add_scopes(s);
  }
  ka::CreateClientResponse response;
  const grpc::Status status = keyadmin_stub_->CreateClient(
      WithToken(AdminToken()).get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response.client_secret();
}

absl::Status GatewayEnv::GrantRoles(const std::string& principal_id,
                                    const std::vector<std::string>& roles) {
  ka::UpdatePrincipalRolesRequest request;
  request.set_principal_id(principal_id);
  for (const std::string& role : roles) request.add_granted_roles(role);
  ka::Principal response;
  return FromGrpc(keyadmin_stub_->UpdatePrincipalRoles(
      WithToken(AdminToken()).get(), request, &response));
}

absl::StatusOr<std::string> GatewayEnv::CallerToken(
    const std::string& client_id, const std::vector<std::string>& scopes,
    const std::vector<std::string>& roles) {
  absl::StatusOr<std::string> secret =
      CreateClient(client_id, {{kGatewayName, scopes}});
  if (!secret.ok()) return secret.status();
  if (!roles.empty()) {
    if (absl::Status s = GrantRoles(client_id, roles); !s.ok()) return s;
  }
  return Issue(client_id, *secret, kGatewayName);
}

std::string GatewayEnv::echo_address() const {
  return absl::StrCat("127.0.0.1:", echo_port_);
}

std::unique_ptr<v1::Echo::Stub> GatewayEnv::DirectEcho() const {
  return v1::Echo::NewStub(
      grpc::CreateChannel(echo_address(), grpc::InsecureChannelCredentials()));
}

gw::GatewayConfig GatewayEnv::BaseConfig() {
  gw::GatewayConfig config;
  config.set_listen_address(absl::StrCat("127.0.0.1:", FreePort()));
  config.set_http_listen_address(absl::StrCat("127.0.0.1:", FreePort()));
  config.set_name(kGatewayName);
  config.mutable_identity()->set_address(
      absl::StrCat("127.0.0.1:", identity_port_));
  config.mutable_identity()->set_keyadmin_address(
      absl::StrCat("127.0.0.1:", keyadmin_port_));
  config.mutable_validation()->set_issuer(kIssuer);
  config.mutable_credentials()->set_client_secret_file(gateway_secret_file_);
  gw::AccessLogConfig* access_log = config.mutable_access_log();
  access_log->set_log_address(log_.address());
  access_log->set_batch_size(50);
  SetDuration(access_log->mutable_flush_interval(), absl::Milliseconds(100));
  gw::Upstream* echo = config.add_upstreams();
  echo->set_name("echo");
  echo->set_address(echo_address());
  echo->set_audience(kEchoAudience);
  gw::Route* all = config.add_routes();
  all->set_method_prefix(kEchoPrefix);
  all->set_upstream("echo");
  all->add_required_scopes("echo:call");
  gw::Route* privileged = config.add_routes();
  privileged->set_method_prefix(absl::StrCat(kEchoPrefix, "Privileged"));
  privileged->set_upstream("echo");
  privileged->add_required_scopes("echo:call");
  privileged->add_required_roles("echo-admin");
  config.mutable_limits()->mutable_anomaly()->set_failed_validation_burst(1000);
  return config;
}

absl::StatusOr<std::unique_ptr<GatewayProcess>> GatewayEnv::StartGateway(
    const gw::GatewayConfig& config,
    const std::vector<std::string>& extra_flags) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(config, &json, options)
           .ok()) {
    return absl::InternalError("config to JSON");
  }
  const int n = ++files_;
  auto gateway = std::make_unique<GatewayProcess>();
  gateway->config_path = WriteFile(absl::StrCat("gateway-", n, ".json"), json);
  gateway->stderr_path = absl::StrCat(dir_, "/gateway-", n, ".err");
  const std::string& listen = config.listen_address();
  const std::string& http = config.http_listen_address();
  gateway->port = std::stoi(listen.substr(listen.rfind(':') + 1));
  gateway->http_port = std::stoi(http.substr(http.rfind(':') + 1));
  std::vector<std::string> argv = WrapperArgs("MESHID_GATEWAY_WRAPPER");
  argv.insert(argv.end(),
              {MESHID_GATEWAY_BINARY, "--config", gateway->config_path});
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Spawn({argv, "/dev/null", gateway->stderr_path});
  if (!process.ok()) return process.status();
  gateway->process = *std::move(process);
  if (!gateway->WaitForStderr("\"event\":\"gateway.ready\"", kStartTimeout)) {
    return absl::UnavailableError(absl::StrCat(
        "meshid-gateway did not become ready:\n", gateway->Stderr()));
  }
  return gateway;
}

std::pair<int, std::string> GatewayEnv::RunGatewayToExit(
    const std::string& config_json,
    const std::vector<std::string>& extra_flags) {
  const int n = ++files_;
  const std::string config_path =
      WriteFile(absl::StrCat("bad-", n, ".json"), config_json);
  const std::string stderr_path = absl::StrCat(dir_, "/bad-", n, ".err");
  std::vector<std::string> argv = {MESHID_GATEWAY_BINARY, "--config",
                                   config_path};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Spawn({argv, "/dev/null", stderr_path});
  if (!process.ok()) return {-1, std::string(process.status().message())};
  const std::optional<int> code = (*process)->WaitForExit(kStartTimeout);
  return {code.value_or(-1), ReadWholeFile(stderr_path)};
}

}  // namespace meshid::gatewaytest
