// GatewayService: meshid-gateway's gRPC face. A grpc::CallbackGenericService
// receives every call whose method no registered service has (health and
// reflection are registered services, so they stay the gateway's own),
// asks CallAdmission about it, and either refuses it at once with the
// admission's code and fixed message, or hands it to a ProxyCall on the
// route's upstream with the gateway's cached token for that upstream.
//
//   GatewayService service(deps, settings);
//   grpc::ServerBuilder builder;
//   builder.RegisterCallbackGenericService(&service);
//
// One channel (HTTP/2 connection) per upstream by default; with
// channels_per_upstream > 1 calls are spread round-robin over that many
// connections. Upstream channels have gRPC retries off (the gateway is a
// transparent hop; the caller decides about retries), no response size
// limit of their own (requests are bounded by the gateway's server), and
// gRPC's minimal filter stack: an upstream call needs no deadline timer of
// its own, since the caller's call is timed by the gateway's server and its
// cancellation reaches the upstream call.
#ifndef MESHID_GATEWAY_GATEWAY_SERVICE_H_
#define MESHID_GATEWAY_GATEWAY_SERVICE_H_

#include <atomic>
#include <memory>
#include <vector>

#include "common/clock.h"
#include "gateway/call_admission.h"
#include "gateway/call_recorder.h"
#include "gateway/gateway_settings.h"
#include "gateway/upstream_token_cache.h"
#include "grpcpp/channel.h"
#include "grpcpp/generic/async_generic_service.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"

namespace meshid::gateway {

class GatewayService final : public grpc::CallbackGenericService {
 public:
  struct Deps {
    const GatewaySettings* settings;
    CallAdmission* admission;
    const UpstreamTokenCache* tokens;
    // The UpstreamTokenCache slot of each upstream (by upstream index).
    std::vector<size_t> upstream_token_slots;
    CallRecorder* recorder;
    const Clock* clock;  // null: SystemClock
    int channels_per_upstream = 1;
    // How upstreams are dialed (TLS, mutual TLS); null means plaintext.
    std::shared_ptr<grpc::ChannelCredentials> upstream_credentials;
  };

  // Creates the upstream channels (they connect lazily). Every pointer must
  // outlive the service, and the service must outlive the grpc::Server.
  explicit GatewayService(Deps deps);

  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override;

 private:
  grpc::GenericStub* PickStub(size_t upstream);

  const Deps deps_;
  const Clock* const clock_;
  // [upstream][channel]
  std::vector<std::vector<std::unique_ptr<grpc::GenericStub>>> stubs_;
  std::atomic<uint32_t> next_channel_{0};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_GATEWAY_SERVICE_H_
