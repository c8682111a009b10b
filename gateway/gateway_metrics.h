// GatewayMetrics: the gateway's Prometheus metrics. Every labelled series
// is created up front (routes and codes come from the config, reasons from
// enums), so the request path never builds a label string or takes the
// registry's lock: each update is an array index and an atomic add.
//
//   meshid_gateway_calls_total{route,code}          calls finished, allowed
//                                                    or denied; route is the
//                                                    method_prefix or "none"
//   meshid_gateway_call_duration_seconds{route}     histogram, arrival to end
//   meshid_gateway_denied_total{reason}             calls refused by the
//                                                    gateway (DenyReasonName:
//                                                    peer_blocked,
//                                                    subject_rate_limited,
//                                                    route_rate_limited, ...)
//   meshid_gateway_auth_failures_total{reason}      missing_token,
//                                                    malformed_authorization
//                                                    and each VerifyError
//   meshid_gateway_anomalies_total{kind}            peer_blocked, rate_spike
//   meshid_gateway_blocked_peers                    gauge
//   meshid_gateway_tracked_subjects                 gauge
//   meshid_gateway_access_log_queue_depth           gauge: queued + pending
//   meshid_gateway_access_log_dropped_total{reason} queue_full, unshipped
//   meshid_gateway_access_log_shipped_total
//   meshid_gateway_upstream_token_fetches_total{audience,result}
//   meshid_gateway_ready                            gauge: 1 once keys and
//                                                    upstream tokens are in
// The key set's age is meshid_keyset_seconds_since_last_event (and its
// version meshid_keyset_version), from the KeySetWatcher; token checks also
// count in meshid_validations_total (TokenValidator).
//
// The histograms are served by this object itself (a prometheus
// Collectable); serve it next to the registry with CombinedCollectable.
#ifndef MESHID_GATEWAY_GATEWAY_METRICS_H_
#define MESHID_GATEWAY_GATEWAY_METRICS_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/token/verify_error.h"
#include "gateway/deny_reason.h"
#include "gateway/gateway_settings.h"
#include "gateway/latency_histogram.h"
#include "gateway/status_code_names.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace meshid::gateway {

enum class AnomalyKind : uint8_t { kPeerBlocked, kRateSpike };
enum class AccessLogDrop : uint8_t { kQueueFull, kUnshipped };

class GatewayMetrics final : public prometheus::Collectable {
 public:
  // Registers the counters and gauges in `registry` (which must outlive
  // this). `token_audiences` name the UpstreamTokenCache slots.
  GatewayMetrics(prometheus::Registry& registry,
                 const GatewaySettings& settings,
                 const std::vector<std::string>& token_audiences);

  // `route` is a route index or -1 (no route); `code` a canonical code.
  void OnCallFinished(int route, int code, int64_t latency_ns);
  void OnDenied(DenyReason reason);
  void OnTokenRejected(VerifyError error);
  void OnAnomaly(AnomalyKind kind);
  void OnAccessLogDropped(AccessLogDrop why, uint64_t n = 1);
  void OnAccessLogShipped(uint64_t n);
  void OnUpstreamTokenFetch(size_t slot, bool ok);
  void SetBlockedPeers(size_t n);
  void SetTrackedSubjects(size_t n);
  void SetAccessLogQueueDepth(size_t n);
  void SetReady(bool ready);

  // prometheus::Collectable: the latency histograms.
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  // Index 0: no route; route i at i + 1.
  std::vector<std::array<prometheus::Counter*, kStatusCodeCount>> calls_;
  std::vector<std::string> route_labels_;
  std::unique_ptr<LatencyHistogram[]> latency_;
  std::array<prometheus::Counter*, kDenyReasonCount> denied_{};
  // VerifyError values, then missing_token, malformed_authorization.
  std::array<prometheus::Counter*, kVerifyErrorCount + 2> auth_failures_{};
  std::array<prometheus::Counter*, 2> anomalies_{};
  std::array<prometheus::Counter*, 2> access_log_dropped_{};
  prometheus::Counter* access_log_shipped_ = nullptr;
  std::vector<std::array<prometheus::Counter*, 2>> token_fetches_;
  prometheus::Gauge* blocked_peers_ = nullptr;
  prometheus::Gauge* tracked_subjects_ = nullptr;
  prometheus::Gauge* access_log_queue_depth_ = nullptr;
  prometheus::Gauge* ready_ = nullptr;
};

// Serves several collectables as one (the HTTP server takes one).
class CombinedCollectable final : public prometheus::Collectable {
 public:
  explicit CombinedCollectable(
      std::vector<std::shared_ptr<const prometheus::Collectable>> parts)
      : parts_(std::move(parts)) {}
  std::vector<prometheus::MetricFamily> Collect() const override;

 private:
  std::vector<std::shared_ptr<const prometheus::Collectable>> parts_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_GATEWAY_METRICS_H_
