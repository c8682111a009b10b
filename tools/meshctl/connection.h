// How meshctl reaches a meshid server: where (address, TLS), as whom (the
// bearer token) and for how long (the deadline), plus the Transport seam that
// turns an address into generated stubs. Commands only ever see
// `StubInterface`s, so tests inject stubs over an in-process channel (or any
// fake) instead of a network.
//
//   ASSIGN_OR_RETURN(ConnectionSettings settings,
//                    ResolveConnection(flags, {Plane::kKeyAdmin, ...}, env));
//   auto stub = transport.NewKeyAdminStub(settings.endpoint);
//   grpc::ClientContext ctx;
//   PrepareClientContext(settings.call, &ctx);
//   stub->GetKey(&ctx, request, &key);
#ifndef MESHID_TOOLS_MESHCTL_CONNECTION_H_
#define MESHID_TOOLS_MESHCTL_CONNECTION_H_

#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "meshid/logging/v1/log.grpc.pb.h"
#include "tools/meshctl/command_line.h"

namespace meshid::meshctl {

// Which server a command talks to.
enum class Plane {
  kOffline,   // no server (token verify/decode)
  kIdentity,  // the token plane, default 127.0.0.1:50051
  kKeyAdmin,  // the admin plane, default 127.0.0.1:50052
  kLog,       // the Log server, default 127.0.0.1:50053
};

inline constexpr char kDefaultIdentityAddr[] = "127.0.0.1:50051";
inline constexpr char kDefaultKeyAdminAddr[] = "127.0.0.1:50052";
inline constexpr char kDefaultLogAddr[] = "127.0.0.1:50053";
inline constexpr absl::Duration kDefaultTimeout = absl::Seconds(10);

// Reads an environment variable; nullopt when unset. Injected so tests never
// touch the process environment.
using GetEnvFn = std::function<std::optional<std::string>(const std::string&)>;
// The process environment (std::getenv).
GetEnvFn ProcessEnvironment();

struct Endpoint {
  std::string address;  // host:port, or any gRPC target URI
  bool tls = false;
  std::string ca_pem;  // TLS roots; empty means the system roots
  // Client certificate chain and key presented for mutual TLS; both empty
  // or both set. The key is never printed.
  std::string client_cert_pem;
  std::string client_key_pem;
};

// What every call of one command carries.
struct CallOptions {
  // Sent as "authorization: Bearer <token>" when not empty. Never printed.
  std::string bearer_token;
  // One absolute deadline for the whole command, so --timeout bounds a
  // paged listing too, not each page.
  absl::Time deadline = absl::InfiniteFuture();
};

struct ConnectionSettings {
  Endpoint endpoint;
  CallOptions call;
};

// How a command takes its bearer token.
enum class BearerFlag {
  // --token T or --auth-token T (or MESHID_TOKEN).
  kTokenOrAuthToken,
  // --auth-token T (or MESHID_TOKEN) only: the command's own --token names
  // the token it works on (token introspect, token revoke).
  kAuthTokenOnly,
};

struct ConnectionRequest {
  Plane plane = Plane::kKeyAdmin;
  BearerFlag bearer_flag = BearerFlag::kTokenOrAuthToken;
};

// The flags every networked command accepts, per BearerFlag (and
// --log-addr for the Log plane).
std::set<std::string> ConnectionValueFlags(BearerFlag bearer_flag,
                                           Plane plane = Plane::kKeyAdmin);
std::set<std::string> ConnectionBoolFlags();

// Resolves --addr (Log commands: or --log-addr; else MESHID_IDENTITY_ADDR /
// MESHID_KEYADMIN_ADDR / MESHID_LOG_ADDR, else the default), the bearer token
// (flag, else MESHID_TOKEN; surrounding whitespace dropped; may end up empty),
// --timeout (default 10s, from `now`), --tls, and the TLS files, each read
// here and each implying --tls: --tls-ca-file (alias --ca-file; else
// MESHID_TLS_CA_FILE), --tls-client-cert-file and --tls-client-key-file
// (else MESHID_TLS_CLIENT_CERT_FILE / MESHID_TLS_CLIENT_KEY_FILE; together
// or not at all). INVALID_ARGUMENT on a bad value, naming the flag and the
// file; messages never contain the token or a file's contents.
absl::StatusOr<ConnectionSettings> ResolveConnection(
    const Flags& flags, const ConnectionRequest& request, const GetEnvFn& env,
    absl::Time now);

// Sets the deadline and, when there is one, the bearer token on `context`.
void PrepareClientContext(const CallOptions& options,
                          grpc::ClientContext* context);

// Makes stubs. Implementations must be usable from one thread; stubs are
// used only while the Transport lives.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual std::unique_ptr<identity::v1::Identity::StubInterface>
  NewIdentityStub(const Endpoint& endpoint) = 0;
  virtual std::unique_ptr<keyadmin::v1::KeyAdmin::StubInterface>
  NewKeyAdminStub(const Endpoint& endpoint) = 0;
  virtual std::unique_ptr<logging::v1::Log::StubInterface> NewLogStub(
      const Endpoint& endpoint) = 0;
};

// Real gRPC channels: insecure, or TLS (mutual TLS with a client
// certificate) when the endpoint says so.
std::unique_ptr<Transport> NewGrpcTransport();

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_CONNECTION_H_
