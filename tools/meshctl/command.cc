#include "tools/meshctl/command.h"

#include <ostream>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "tools/meshctl/output.h"

namespace meshid::meshctl {

const char kConnectionFlagsHelp[] =
    "connection flags (every command that calls a server):\n"
    "  --addr HOST:PORT   server address; default $MESHID_IDENTITY_ADDR or\n"
    "                     127.0.0.1:50051 (token issue/introspect/revoke),\n"
    "                     $MESHID_LOG_ADDR or 127.0.0.1:50053 (logs; also\n"
    "                     --log-addr), $MESHID_KEYADMIN_ADDR or "
    "127.0.0.1:50052\n"
    "                     (the rest)\n"
    "  --token T          bearer token (also --auth-token T); default "
    "$MESHID_TOKEN.\n"
    "                     Sent as \"authorization: Bearer ...\", never "
    "printed.\n"
    "                     token introspect/revoke take it only as "
    "--auth-token,\n"
    "                     their --token is the token they work on\n"
    "  --timeout DUR      deadline of the whole command (default 10s; logs "
    "tail:\n"
    "                     none)\n"
    "  --json             one JSON object per result (proto field names)\n"
    "  --tls              use TLS with the system roots\n"
    "  --tls-ca-file F    use TLS, verifying the server with these PEM "
    "roots\n"
    "                     (alias --ca-file; default $MESHID_TLS_CA_FILE)\n"
    "  --tls-client-cert-file F, --tls-client-key-file F\n"
    "                     PEM certificate and key for mutual TLS (default\n"
    "                     $MESHID_TLS_CLIENT_CERT_FILE, "
    "$MESHID_TLS_CLIENT_KEY_FILE)\n";

std::string CommandSpec::UsageLine() const {
  std::string line = absl::StrCat("usage: meshctl ", FullName());
  if (!synopsis.empty()) absl::StrAppend(&line, " ", synopsis);
  if (plane != Plane::kOffline) absl::StrAppend(&line, " [connection flags]");
  return line;
}

CommandSpec MakeSpec(std::string group, std::string name, std::string synopsis,
                     std::string summary, std::set<std::string> value_flags,
                     int (*run)(CommandContext&)) {
  CommandSpec spec;
  spec.group = std::move(group);
  spec.name = std::move(name);
  spec.synopsis = std::move(synopsis);
  spec.summary = std::move(summary);
  spec.value_flags = std::move(value_flags);
  spec.run = run;
  return spec;
}

CommandContext::CommandContext(const CommandSpec& spec, Flags flags,
                               ConnectionSettings settings, CommandIo io,
                               Transport& transport, GetEnvFn env)
    : spec_(spec),
      flags_(std::move(flags)),
      settings_(std::move(settings)),
      io_(io),
      transport_(transport),
      env_(std::move(env)) {}

identity::v1::Identity::StubInterface& CommandContext::identity() {
  if (identity_ == nullptr) {
    identity_ = transport_.NewIdentityStub(settings_.endpoint);
  }
  return *identity_;
}

keyadmin::v1::KeyAdmin::StubInterface& CommandContext::keyadmin() {
  if (keyadmin_ == nullptr) {
    keyadmin_ = transport_.NewKeyAdminStub(settings_.endpoint);
  }
  return *keyadmin_;
}

logging::v1::Log::StubInterface& CommandContext::log() {
  if (log_ == nullptr) log_ = transport_.NewLogStub(settings_.endpoint);
  return *log_;
}

void CommandContext::PrepareStreamContext(grpc::ClientContext* context) const {
  CallOptions options = settings_.call;
  if (!flags_.Has("timeout")) options.deadline = absl::InfiniteFuture();
  PrepareClientContext(options, context);
}

int CommandContext::Usage(absl::string_view message) {
  io_.err << "meshctl: " << spec_.FullName() << ": " << message << "\n"
          << spec_.UsageLine() << "\n";
  return kExitUsage;
}

int CommandContext::RpcFailed(const grpc::Status& status) {
  const absl::Status converted = FromGrpcStatus(status);
  io_.err << "meshctl: " << spec_.FullName() << ": "
          << absl::StatusCodeToString(converted.code());
  if (!status.error_message().empty()) {
    io_.err << ": " << Printable(status.error_message());
  }
  // A server that requires mutual TLS ends the handshake of a client
  // without a certificate; gRPC only says the connection failed.
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE) {
    if (!settings_.endpoint.tls) {
      io_.err << " (plaintext; if the server uses TLS, give --tls-ca-file)";
    } else if (settings_.endpoint.client_cert_pem.empty()) {
      io_.err << " (no client certificate; if the server requires mutual "
                 "TLS, give --tls-client-cert-file and --tls-client-key-file)";
    }
  }
  io_.err << "\n";
  return kExitFailed;
}

int CommandContext::Failed(absl::string_view message) {
  io_.err << "meshctl: " << spec_.FullName() << ": " << message << "\n";
  return kExitFailed;
}

int CommandContext::PrintJsonResult(const google::protobuf::Message& message) {
  absl::Status status = PrintJson(io_.out, message);
  if (!status.ok()) return Failed(status.message());
  return kExitOk;
}

void PrintCommandHelp(const CommandSpec& spec, std::ostream& out) {
  out << spec.UsageLine() << "\n\n" << spec.summary << "\n";
  if (!spec.details.empty()) out << spec.details << "\n";
  if (spec.plane != Plane::kOffline) out << "\n" << kConnectionFlagsHelp;
}

}  // namespace meshid::meshctl
