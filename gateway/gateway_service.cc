#include "gateway/gateway_service.h"

#include <string>
#include <utility>

#include "gateway/proxy_call.h"
#include "grpc/grpc.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace meshid::gateway {
namespace {

// Refuses a call at once: the admission's code and fixed message, then the
// access record once the status is out.
class RefusedCall final : public grpc::ServerGenericBidiReactor {
 public:
  RefusedCall(CallRecorder* recorder, FinishedCall call,
              int64_t arrival_mono_ns, std::string method, std::string peer,
              std::string subject, std::string client_id, grpc::Status status)
      : recorder_(recorder),
        call_(call),
        arrival_mono_ns_(arrival_mono_ns),
        method_(std::move(method)),
        peer_(std::move(peer)),
        subject_(std::move(subject)),
        client_id_(std::move(client_id)) {
    Finish(std::move(status));
  }

  void OnDone() override {
    call_.latency_ns = MonotonicNanos() - arrival_mono_ns_;
    call_.method = method_;
    call_.peer = peer_;
    call_.subject = subject_;
    call_.client_id = client_id_;
    recorder_->Record(call_);
    delete this;
  }

 private:
  CallRecorder* const recorder_;
  FinishedCall call_;
  const int64_t arrival_mono_ns_;
  const std::string method_;
  const std::string peer_;
  const std::string subject_;
  const std::string client_id_;
};

std::shared_ptr<grpc::Channel> MakeUpstreamChannel(
    const std::string& address, int index,
    const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  grpc::ChannelArguments args;
  // Transparent hop: no retries of our own, no response size limit of our
  // own (requests are bounded by the gateway's server).
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
  args.SetMaxReceiveMessageSize(-1);
  // No deadline timer or size filter per upstream call: the caller's call,
  // whose deadline the upstream call inherits, is timed by the gateway's
  // server, and its cancellation reaches the upstream call (propagation);
  // the upstream enforces the deadline it is sent as well.
  args.SetInt(GRPC_ARG_MINIMAL_STACK, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30'000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10'000);
  if (index > 0) {
    // A distinct argument and a local subchannel pool: a connection of its
    // own instead of sharing the first channel's.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("meshid.gateway.channel_index", index);
  }
  return grpc::CreateCustomChannel(
      address,
      credentials != nullptr ? credentials : grpc::InsecureChannelCredentials(),
      args);
}

}  // namespace

GatewayService::GatewayService(Deps deps)
    : deps_(std::move(deps)),
      clock_(deps_.clock != nullptr ? deps_.clock : SystemClock::Get()) {
  const int channels = std::max(1, deps_.channels_per_upstream);
  for (const UpstreamSettings& upstream : deps_.settings->upstreams) {
    std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
    for (int i = 0; i < channels; ++i) {
      stubs.push_back(std::make_unique<grpc::GenericStub>(MakeUpstreamChannel(
          upstream.address, i, deps_.upstream_credentials)));
    }
    stubs_.push_back(std::move(stubs));
  }
}

grpc::GenericStub* GatewayService::PickStub(size_t upstream) {
  std::vector<std::unique_ptr<grpc::GenericStub>>& stubs = stubs_[upstream];
  if (stubs.size() == 1) return stubs[0].get();
  const uint32_t n = next_channel_.fetch_add(1, std::memory_order_relaxed);
  return stubs[n % stubs.size()].get();
}

grpc::ServerGenericBidiReactor* GatewayService::CreateReactor(
    grpc::GenericCallbackServerContext* context) {
  const int64_t arrival_mono_ns = MonotonicNanos();
  const absl::Time now = clock_->Now();
  std::string peer = context->peer();

  CallInput input;
  input.method = context->method();
  input.peer = peer;
  const auto& metadata = context->client_metadata();
  const auto [first, last] = metadata.equal_range("authorization");
  for (auto it = first; it != last; ++it) {
    if (++input.authorization_headers == 1) {
      input.authorization =
          absl::string_view(it->second.data(), it->second.size());
    }
  }

  Admission admission;
  deps_.admission->Decide(input, now, &admission);
  std::shared_ptr<const CachedToken> token;
  if (admission.allowed()) {
    const size_t upstream =
        deps_.settings->routes[admission.route].upstream_index;
    token = deps_.tokens->Bearer(deps_.upstream_token_slots[upstream], now);
    if (token == nullptr) {
      deps_.admission->Deny(DenyReason::kUpstreamTokenUnavailable, &admission);
    }
  }

  if (!admission.allowed()) {
    FinishedCall call;
    call.arrival = now;
    call.route = admission.route;
    call.status_code = static_cast<int>(admission.code);
    call.reason = admission.log_reason();
    return new RefusedCall(
        deps_.recorder, call, arrival_mono_ns, context->method(),
        std::move(peer),
        admission.principal != nullptr ? admission.principal->subject : "",
        admission.principal != nullptr ? admission.principal->client_id : "",
        grpc::Status(static_cast<grpc::StatusCode>(admission.code),
                     std::string(admission.caller_message)));
  }

  const size_t upstream =
      deps_.settings->routes[admission.route].upstream_index;
  return ProxyCall::Start(ProxyCall::Params{
      context, PickStub(upstream), std::move(token),
      std::move(admission.principal), deps_.recorder, admission.route, now,
      arrival_mono_ns, std::move(peer)});
}

}  // namespace meshid::gateway
