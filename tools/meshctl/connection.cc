#include "tools/meshctl/connection.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/meshctl/flag_values.h"

namespace meshid::meshctl {
namespace {

constexpr size_t kMaxCaFileBytes = 1024 * 1024;

// A bearer token goes into an HTTP/2 header value; a JWT is printable ASCII
// without spaces. Checking here gives a clear error instead of a failed call,
// and the message never quotes the token.
absl::Status CheckBearerToken(absl::string_view token) {
  for (const char c : token) {
    if (c < 0x21 || c > 0x7e) {
      return absl::InvalidArgumentError(
          "the bearer token contains characters not allowed in a header "
          "(a JWT is printable ASCII without spaces)");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> BearerToken(const Flags& flags,
                                        BearerFlag bearer_flag,
                                        const GetEnvFn& env) {
  std::optional<std::string> token = flags.Get("auth-token");
  if (bearer_flag == BearerFlag::kTokenOrAuthToken && flags.Has("token")) {
    if (token.has_value()) {
      return absl::InvalidArgumentError(
          "give the bearer token as --token or --auth-token, not both");
    }
    token = flags.Get("token");
  }
  if (!token.has_value()) token = env("MESHID_TOKEN");
  std::string value(absl::StripAsciiWhitespace(token.value_or("")));
  RETURN_IF_ERROR(CheckBearerToken(value));
  return value;
}

absl::StatusOr<std::string> ReadCaFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open --ca-file '", path, "'"));
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (content.str().empty() || content.str().size() > kMaxCaFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("--ca-file '", path, "' must hold 1 to ", kMaxCaFileBytes,
                     " bytes of PEM"));
  }
  return content.str();
}

class GrpcTransport final : public Transport {
 public:
  std::unique_ptr<identity::v1::Identity::StubInterface> NewIdentityStub(
      const Endpoint& endpoint) override {
    return identity::v1::Identity::NewStub(Channel(endpoint));
  }
  std::unique_ptr<keyadmin::v1::KeyAdmin::StubInterface> NewKeyAdminStub(
      const Endpoint& endpoint) override {
    return keyadmin::v1::KeyAdmin::NewStub(Channel(endpoint));
  }
  std::unique_ptr<logging::v1::Log::StubInterface> NewLogStub(
      const Endpoint& endpoint) override {
    return logging::v1::Log::NewStub(Channel(endpoint));
  }

 private:
  static std::shared_ptr<grpc::Channel> Channel(const Endpoint& endpoint) {
    std::shared_ptr<grpc::ChannelCredentials> credentials;
    if (endpoint.tls) {
      grpc::SslCredentialsOptions options;
      options.pem_root_certs = endpoint.ca_pem;
      credentials = grpc::SslCredentials(options);
    } else {
      credentials = grpc::InsecureChannelCredentials();
    }
    return grpc::CreateChannel(endpoint.address, credentials);
  }
};

}  // namespace

GetEnvFn ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

std::set<std::string> ConnectionValueFlags(BearerFlag bearer_flag,
                                           Plane plane) {
  std::set<std::string> names = {"addr", "auth-token", "timeout", "ca-file"};
  if (bearer_flag == BearerFlag::kTokenOrAuthToken) names.insert("token");
  if (plane == Plane::kLog) names.insert("log-addr");
  return names;
}

std::set<std::string> ConnectionBoolFlags() { return {"json", "tls"}; }

absl::StatusOr<ConnectionSettings> ResolveConnection(
    const Flags& flags, const ConnectionRequest& request, const GetEnvFn& env,
    absl::Time now) {
  ConnectionSettings settings;
  const char* env_var = "MESHID_KEYADMIN_ADDR";
  const char* default_addr = kDefaultKeyAdminAddr;
  if (request.plane == Plane::kIdentity) {
    env_var = "MESHID_IDENTITY_ADDR";
    default_addr = kDefaultIdentityAddr;
  } else if (request.plane == Plane::kLog) {
    env_var = "MESHID_LOG_ADDR";
    default_addr = kDefaultLogAddr;
  }
  std::optional<std::string> addr = flags.Get("addr");
  if (std::optional<std::string> log_addr = flags.Get("log-addr")) {
    if (addr.has_value()) {
      return absl::InvalidArgumentError(
          "give the Log server as --addr or --log-addr, not both");
    }
    addr = std::move(log_addr);
  }
  if (!addr.has_value()) addr = env(env_var);
  settings.endpoint.address = addr.value_or(default_addr);
  if (settings.endpoint.address.empty()) {
    return absl::InvalidArgumentError("the server address is empty");
  }
  if (std::optional<std::string> ca_file = flags.Get("ca-file")) {
    ASSIGN_OR_RETURN(settings.endpoint.ca_pem, ReadCaFile(*ca_file));
    settings.endpoint.tls = true;
  }
  if (flags.Has("tls")) settings.endpoint.tls = true;

  ASSIGN_OR_RETURN(settings.call.bearer_token,
                   BearerToken(flags, request.bearer_flag, env));
  ASSIGN_OR_RETURN(std::optional<absl::Duration> timeout,
                   DurationFlag(flags, "timeout"));
  if (timeout.has_value() && *timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout must be greater than 0");
  }
  settings.call.deadline = now + timeout.value_or(kDefaultTimeout);
  return settings;
}

void PrepareClientContext(const CallOptions& options,
                          grpc::ClientContext* context) {
  if (options.deadline != absl::InfiniteFuture()) {
    context->set_deadline(absl::ToChronoTime(options.deadline));
  }
  if (!options.bearer_token.empty()) {
    context->AddMetadata("authorization",
                         absl::StrCat("Bearer ", options.bearer_token));
  }
}

std::unique_ptr<Transport> NewGrpcTransport() {
  return std::make_unique<GrpcTransport>();
}

}  // namespace meshid::meshctl
