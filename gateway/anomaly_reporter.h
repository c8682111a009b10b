// AnomalyReporter: what happens when anomaly detection fires. Each event
// becomes a JSON line on stderr (gateway.peer_blocked, gateway.rate_spike),
// a count in meshid_gateway_anomalies_total, and an AUDIT entry shipped to
// the Log server with the access log.
//
//   AnomalyReporter reporter(&queue, &metrics, clock);
//   CallAdmission admission({..., &reporter, ...});
//   for (const RateSpike& s : subjects.ScanForSpikes(now)) {
//     reporter.OnRateSpike(s);
//   }
#ifndef MESHID_GATEWAY_ANOMALY_REPORTER_H_
#define MESHID_GATEWAY_ANOMALY_REPORTER_H_

#include "common/clock.h"
#include "gateway/access_log_queue.h"
#include "gateway/call_admission.h"
#include "gateway/gateway_metrics.h"

namespace meshid::gateway {

class AnomalyReporter final : public AnomalySink {
 public:
  // `queue` and `metrics` (not owned; metrics may be null) must outlive
  // this. `clock` null means SystemClock.
  AnomalyReporter(AccessLogQueue* queue, GatewayMetrics* metrics,
                  const Clock* clock);

  // Thread-safe.
  void OnPeerBlocked(const PeerBlocked& event) override;
  void OnRateSpike(const RateSpike& event) override;

 private:
  void Ship(absl::string_view reason, absl::string_view peer,
            absl::string_view subject, std::string detail);

  AccessLogQueue* const queue_;
  GatewayMetrics* const metrics_;
  const Clock* const clock_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_ANOMALY_REPORTER_H_
