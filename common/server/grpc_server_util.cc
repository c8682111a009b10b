#include "common/server/grpc_server_util.h"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpc/grpc.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/impl/server_builder_option.h"
#include "grpcpp/support/time.h"

namespace meshid::server {
namespace {

int ToMillis(absl::Duration d) {
  return static_cast<int>(absl::ToInt64Milliseconds(d));
}

// InitProtoReflectionServerBuilderPlugin() only reaches builders constructed
// after it runs (a builder copies the global plugin list in its
// constructor), so a builder that already exists gets the plugin through
// this option instead. It adds the plugin only when absent: registering the
// reflection service twice would make BuildAndStart fail. Naming the plugin
// class also keeps the linker from dropping grpc++_reflection.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* args) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>*
                         plugins) override {
    auto reflection =
        std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>();
    for (const auto& plugin : *plugins) {
      if (plugin->name() == reflection->name()) return;
    }
    plugins->push_back(std::move(reflection));
  }
};

}  // namespace

void ConfigureServerBuilder(grpc::ServerBuilder& builder,
                            const GrpcServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  builder.SetOption(std::make_unique<ReflectionOption>());
  builder.SetMaxReceiveMessageSize(options.max_receive_message_bytes);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS,
                             ToMillis(options.keepalive_time));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS,
                             ToMillis(options.keepalive_timeout));
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  builder.AddChannelArgument(
      GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS,
      ToMillis(options.min_client_ping_interval));
  // 0: keep sending keepalive pings on a connection whose streams are idle.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartGrpcServer(
    grpc::ServerBuilder& builder, const std::string& address,
    std::shared_ptr<grpc::ServerCredentials> credentials, int* bound_port) {
  int port = 0;
  builder.AddListeningPort(address, std::move(credentials), &port);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  // gRPC says only that it failed; the usual causes are named instead.
  if (server == nullptr || port == 0) {
    if (server != nullptr) server->Shutdown();
    return absl::UnavailableError(absl::StrCat(
        "gRPC server cannot listen on ", address,
        " (address in use, not an address of this host, or malformed)"));
  }
  if (bound_port != nullptr) *bound_port = port;
  return server;
}

void SetGrpcServing(grpc::Server& server, bool serving) {
  grpc::HealthCheckServiceInterface* health = server.GetHealthCheckService();
  if (health != nullptr) health->SetServingStatus(serving);
}

void DrainGrpcServer(grpc::Server& server, const DrainOptions& options) {
  SetGrpcServing(server, false);
  if (options.not_serving_delay > absl::ZeroDuration()) {
    absl::SleepFor(options.not_serving_delay);
  }
  server.Shutdown(absl::ToChronoTime(absl::Now() + options.shutdown_deadline));
}

}  // namespace meshid::server
