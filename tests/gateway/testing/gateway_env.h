// GatewayEnv: the world a gateway integration test runs in, all real
// processes on loopback in a temp dir:
//   - meshid-identity (the real binary, SQLite, free ports), with the
//     bootstrap admin and the gateway's own client (careergpt-backend)
//     allowed keys:watch, the echo upstream's audience and logs:write;
//   - gateway_echo_upstream, the test upstream (echo.proto);
//   - a FakeLogServer in this process, recording Log.Append;
//   - meshid-gateway processes, started per test with a config built from
//     BaseConfig().
//
//   GatewayEnv env;
//   ASSERT_TRUE(env.Start().ok());
//   std::string secret = *env.CreateClient("caller", {{kGatewayName,
//                                                      {"echo:call"}}});
//   auto gateway = *env.StartGateway(env.BaseConfig());
//   auto echo = v1::Echo::NewStub(gateway->NewChannel());
//
// Waits are on conditions with deadlines (health, log lines, exits), never
// fixed sleeps.
#ifndef MESHID_TESTS_GATEWAY_TESTING_GATEWAY_ENV_H_
#define MESHID_TESTS_GATEWAY_TESTING_GATEWAY_ENV_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "meshid/gateway/v1/config.pb.h"
#include "meshid/gatewaytest/v1/echo.grpc.pb.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "tests/gateway/testing/child_process.h"
#include "tests/gateway/testing/fake_log_service.h"

namespace meshid::gatewaytest {

inline constexpr char kIssuer[] = "https://meshid.gateway.test";
inline constexpr char kAdminSecret[] =
    "gateway-test-admin-secret-0123456789abcdef";
inline constexpr char kGatewayName[] = "careergpt-backend";
inline constexpr char kEchoAudience[] = "echo-service";
inline constexpr char kEchoPrefix[] = "/meshid.gatewaytest.v1.Echo/";

// A loopback port that was free a moment ago.
int FreePort();

// A ClientContext with "authorization: Bearer <token>" (none when empty)
// and a 20 s deadline.
std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token);

// A unary call of `method` with raw request bytes through the generic
// API; the status, and the response bytes in *response.
grpc::Status CallGeneric(const std::shared_ptr<grpc::Channel>& channel,
                         const std::string& method, const std::string& request,
                         const std::string& token, std::string* response);

// A streaming call of `method`: one raw request message, half-close, and
// every response message appended to *responses.
grpc::Status CallGenericStream(const std::shared_ptr<grpc::Channel>& channel,
                               const std::string& method,
                               const std::string& request,
                               std::string* responses);

// The JSON payload of a JWT (no verification: tests look at claims).
std::string JwtPayload(absl::string_view token);

// One meshid-gateway process.
class GatewayProcess {
 public:
  int port = 0;
  int http_port = 0;
  std::string config_path;
  std::string stderr_path;
  std::unique_ptr<ChildProcess> process;

  std::string address() const;
  // A channel with a connection of its own.
  std::shared_ptr<grpc::Channel> NewChannel() const;
  std::string Stderr() const;
  // SIGTERM, then waits for the exit (drain); the exit code.
  std::optional<int> Stop(absl::Duration timeout = absl::Seconds(30));
  // Waits until stderr contains `needle` (or the process exits).
  bool WaitForStderr(absl::string_view needle, absl::Duration timeout) const;
};

class GatewayEnv {
 public:
  GatewayEnv();
  ~GatewayEnv();

  // Temp dir, identity, echo upstream, fake Log server, the gateway client.
  absl::Status Start();
  const std::string& dir() const { return dir_; }
  FakeLogServer& log() { return log_; }

  // --- identity
  // Starts meshid-identity (again, on the same ports and data after Kill).
  absl::Status StartIdentity();
  void KillIdentity();
  // Creates a client allowed `audiences` (audience -> scopes); its secret.
  absl::StatusOr<std::string> CreateClient(
      const std::string& client_id,
      const std::map<std::string, std::vector<std::string>>& audiences,
      keyadmin::v1::KeyAlgorithm signing_alg =
          keyadmin::v1::KEY_ALGORITHM_UNSPECIFIED);
  absl::Status GrantRoles(const std::string& principal_id,
                          const std::vector<std::string>& roles);
  absl::StatusOr<std::string> Issue(const std::string& client_id,
                                    const std::string& secret,
                                    const std::string& audience,
                                    const std::vector<std::string>& scopes = {},
                                    absl::Duration ttl = absl::ZeroDuration());
  // A client named `client_id` allowed the gateway's audience with
  // `scopes`, holding `roles`, and a token of it for the gateway.
  absl::StatusOr<std::string> CallerToken(
      const std::string& client_id, const std::vector<std::string>& scopes,
      const std::vector<std::string>& roles = {});

  // --- upstream
  std::string echo_address() const;
  std::unique_ptr<v1::Echo::Stub> DirectEcho() const;

  // --- gateway
  // A valid config for this env: loopback ports, the echo upstream, routes
  //   /meshid.gatewaytest.v1.Echo/            scope echo:call
  //   /meshid.gatewaytest.v1.Echo/Privileged  scope echo:call, role
  //                                           echo-admin
  // access log to the fake Log server (batches of 50, every 100 ms), and a
  // failed-validation burst of 1000 (tests of blocking set their own).
  gateway::v1::GatewayConfig BaseConfig();
  // Starts a gateway and waits until it is ready ("gateway.ready").
  // MESHID_GATEWAY_WRAPPER (MESHID_ECHO_WRAPPER for the upstream), when
  // set, is a command prefix for profiling ("valgrind --tool=callgrind"),
  // split at spaces.
  absl::StatusOr<std::unique_ptr<GatewayProcess>> StartGateway(
      const gateway::v1::GatewayConfig& config,
      const std::vector<std::string>& extra_flags = {});
  // Runs meshid-gateway on `config_json` (written to a file) until it exits;
  // returns its exit code and stderr.
  std::pair<int, std::string> RunGatewayToExit(
      const std::string& config_json,
      const std::vector<std::string>& extra_flags = {});

  // Writes `content` to <dir>/<name> with `mode`; returns the path.
  std::string WriteFile(const std::string& name, const std::string& content,
                        int mode = 0600);

 private:
  std::string AdminToken();

  std::string dir_;
  int identity_port_ = 0;
  int keyadmin_port_ = 0;
  int echo_port_ = 0;
  int files_ = 0;
  std::unique_ptr<ChildProcess> identity_;
  std::unique_ptr<ChildProcess> echo_;
  FakeLogServer log_;
  std::unique_ptr<identity::v1::Identity::Stub> identity_stub_;
  std::unique_ptr<keyadmin::v1::KeyAdmin::Stub> keyadmin_stub_;
  std::string gateway_secret_file_;
};

}  // namespace meshid::gatewaytest

#endif  // MESHID_TESTS_GATEWAY_TESTING_GATEWAY_ENV_H_
