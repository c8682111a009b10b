// MeshProcesses: the whole mesh as real processes for the fault, soak and
// hygiene tests: meshid-identity (IdentityProcess, SQLite), meshid-log
// (SQLite), the echo upstream and meshid-gateway in front of it, each on
// fixed loopback ports so that a process killed and started again is found
// where it was by the others.
//
//   auto mesh = MeshProcesses::Create();
//   ASSERT_TRUE(mesh.ok()) << mesh.status();
//   ASSERT_TRUE((*mesh)->StartAll().ok());
//   std::string token = *(*mesh)->CallerToken();
//   auto echo = (*mesh)->GatewayEcho();
//   (*mesh)->KillLog();  ...  (*mesh)->StartLog();
//
//   Clients (HS256 pairs):
//     logging-service    meshid-keyadmin: keys:watch   (meshid-log)
//     careergpt-backend  meshid-keyadmin: keys:watch; echo-service;
//                        logging-service: logs:write   (meshid-gateway)
//     caller             careergpt-backend: echo:call;
//                        logging-service: logs:write logs:read
#ifndef MESHID_TESTS_RELIABILITY_MESH_PROCESSES_H_
#define MESHID_TESTS_RELIABILITY_MESH_PROCESSES_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "meshid/gateway/v1/config.pb.h"
#include "meshid/gatewaytest/v1/echo.grpc.pb.h"
#include "meshid/logging/v1/log.grpc.pb.h"
#include "tests/reliability/identity_process.h"
#include "tests/testing/child_process.h"

namespace meshid::reliability {

inline constexpr char kGatewayName[] = "careergpt-backend";
inline constexpr char kLogName[] = "logging-service";
inline constexpr char kEchoAudience[] = "echo-service";
inline constexpr char kCallerClient[] = "caller";

class MeshProcesses {
 public:
  static absl::StatusOr<std::unique_ptr<MeshProcesses>> Create();
  ~MeshProcesses();

  // Identity, the clients above, echo, meshid-log, then the gateway on
  // `gateway_config` (BaseGatewayConfig() when unset).
  absl::Status StartAll();
  absl::Status StartAll(const gateway::v1::GatewayConfig& gateway_config);

  // A gateway config for this mesh: loopback ports, route
  // /meshid.gatewaytest.v1.Echo/ (scope echo:call) to the echo upstream,
  // access log to meshid-log (batches of 50 every 100 ms), no clock skew,
  // anomaly blocking and rate-spike reports effectively off (tests send
  // many bad tokens and bursts on purpose from one peer).
  gateway::v1::GatewayConfig BaseGatewayConfig() const;

  // Flags added to every later start of meshid-identity / meshid-log /
  // meshid-gateway (e.g. "--log_level=debug").
  void set_identity_args(std::vector<std::string> args);
  void set_log_args(std::vector<std::string> args) { log_args_ = args; }
  void set_gateway_args(std::vector<std::string> args) {
    gateway_args_ = args;
  }

  // meshid-log: (re)start on the same port and store, waiting for its first
  // key set; kill with `signal` and reap.
  absl::Status StartLog();
  void KillLog(int signal);
  // meshid-gateway on `config` (written as JSON), waiting for
  // gateway.ready.
  absl::Status StartGateway(const gateway::v1::GatewayConfig& config);

  IdentityProcess& identity() { return *identity_; }
  test_process::ChildProcess* log_process() { return log_.get(); }
  test_process::ChildProcess* gateway_process() { return gateway_.get(); }
  int gateway_http_port() const { return gateway_http_port_; }
  int log_http_port() const { return log_http_port_; }
  const std::string& dir() const { return dir_->path(); }

  // Client secrets by client id (all clients above, plus the admin).
  const std::map<std::string, std::string>& secrets() const {
    return secrets_;
  }
  // A fresh token of the caller for the gateway (scope echo:call) or for
  // the Log server (logs:write logs:read).
  absl::StatusOr<std::string> CallerToken(absl::Duration ttl =
                                              absl::ZeroDuration());
  absl::StatusOr<std::string> CallerLogToken();
  // RotateKey of the (client, audience) pair key; the new key's kid.
  absl::StatusOr<std::string> RotatePair(
      const std::string& client_id, const std::string& audience,
      absl::Duration activation_delay = absl::ZeroDuration());
  // RevokeToken of `token` at identity.
  absl::Status RevokeToken(const std::string& token);

  // Stubs on channels of their own that reconnect quickly (the servers
  // behind them are killed and restarted).
  std::unique_ptr<gatewaytest::v1::Echo::Stub> GatewayEcho() const;
  std::unique_ptr<logging::v1::Log::Stub> LogStub() const;

  // GET /metrics of the gateway or the Log server ("" on failure).
  std::string GatewayMetrics() const;
  std::string LogMetrics() const;

 private:
  MeshProcesses() = default;
  absl::Status CreateClients();
  absl::Status StartEcho();

  std::unique_ptr<test_process::TempDir> dir_;
  std::unique_ptr<IdentityProcess> identity_;
  std::unique_ptr<test_process::ChildProcess> echo_;
  std::unique_ptr<test_process::ChildProcess> log_;
  std::unique_ptr<test_process::ChildProcess> gateway_;
  std::vector<std::string> log_args_;
  std::vector<std::string> gateway_args_;
  int echo_port_ = 0;
  int log_port_ = 0;
  int log_http_port_ = 0;
  int gateway_port_ = 0;
  int gateway_http_port_ = 0;
  int gateway_starts_ = 0;
  std::map<std::string, std::string> secrets_;
};

// A context with "authorization: Bearer <token>" (none when empty) and a
// `timeout` deadline.
std::unique_ptr<grpc::ClientContext> BearerContext(
    const std::string& token, absl::Duration timeout = absl::Seconds(10));

// The sum of all samples of `metric` (over all its label sets) in a
// Prometheus text page; -1 when absent.
double MetricValue(const std::string& page, const std::string& metric);

// VmRSS of process `pid` in KiB (from /proc/<pid>/status); -1 on failure.
long RssKib(pid_t pid);

}  // namespace meshid::reliability

#endif  // MESHID_TESTS_RELIABILITY_MESH_PROCESSES_H_
