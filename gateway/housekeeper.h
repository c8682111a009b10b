// Housekeeper: the gateway's periodic chores, off the request path, on one
// thread: scan subjects for rate spikes (and report them), end expired
// peer blocks and forget idle peers and subjects, refresh the gauges.
//
//   Housekeeper housekeeper({&peers, &subjects, &reporter, &metrics, clock},
//                           absl::Seconds(1));
//   housekeeper.Start();
//   ...
//   housekeeper.Stop();
//
// RunOnce(now) is one round, for tests with a FakeClock.
#ifndef MESHID_GATEWAY_HOUSEKEEPER_H_
#define MESHID_GATEWAY_HOUSEKEEPER_H_

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/call_admission.h"
#include "gateway/gateway_metrics.h"
#include "gateway/peer_blocker.h"
#include "gateway/subject_tracker.h"

namespace meshid::gateway {

class Housekeeper {
 public:
  struct Deps {
    PeerBlocker* peers;
    SubjectTracker* subjects;
    AnomalySink* anomalies;
    GatewayMetrics* metrics;  // may be null
    const Clock* clock;       // null: SystemClock
  };

  // Every pointer must outlive this. `interval` is real time between rounds.
  Housekeeper(const Deps& deps, absl::Duration interval);
  ~Housekeeper();  // Stop()s

  void RunOnce(absl::Time now);
  void Start();
  void Stop();

 private:
  const Deps deps_;
  const Clock* const clock_;
  const absl::Duration interval_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_HOUSEKEEPER_H_
