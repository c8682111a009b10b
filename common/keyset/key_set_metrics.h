// The KeySetWatcher's Prometheus metrics:
//
//   meshid_keyset_version                    gauge: version of the snapshot
//   meshid_keyset_keys                       gauge: keys in it (tombstones too)
//   meshid_keyset_seconds_since_last_event   gauge: since the last message
//                                            applied (heartbeats included);
//                                            refreshed on every message and
//                                            every second by the watcher
//   meshid_keyset_reconnects_total           counter: streams opened after
//                                            the first
//   meshid_keyset_resyncs_total              counter: resyncs accepted (after
//                                            rate limiting)
//   meshid_keyset_rejected_messages_total    counter: stream messages refused
//                                            by the KeySetUpdater
//
// No labels: one watcher per process. Constructed without a registry every
// method is a no-op.
#ifndef MESHID_COMMON_KEYSET_KEY_SET_METRICS_H_
#define MESHID_COMMON_KEYSET_KEY_SET_METRICS_H_

#include "absl/time/time.h"
#include "common/token/key_set.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace meshid::keyset {

class KeySetMetrics {
 public:
  // `registry` may be null (no metrics); otherwise it must outlive this.
  explicit KeySetMetrics(prometheus::Registry* registry);

  void OnPublished(const KeySet& set);
  void SetSinceLastEvent(absl::Duration since);
  void OnReconnect();
  void OnResync();
  void OnRejected();

 private:
  prometheus::Gauge* version_ = nullptr;
  prometheus::Gauge* keys_ = nullptr;
  prometheus::Gauge* since_last_event_ = nullptr;
  prometheus::Counter* reconnects_ = nullptr;
  prometheus::Counter* resyncs_ = nullptr;
  prometheus::Counter* rejected_ = nullptr;
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_KEY_SET_METRICS_H_
