// gateway_echo_upstream: the Echo service (echo.proto) as a process, the
// upstream of the gateway's integration tests and benchmark.
//
//   gateway_echo_upstream --address 127.0.0.1:7001
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/synchronization/mutex.h"
#include "common/server/grpc_server_util.h"
#include "common/server/json_log.h"
#include "common/server/signals.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "tests/gateway/echo/echo_service.h"

ABSL_FLAG(std::string, address, "127.0.0.1:0", "gRPC listen address");

int main(int argc, char** argv) {
  if (!meshid::server::BlockShutdownSignals().ok()) return 1;
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  meshid::server::SetLogServiceName("gateway-echo-upstream");
  absl::ParseCommandLine(argc, argv);
  meshid::gatewaytest::EchoService service;
  grpc::ServerBuilder builder;
  meshid::server::ConfigureServerBuilder(builder,
                                         meshid::server::GrpcServerOptions{});
  builder.RegisterService(&service);
  int port = 0;
  auto server =
      meshid::server::StartGrpcServer(builder, absl::GetFlag(FLAGS_address),
                                      grpc::InsecureServerCredentials(), &port);
  if (!server.ok()) {
    std::cerr << server.status().message() << "\n";
    return 1;
  }
  meshid::server::Log(meshid::server::LogLevel::kInfo, "echo.started",
                      {{"port", port}});
  meshid::server::WaitForShutdownSignal();
  meshid::server::DrainGrpcServer(**server, {});
  return 0;
}
