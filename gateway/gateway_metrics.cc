#include "gateway/gateway_metrics.h"

#include <utility>

#include "prometheus/family.h"

namespace meshid::gateway {
namespace {

constexpr char kNoRouteLabel[] = "none";

}  // namespace

GatewayMetrics::GatewayMetrics(
    prometheus::Registry& registry, const GatewaySettings& settings,
    const std::vector<std::string>& token_audiences) {
  route_labels_.push_back(kNoRouteLabel);
  for (const RouteSettings& route : settings.routes) {
    route_labels_.push_back(route.method_prefix);
  }
  auto& calls = prometheus::BuildCounter()
                    .Name("meshid_gateway_calls_total")
                    .Help(
                        "Calls finished by the gateway, allowed or denied, "
                        "by route (method_prefix, or none) and status code.")
                    .Register(registry);
  calls_.resize(route_labels_.size());
  for (size_t r = 0; r < route_labels_.size(); ++r) {
    for (int code = 0; code < kStatusCodeCount; ++code) {
      calls_[r][code] =
          &calls.Add({{"route", route_labels_[r]},
                      {"code", std::string(StatusCodeName(code))}});
    }
  }
  latency_.reset(new LatencyHistogram[route_labels_.size()]);

  auto& denied = prometheus::BuildCounter()
                     .Name("meshid_gateway_denied_total")
                     .Help("Calls the gateway refused, by stable reason.")
                     .Register(registry);
  for (int i = 1; i < kDenyReasonCount; ++i) {
    denied_[i] = &denied.Add(
        {{"reason", std::string(DenyReasonName(static_cast<DenyReason>(i)))}});
  }

  auto& auth = prometheus::BuildCounter()
                   .Name("meshid_gateway_auth_failures_total")
                   .Help(
                       "Calls without a usable token, by reason: "
                       "missing_token, malformed_authorization, or the "
                       "token check that failed.")
                   .Register(registry);
  for (int i = 1; i < kVerifyErrorCount; ++i) {
    auth_failures_[i] = &auth.Add(
        {{"reason",
          std::string(VerifyErrorName(static_cast<VerifyError>(i)))}});
  }
  auth_failures_[kVerifyErrorCount] = &auth.Add({{"reason", "missing_token"}});
  auth_failures_[kVerifyErrorCount + 1] =
      &auth.Add({{"reason", "malformed_authorization"}});

  auto& anomalies = prometheus::BuildCounter()
                        .Name("meshid_gateway_anomalies_total")
                        .Help(
                            "Anomalies detected: peers blocked after a "
                            "burst of failed validations, subjects' call "
                            "rate spikes.")
                        .Register(registry);
  anomalies_[static_cast<int>(AnomalyKind::kPeerBlocked)] =
      &anomalies.Add({{"kind", "peer_blocked"}});
  anomalies_[static_cast<int>(AnomalyKind::kRateSpike)] =
      &anomalies.Add({{"kind", "rate_spike"}});

  auto& dropped = prometheus::BuildCounter()
                      .Name("meshid_gateway_access_log_dropped_total")
                      .Help(
                          "Access-log entries dropped: queue_full (the "
                          "request path found the queue full) or unshipped "
                          "(Log.Append failed or the pending bound was hit).")
                      .Register(registry);
  access_log_dropped_[static_cast<int>(AccessLogDrop::kQueueFull)] =
      &dropped.Add({{"reason", "queue_full"}});
  access_log_dropped_[static_cast<int>(AccessLogDrop::kUnshipped)] =
      &dropped.Add({{"reason", "unshipped"}});
  access_log_shipped_ = &prometheus::BuildCounter()
                             .Name("meshid_gateway_access_log_shipped_total")
                             .Help("Access-log entries accepted by Log.Append.")
                             .Register(registry)
                             .Add({});

  auto& fetches = prometheus::BuildCounter()
                      .Name("meshid_gateway_upstream_token_fetches_total")
                      .Help(
                          "IssueToken calls for the gateway's own tokens, by "
                          "audience and result.")
                      .Register(registry);
  for (const std::string& audience : token_audiences) {
    token_fetches_.push_back(
        {&fetches.Add({{"audience", audience}, {"result", "ok"}}),
         &fetches.Add({{"audience", audience}, {"result", "failed"}})});
  }

  const auto gauge = [&](const char* name, const char* help) {
    return &prometheus::BuildGauge()
                .Name(name)
                .Help(help)
                .Register(registry)
                .Add({});
  };
  blocked_peers_ =
      gauge("meshid_gateway_blocked_peers", "Peer addresses blocked now.");
  tracked_subjects_ = gauge("meshid_gateway_tracked_subjects",
                            "Subjects with rate-limit or anomaly state.");
  access_log_queue_depth_ =
      gauge("meshid_gateway_access_log_queue_depth",
            "Access-log entries queued or waiting for Log.Append.");
  ready_ = gauge("meshid_gateway_ready",
                 "1 once the key set and every upstream token are in.");
}

void GatewayMetrics::OnCallFinished(int route, int code, int64_t latency_ns) {
  const size_t r = static_cast<size_t>(route + 1);
  if (r >= calls_.size()) return;
  if (code < 0 || code >= kStatusCodeCount) code = 2;  // UNKNOWN
  calls_[r][code]->Increment();
  latency_[r].Observe(latency_ns);
}

void GatewayMetrics::OnDenied(DenyReason reason) {
  prometheus::Counter* c = denied_[static_cast<int>(reason)];
  if (c != nullptr) c->Increment();
  if (reason == DenyReason::kMissingToken) {
    auth_failures_[kVerifyErrorCount]->Increment();
  } else if (reason == DenyReason::kMalformedAuthorization) {
    auth_failures_[kVerifyErrorCount + 1]->Increment();
  }
}

void GatewayMetrics::OnTokenRejected(VerifyError error) {
  prometheus::Counter* c = auth_failures_[static_cast<int>(error)];
  if (c != nullptr) c->Increment();
}

void GatewayMetrics::OnAnomaly(AnomalyKind kind) {
  anomalies_[static_cast<int>(kind)]->Increment();
}

void GatewayMetrics::OnAccessLogDropped(AccessLogDrop why, uint64_t n) {
  access_log_dropped_[static_cast<int>(why)]->Increment(static_cast<double>(n));
}

void GatewayMetrics::OnAccessLogShipped(uint64_t n) {
  access_log_shipped_->Increment(static_cast<double>(n));
}

void GatewayMetrics::OnUpstreamTokenFetch(size_t slot, bool ok) {
  if (slot < token_fetches_.size())
    token_fetches_[slot][ok ? 0 : 1]->Increment();
}

void GatewayMetrics::SetBlockedPeers(size_t n) {
  blocked_peers_->Set(static_cast<double>(n));
}

void GatewayMetrics::SetTrackedSubjects(size_t n) {
  tracked_subjects_->Set(static_cast<double>(n));
}

void GatewayMetrics::SetAccessLogQueueDepth(size_t n) {
  access_log_queue_depth_->Set(static_cast<double>(n));
}

void GatewayMetrics::SetReady(bool ready) { ready_->Set(ready ? 1 : 0); }

std::vector<prometheus::MetricFamily> GatewayMetrics::Collect() const {
  prometheus::MetricFamily family;
  family.name = "meshid_gateway_call_duration_seconds";
  family.help =
      "Time from a call's arrival to its end, by route (method_prefix, or "
      "none).";
  family.type = prometheus::MetricType::Histogram;
  for (size_t r = 0; r < route_labels_.size(); ++r) {
    prometheus::ClientMetric metric;
    metric.label.push_back({"route", route_labels_[r]});
    metric.histogram = latency_[r].Snapshot();
    family.metric.push_back(std::move(metric));
  }
  std::vector<prometheus::MetricFamily> out;
  out.push_back(std::move(family));
  return out;
}

std::vector<prometheus::MetricFamily> CombinedCollectable::Collect() const {
  std::vector<prometheus::MetricFamily> out;
  for (const auto& part : parts_) {
    std::vector<prometheus::MetricFamily> families = part->Collect();
    out.insert(out.end(), std::make_move_iterator(families.begin()),
               std::make_move_iterator(families.end()));
  }
  return out;
}

}  // namespace meshid::gateway
