#include "tests/tls/tls_mesh.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::tlstest {
namespace {

namespace ka = ::meshid::keyadmin::v1;
namespace id = ::meshid::identity::v1;
using test_process::ChildProcess;
using test_process::ChildProcessOptions;
using test_process::JsonLogInt;

constexpr char kAdminSecret[] = "tls-admin-secret-0123456789-abcdefghijkl";
constexpr absl::Duration kStartTimeout = absl::Seconds(30);

absl::Status FromGrpc(const grpc::Status& s) {
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(10));
  return context;
}

// The TLS flags of a meshid server: what it serves with (mutual TLS) and,
// as a client, what it dials with.
std::vector<std::string> ServerTlsFlags(const TlsMesh& mesh,
                                        const std::string& name) {
  return {"--tls_cert_file=" + mesh.Cert(name + ".crt"),
          "--tls_key_file=" + mesh.Cert(name + ".key"),
          "--tls_client_ca_file=" + mesh.Cert("ca.crt"),
          "--tls_ca_file=" + mesh.Cert("ca.crt"),
          "--tls_client_cert_file=" + mesh.Cert(name + ".crt"),
          "--tls_client_key_file=" + mesh.Cert(name + ".key")};
}

absl::StatusOr<std::unique_ptr<ChildProcess>> StartAndWait(
    ChildProcessOptions options, const std::string& started_event,
    std::string* started_line) {
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  if (!child.ok()) return child.status();
  std::optional<std::string> line =
      (*child)->WaitForLogLine(started_event, kStartTimeout);
  if (!line.has_value()) {
    return absl::UnavailableError(absl::StrCat(options.binary, " did not log ",
                                               started_event, ":\n",
                                               (*child)->ReadLog()));
  }
  *started_line = *line;
  return child;
}

}  // namespace

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

absl::Status MakeCertificates(const std::string& dir) {
  const auto [code, output] =
      RunToExit("/bin/bash", {MESHID_CERTS_SCRIPT, dir}, dir + ".out");
  if (code != 0) {
    return absl::InternalError(
        absl::StrCat("certs.sh exited ", code, ": ", output));
  }
  return absl::OkStatus();
}

std::pair<int, std::string> RunToExit(const std::string& binary,
                                      const std::vector<std::string>& args,
                                      const std::string& log_path,
                                      const std::vector<std::string>& env) {
  ChildProcessOptions options;
  options.binary = binary;
  options.args = args;
  options.env = env;
  options.log_path = log_path;
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      ChildProcess::Start(options);
  if (!child.ok()) return {-1, std::string(child.status().message())};
  const int code = (*child)->WaitForExit(absl::Seconds(60)).value_or(-1);
  return {code, (*child)->ReadLog()};
}

absl::StatusOr<std::unique_ptr<TlsMesh>> TlsMesh::Start() {
  std::unique_ptr<TlsMesh> mesh(new TlsMesh());
  absl::StatusOr<std::unique_ptr<test_process::TempDir>> dir =
      test_process::TempDir::Create("meshid-tls");
  if (!dir.ok()) return dir.status();
  mesh->dir_ = *std::move(dir);
  if (absl::Status s = MakeCertificates(mesh->dir_->File("certs")); !s.ok()) {
    return s;
  }
  if (absl::Status s = MakeCertificates(mesh->dir_->File("other")); !s.ok()) {
    return s;
  }
  if (absl::Status s = mesh->StartIdentity(); !s.ok()) return s;
  if (absl::Status s = mesh->CreateClient(
          "logging-service", {{"meshid-keyadmin", {"keys:watch"}}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = mesh->CreateClient(
          kGatewayName, {{"meshid-keyadmin", {"keys:watch"}},
                         {"logging-service", {"logs:write", "logs:read"}}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s =
          mesh->CreateClient(kCallerClient, {{kGatewayName, {"logs:write"}}});
      !s.ok()) {
    return s;
  }
  if (absl::Status s = mesh->StartLog(); !s.ok()) return s;
  if (absl::Status s = mesh->StartGateway(); !s.ok()) return s;
  return mesh;
}

std::string TlsMesh::Cert(const std::string& name) const {
  return dir_->File("certs/" + name);
}

std::string TlsMesh::OtherCert(const std::string& name) const {
  return dir_->File("other/" + name);
}

std::string TlsMesh::AdminSecret() const { return kAdminSecret; }

std::string TlsMesh::Logs() const {
  std::string logs;
  for (const auto* child : {&identity_, &log_, &gateway_}) {
    if (*child != nullptr) absl::StrAppend(&logs, (*child)->ReadLog(), "\n");
  }
  return logs;
}

std::shared_ptr<grpc::Channel> TlsMesh::Channel(const std::string& target,
                                                TlsClient client) const {
  grpc::ChannelArguments args;
  // A connection of its own per channel: a refused handshake of one test
  // client must not be shared with (or hidden by) another's.
  static int next = 0;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("meshid.tlstest.channel", ++next);
  if (client == TlsClient::kPlaintext) {
    return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(),
                                     args);
  }
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFile(Cert("ca.crt"));
  if (client == TlsClient::kAdmin) {
    options.pem_cert_chain = ReadFile(Cert("admin.crt"));
    options.pem_private_key = ReadFile(Cert("admin.key"));
  } else if (client == TlsClient::kOtherCa) {
    options.pem_cert_chain = ReadFile(OtherCert("admin.crt"));
    options.pem_private_key = ReadFile(OtherCert("admin.key"));
  }
  return grpc::CreateCustomChannel(target, grpc::SslCredentials(options), args);
}

absl::StatusOr<std::string> TlsMesh::Issue(
    const std::string& client_id, const std::string& audience,
    const std::vector<std::string>& scopes) {
  id::IssueTokenRequest request;
  request.set_client_id(client_id);
  request.set_client_secret(secrets_[client_id]);
  request.set_audience(audience);
  for (const std::string& s : scopes) request.add_scopes(s);
  id::TokenResponse response;
  auto stub =
      id::Identity::NewStub(Channel(identity_target(), TlsClient::kAdmin));
  const grpc::Status status =
      stub->IssueToken(WithToken("").get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  return response.access_token();
}

absl::Status TlsMesh::StartIdentity() {
  secrets_["meshid-admin"] = kAdminSecret;
  if (absl::Status s = test_process::WritePrivateFile(
          dir_->File("admin.secret"), kAdminSecret);
      !s.ok()) {
    return s;
  }
  log_port_ = test_process::FreeLoopbackPort();
  ChildProcessOptions options;
  options.binary = MESHID_IDENTITY_BINARY;
  options.log_path = dir_->File("identity.log");
  options.args = {
      "--store=sqlite://" + dir_->File("id.db"),
      "--bootstrap_admin_secret_file=" + dir_->File("admin.secret"),
      "--identity_address=127.0.0.1:0",
      "--keyadmin_address=127.0.0.1:0",
      "--http_address=",
      absl::StrCat("--issuer=", kIssuer),
      "--activation_delay=0s",
      "--tick_interval=100ms",
      "--audit_log_address=" + log_target(),
      "--audit_log_retry_max=200ms",
  };
  for (const std::string& flag : ServerTlsFlags(*this, "identity")) {
    options.args.push_back(flag);
  }
  std::string line;
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      StartAndWait(options, "identity.started", &line);
  if (!child.ok()) return child.status();
  identity_ = *std::move(child);
  identity_port_ = JsonLogInt(line, "identity_port").value_or(0);
  keyadmin_port_ = JsonLogInt(line, "keyadmin_port").value_or(0);
  if (line.find("\"grpc_tls\":\"mtls\"") == std::string::npos) {
    return absl::InternalError("identity does not serve mTLS: " + line);
  }
  return absl::OkStatus();
}

absl::Status TlsMesh::CreateClient(
    const std::string& client_id,
    const std::map<std::string, std::set<std::string>>& audiences) {
  absl::StatusOr<std::string> admin =
      Issue("meshid-admin", "meshid-keyadmin", {});
  if (!admin.ok()) return admin.status();
  ka::CreateClientRequest request;
  request.set_client_id(client_id);
  for (const auto& [audience, scopes] : audiences) {
    request.mutable_policy()->add_allowed_audiences(audience);
    ka::AudienceScopes* entry = request.mutable_policy()->add_audience_scopes();
    entry->set_audience(audience);
    for (const std::string& s : scopes) entry->add_scopes(s);
  }
  ka::CreateClientResponse response;
  auto stub =
      ka::KeyAdmin::NewStub(Channel(keyadmin_target(), TlsClient::kAdmin));
  const grpc::Status status =
      stub->CreateClient(WithToken(*admin).get(), request, &response);
  if (!status.ok()) return FromGrpc(status);
  secrets_[client_id] = response.client_secret();
  return absl::OkStatus();
}

absl::Status TlsMesh::StartLog() {
  if (absl::Status s = test_process::WritePrivateFile(
          dir_->File("log.secret"), secrets_["logging-service"]);
      !s.ok()) {
    return s;
  }
  ChildProcessOptions options;
  options.binary = MESHID_LOG_BINARY;
  options.log_path = dir_->File("log.log");
  options.args = {
      "--store=sqlite://" + dir_->File("log.db"),
      "--grpc_address=" + log_target(),
      "--http_address=127.0.0.1:0",
      "--identity_address=" + identity_target(),
      "--keyadmin_address=" + keyadmin_target(),
      "--client_secret_file=" + dir_->File("log.secret"),
      absl::StrCat("--issuer=", kIssuer),
  };
  for (const std::string& flag : ServerTlsFlags(*this, "log")) {
    options.args.push_back(flag);
  }
  std::string line;
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      StartAndWait(options, "log.started", &line);
  if (!child.ok()) return child.status();
  log_ = *std::move(child);
  log_http_port_ = JsonLogInt(line, "http_port").value_or(0);
  // The first key set arrives over the mTLS WatchKeys stream.
  if (!log_->WaitForLogLine("log.keys_ready", kStartTimeout)) {
    return absl::UnavailableError("meshid-log got no keys:\n" + Logs());
  }
  return absl::OkStatus();
}

absl::Status TlsMesh::StartGateway() {
  if (absl::Status s = test_process::WritePrivateFile(
          dir_->File("gateway.secret"), secrets_[kGatewayName]);
      !s.ok()) {
    return s;
  }
  const std::string config = absl::StrCat(
      R"({
  "listen_address": "127.0.0.1:0",
  "http_listen_address": "127.0.0.1:0",
  "name": ")",
      kGatewayName, R"(",
  "identity": {"address": ")",
      identity_target(), R"(", "keyadmin_address": ")", keyadmin_target(),
      R"("},
  "validation": {"issuer": ")",
      kIssuer, R"("},
  "credentials": {"client_secret_file": ")",
      dir_->File("gateway.secret"),
      R"("},
  "access_log": {"log_address": ")",
      log_target(), R"("},
  "upstreams": [{"name": "log", "address": ")",
      log_target(),
      R"(", "audience": "logging-service",
                 "scopes": ["logs:write", "logs:read"]}],
  "routes": [{"method_prefix": "/meshid.logging.v1.Log/", "upstream": "log",
              "required_scopes": ["logs:write"]}],
  "tls": {"cert_file": ")",
      Cert("gateway.crt"), R"(", "key_file": ")", Cert("gateway.key"),
      R"(", "client_ca_file": ")", Cert("ca.crt"),
      R"(", "require_client_cert": true, "upstream_ca_file": ")",
      Cert("ca.crt"), R"(", "client_cert_file": ")", Cert("gateway.crt"),
      R"(", "client_key_file": ")", Cert("gateway.key"), R"("}
})");
  std::ofstream(dir_->File("gateway.json")) << config;
  ChildProcessOptions options;
  options.binary = MESHID_GATEWAY_BINARY;
  options.log_path = dir_->File("gateway.log");
  options.args = {"--config=" + dir_->File("gateway.json")};
  std::string line;
  absl::StatusOr<std::unique_ptr<ChildProcess>> child =
      StartAndWait(options, "gateway.started", &line);
  if (!child.ok()) return child.status();
  gateway_ = *std::move(child);
  gateway_port_ = JsonLogInt(line, "grpc_port").value_or(0);
  gateway_http_port_ = JsonLogInt(line, "http_port").value_or(0);
  // Ready: keys over mTLS WatchKeys and tokens over mTLS IssueToken.
  if (!gateway_->WaitForLogLine("gateway.ready", kStartTimeout)) {
    return absl::UnavailableError("meshid-gateway did not get ready:\n" +
                                  Logs());
  }
  return absl::OkStatus();
}

}  // namespace meshid::tlstest
