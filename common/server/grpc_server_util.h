// Building, starting and draining a grpc::Server the meshid way: every server
// answers grpc.health.v1 health checks (for Kubernetes gRPC probes) and
// server reflection (so `grpcurl list` works without proto files), uses the
// same keepalive policy, and bounds incoming messages.
//
//   grpc::ServerBuilder builder;
//   ConfigureServerBuilder(builder, GrpcServerOptions{});
//   builder.RegisterService(&identity_service);
//   int port = 0;
//   ASSIGN_OR_RETURN(std::unique_ptr<grpc::Server> server,
//                    StartGrpcServer(builder, "0.0.0.0:50051",
//                                    grpc::InsecureServerCredentials(),
//                                    &port));
//   ...  // WaitForShutdownSignal()
//   DrainGrpcServer(*server, DrainOptions{});
#ifndef MESHID_COMMON_SERVER_GRPC_SERVER_UTIL_H_
#define MESHID_COMMON_SERVER_GRPC_SERVER_UTIL_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"

namespace meshid::server {

struct GrpcServerOptions {
  // The server pings an idle connection this often and drops it when the
  // ping is not answered within keepalive_timeout: half-open connections
  // (a node gone away) are found within 40 s instead of hours.
  absl::Duration keepalive_time = absl::Seconds(30);
  absl::Duration keepalive_timeout = absl::Seconds(10);
  // The shortest client ping interval accepted without data, also when no
  // call is open. Long-lived streams (WatchKeys, Tail) are idle for minutes;
  // clients that ping to keep them alive must not be sent GOAWAY.
  absl::Duration min_client_ping_interval = absl::Seconds(10);
  // Largest request message; meshid's requests are small.
  int max_receive_message_bytes = 4 * 1024 * 1024;
};

// Enables the default health checking service (a process-wide gRPC switch;
// grpc.health.v1.Health, every service SERVING once started), adds server
// reflection to this builder, and applies `options`. SO_REUSEPORT is turned off
// so that a second process on the same port fails to start instead of silently
// sharing it. Call before StartGrpcServer; calling it twice on one builder is
// harmless.
void ConfigureServerBuilder(grpc::ServerBuilder& builder,
                            const GrpcServerOptions& options);

// Adds the listening port and builds the server. `bound_port` (may be null)
// receives the real port, useful with "127.0.0.1:0". Unavailable, naming the
// address, when it cannot be bound (in use, or not an address of this host).
absl::StatusOr<std::unique_ptr<grpc::Server>> StartGrpcServer(
    grpc::ServerBuilder& builder, const std::string& address,
    std::shared_ptr<grpc::ServerCredentials> credentials, int* bound_port);

// Sets the overall and every per-service health status. Thread-safe.
void SetGrpcServing(grpc::Server& server, bool serving);

struct DrainOptions {
  // How long NOT_SERVING is announced, with calls still served, before the
  // server stops accepting; gives load balancers and probes time to notice.
  absl::Duration not_serving_delay = absl::ZeroDuration();
  // How long calls in flight may continue once shutdown begins; those still
  // running afterwards are cancelled.
  absl::Duration shutdown_deadline = absl::Seconds(10);
};

// Graceful shutdown: NOT_SERVING, wait not_serving_delay, then
// Server::Shutdown(deadline), which returns once every call has finished or
// been cancelled. Open streams (health Watch from clients, WatchKeys, Tail)
// hold it until the deadline unless their services end them first, so
// services should finish their streams when they see shutdown begin.
// Does not Wait(); callers that do can count on it returning.
void DrainGrpcServer(grpc::Server& server, const DrainOptions& options);

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_GRPC_SERVER_UTIL_H_
