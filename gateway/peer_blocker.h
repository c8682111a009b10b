// PeerBlocker: anomaly detection's first rule (config.proto
// AnomalyDetection): a peer address with `failure_burst` failed token
// validations within `window` is blocked for `block_duration`; its calls are
// then refused without validating anything.
//
//   PeerBlocker blocker(PeerBlockerOptions::From(settings.anomaly));
//   if (blocker.IsBlocked(ip, now)) return Deny(RESOURCE_EXHAUSTED);
//   ...
//   if (auto blocked = blocker.RecordFailure(ip, now)) Report(*blocked);
//   blocker.Sweep(now);  // from a housekeeping thread, every second or so
//
// Failures are counted per address in a SlottedCounter (the window is
// measured to within 1/16 of its length). IsBlocked is on every call's path:
// while no peer is blocked it is one atomic load; otherwise one shard
// reader lock and a hash lookup. The table holds at most `max_peers`
// addresses; failures of further addresses are not tracked (counted by
// untracked_failures()) until Sweep forgets quiet ones.
#ifndef MESHID_GATEWAY_PEER_BLOCKER_H_
#define MESHID_GATEWAY_PEER_BLOCKER_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "gateway/gateway_settings.h"
#include "gateway/sharded_table.h"
#include "gateway/slotted_counter.h"

namespace meshid::gateway {

struct PeerBlockerOptions {
  uint32_t failure_burst = 20;
  absl::Duration window = absl::Seconds(10);
  absl::Duration block_duration = absl::Seconds(60);
  size_t max_peers = 100000;

  static PeerBlockerOptions From(const AnomalySettings& anomaly);
};

// A peer just blocked.
struct PeerBlocked {
  std::string peer_ip;
  uint32_t failures = 0;  // counted within the window
  absl::Time until;
};

class PeerBlocker {
 public:
  explicit PeerBlocker(const PeerBlockerOptions& options);

  // True while `peer_ip` is blocked at `now`. Thread-safe.
  bool IsBlocked(absl::string_view peer_ip, absl::Time now);

  // Counts one failed validation from `peer_ip`; returns the block when
  // this failure completed a burst (and forgets the failures counted so
  // far, so the peer starts afresh once the block ends). Thread-safe.
  std::optional<PeerBlocked> RecordFailure(absl::string_view peer_ip,
                                           absl::Time now);

  // Ends expired blocks and forgets peers with no failure in the window.
  // Returns the number of peers blocked now. Thread-safe.
  size_t Sweep(absl::Time now);

  size_t blocked_peers() const {
    return static_cast<size_t>(blocked_.load(std::memory_order_relaxed));
  }
  uint64_t untracked_failures() const {
    return untracked_.load(std::memory_order_relaxed);
  }

 private:
  struct PeerState {
    SlottedCounter failures;
    int64_t blocked_until_ns = 0;  // 0: not blocked; under the writer lock
  };

  const PeerBlockerOptions options_;
  const int64_t slot_width_ns_;
  ShardedTable<PeerState> peers_;
  // Peers whose blocked_until_ns is set (possibly expired, until Sweep):
  // while 0, IsBlocked looks nothing up.
  std::atomic<int64_t> blocked_{0};
  std::atomic<uint64_t> untracked_{0};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_PEER_BLOCKER_H_
