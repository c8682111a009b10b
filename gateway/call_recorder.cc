#include "gateway/call_recorder.h"

namespace meshid::gateway {

void CallRecorder::Record(const FinishedCall& call) {
  if (metrics_ != nullptr) {
    metrics_->OnCallFinished(call.route, call.status_code, call.latency_ns);
  }
  absl::string_view route_prefix;
  absl::string_view upstream;
  if (call.route >= 0 &&
      static_cast<size_t>(call.route) < settings_->routes.size()) {
    const RouteSettings& route = settings_->routes[call.route];
    route_prefix = route.method_prefix;
    upstream = settings_->upstreams[route.upstream_index].name;
  }
  const bool queued = queue_->TryPush([&](AccessRecord& r) {
    r.kind = RecordKind::kAccess;
    r.time = call.arrival;
    r.latency_ns = call.latency_ns;
    r.status_code = call.status_code;
    r.method.assign(call.method.data(), call.method.size());
    r.peer.assign(call.peer.data(), call.peer.size());
    r.subject.assign(call.subject.data(), call.subject.size());
    r.client_id.assign(call.client_id.data(), call.client_id.size());
    r.route = route_prefix;
    r.upstream = upstream;
    r.reason = call.reason;
    r.detail.clear();
  });
  if (!queued && metrics_ != nullptr) {
    metrics_->OnAccessLogDropped(AccessLogDrop::kQueueFull);
  }
}

}  // namespace meshid::gateway
