#include "gateway/anomaly_reporter.h"

#include <string>
#include <utility>

#include "absl/strings/str_format.h"
#include "common/server/json_log.h"

namespace meshid::gateway {

using server::Log;
using server::LogLevel;

AnomalyReporter::AnomalyReporter(AccessLogQueue* queue, GatewayMetrics* metrics,
                                 const Clock* clock)
    : queue_(queue),
      metrics_(metrics),
      clock_(clock != nullptr ? clock : SystemClock::Get()) {}

void AnomalyReporter::OnPeerBlocked(const PeerBlocked& event) {
  const absl::Duration left = event.until - clock_->Now();
  Log(LogLevel::kWarning, "gateway.peer_blocked",
      {{"peer", event.peer_ip},
       {"failures", event.failures},
       {"blocked_for_ms", absl::ToInt64Milliseconds(left)}});
  if (metrics_ != nullptr) metrics_->OnAnomaly(AnomalyKind::kPeerBlocked);
  Ship("peer_blocked", event.peer_ip, "",
       absl::StrFormat("%u failed token validations; blocked until %s",
                       event.failures,
                       absl::FormatTime(absl::RFC3339_sec, event.until,
                                        absl::UTCTimeZone())));
}

void AnomalyReporter::OnRateSpike(const RateSpike& event) {
  Log(LogLevel::kWarning, "gateway.rate_spike",
      {{"subject", event.subject},
       {"spike_calls", event.spike_calls},
       {"baseline_calls", event.baseline_calls},
       {"spike_rate_milli", static_cast<int64_t>(event.spike_rate * 1000)},
       {"baseline_rate_milli",
        static_cast<int64_t>(event.baseline_rate * 1000)}});
  if (metrics_ != nullptr) metrics_->OnAnomaly(AnomalyKind::kRateSpike);
  Ship("rate_spike", "", event.subject,
       absl::StrFormat("%.2f calls/s (%u calls) against a baseline of %.2f "
                       "calls/s (%u calls)",
                       event.spike_rate, event.spike_calls, event.baseline_rate,
                       event.baseline_calls));
}

void AnomalyReporter::Ship(absl::string_view reason, absl::string_view peer,
                           absl::string_view subject, std::string detail) {
  const absl::Time now = clock_->Now();
  const bool queued = queue_->TryPush([&](AccessRecord& r) {
    r.kind = RecordKind::kAudit;
    r.time = now;
    r.latency_ns = 0;
    r.status_code = 0;
    r.method.clear();
    r.peer.assign(peer.data(), peer.size());
    r.subject.assign(subject.data(), subject.size());
    r.client_id.clear();
    r.route = {};
    r.upstream = {};
    r.reason = reason;
    r.detail = std::move(detail);
  });
  if (!queued && metrics_ != nullptr) {
    metrics_->OnAccessLogDropped(AccessLogDrop::kQueueFull);
  }
}

}  // namespace meshid::gateway
