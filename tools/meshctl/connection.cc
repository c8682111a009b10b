#include "tools/meshctl/connection.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/meshctl/flag_values.h"

namespace meshid::meshctl {
namespace {

constexpr size_t kMaxPemFileBytes = 1024 * 1024;

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

// A PEM file named by `flag`; errors name the flag and the path, never
// the contents (a key file is a secret).
absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        absl::string_view flag) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot open ", flag, " '", path, "'"));
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (content.str().empty() || content.str().size() > kMaxPemFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", path, "' must hold 1 to ", kMaxPemFileBytes,
                     " bytes of PEM"));
  }
  if (content.str().find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " '", path, "' holds no PEM block"));
  }
  return content.str();
}

// The path a TLS file setting names: the flag (or, for the CA, its older
// alias --ca-file), else the environment variable; nullopt when neither.
absl::StatusOr<std::optional<std::pair<std::string, std::string>>> TlsPath(
    const Flags& flags, const std::string& flag, const char* alias,
    const char* env_var, const GetEnvFn& env) {
  std::optional<std::string> path = flags.Get(flag);
  std::string named = "--" + flag;
  if (alias != nullptr && flags.Has(alias)) {
    if (path.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "give the CA file as --", flag, " or --", alias, ", not both"));
    }
    path = flags.Get(alias);
    named = absl::StrCat("--", alias);
  }
  if (!path.has_value()) {
    path = env(env_var);
    named = env_var;
    if (path.has_value() && path->empty()) path.reset();
  }
  if (!path.has_value()) return std::nullopt;
  return std::make_pair(*std::move(path), std::move(named));
}

absl::Status ResolveTls(const Flags& flags, const GetEnvFn& env,
                        Endpoint* endpoint) {
  ASSIGN_OR_RETURN(auto ca, TlsPath(flags, "tls-ca-file", "ca-file",
                                    "MESHID_TLS_CA_FILE", env));
  ASSIGN_OR_RETURN(auto cert, TlsPath(flags, "tls-client-cert-file", nullptr,
                                      "MESHID_TLS_CLIENT_CERT_FILE", env));
  ASSIGN_OR_RETURN(auto key, TlsPath(flags, "tls-client-key-file", nullptr,
                                     "MESHID_TLS_CLIENT_KEY_FILE", env));
  if (cert.has_value() != key.has_value()) {
    return absl::InvalidArgumentError(
        "--tls-client-cert-file and --tls-client-key-file go together");
  }
  if (ca.has_value()) {
    ASSIGN_OR_RETURN(endpoint->ca_pem, ReadPemFile(ca->first, ca->second));
    endpoint->tls = true;
  }
  if (cert.has_value()) {
    ASSIGN_OR_RETURN(endpoint->client_cert_pem,
                     ReadPemFile(cert->first, cert->second));
    ASSIGN_OR_RETURN(endpoint->client_key_pem,
                     ReadPemFile(key->first, key->second));
    endpoint->tls = true;
  }
  return absl::OkStatus();
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
      options.pem_cert_chain = endpoint.client_cert_pem;
      options.pem_private_key = endpoint.client_key_pem;
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
  std::set<std::string> names = {"addr",
                                 "auth-token",
                                 "timeout",
                                 "ca-file",
                                 "tls-ca-file",
                                 "tls-client-cert-file",
                                 "tls-client-key-file"};
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
  RETURN_IF_ERROR(ResolveTls(flags, env, &settings.endpoint));
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
