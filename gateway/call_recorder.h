// CallRecorder: the end of every call, allowed or denied: one count in
// meshid_gateway_calls_total{route,code}, one latency observation, and one
// access record queued for stderr and the Log server. Lock-free, and
// allocation-free once the queue's slots are warm; a full queue drops the
// record and counts it (never blocks the call).
//
//   CallRecorder recorder(&settings, &queue, &metrics);
//   recorder.Record(FinishedCall{arrival, latency_ns, route, code, method,
//                                peer, subject, client_id, reason});
#ifndef MESHID_GATEWAY_CALL_RECORDER_H_
#define MESHID_GATEWAY_CALL_RECORDER_H_

#include <chrono>
#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/access_log_queue.h"
#include "gateway/gateway_metrics.h"
#include "gateway/gateway_settings.h"

namespace meshid::gateway {

struct FinishedCall {
  absl::Time arrival;
  int64_t latency_ns = 0;
  int route = -1;  // Router::kNoRoute
  int status_code = 0;
  absl::string_view method;
  absl::string_view peer;
  absl::string_view subject;
  absl::string_view client_id;
  absl::string_view reason;  // static; empty for forwarded calls
};

// Monotonic nanoseconds, for latencies (wall time may jump).
inline int64_t MonotonicNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class CallRecorder {
 public:
  // All pointers (not owned) must outlive this; `metrics` may be null.
  CallRecorder(const GatewaySettings* settings, AccessLogQueue* queue,
               GatewayMetrics* metrics)
      : settings_(settings), queue_(queue), metrics_(metrics) {}

  // Thread-safe.
  void Record(const FinishedCall& call);

 private:
  const GatewaySettings* const settings_;
  AccessLogQueue* const queue_;
  GatewayMetrics* const metrics_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_CALL_RECORDER_H_
