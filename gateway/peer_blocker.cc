#include "gateway/peer_blocker.h"

#include <algorithm>

namespace meshid::gateway {

PeerBlockerOptions PeerBlockerOptions::From(const AnomalySettings& anomaly) {
  PeerBlockerOptions options;
  options.failure_burst = anomaly.failed_validation_burst;
  options.window = anomaly.failed_validation_window;
  options.block_duration = anomaly.block_duration;
  return options;
}

PeerBlocker::PeerBlocker(const PeerBlockerOptions& options)
    : options_(options),
      slot_width_ns_(std::max<int64_t>(
          1,
          absl::ToInt64Nanoseconds(options.window) / SlottedCounter::kSlots)),
      peers_(options.max_peers) {}

bool PeerBlocker::IsBlocked(absl::string_view peer_ip, absl::Time now) {
  if (blocked_.load(std::memory_order_relaxed) == 0) return false;
  const int64_t now_ns = absl::ToUnixNanos(now);
  bool blocked = false;
  peers_.Read(peer_ip, [&](const PeerState& peer) {
    blocked = peer.blocked_until_ns > now_ns;
  });
  return blocked;
}

std::optional<PeerBlocked> PeerBlocker::RecordFailure(absl::string_view peer_ip,
                                                      absl::Time now) {
  const int64_t now_ns = absl::ToUnixNanos(now);
  const int64_t slot = SlotOf(now, slot_width_ns_);
  std::optional<PeerBlocked> event;
  const bool tracked = peers_.Write(peer_ip, [&](PeerState& peer) {
    if (peer.blocked_until_ns > now_ns) return;  // raced with the block
    peer.failures.Add(slot);
    const uint64_t failures = peer.failures.Sum(slot);
    if (failures < options_.failure_burst) return;
    if (peer.blocked_until_ns == 0) {
      blocked_.fetch_add(1, std::memory_order_relaxed);
    }
    const absl::Time until = now + options_.block_duration;
    peer.blocked_until_ns = absl::ToUnixNanos(until);
    peer.failures.Clear();
    event = PeerBlocked{std::string(peer_ip), static_cast<uint32_t>(failures),
                        until};
  });
  if (!tracked) untracked_.fetch_add(1, std::memory_order_relaxed);
  return event;
}

size_t PeerBlocker::Sweep(absl::Time now) {
  const int64_t now_ns = absl::ToUnixNanos(now);
  const int64_t slot = SlotOf(now, slot_width_ns_);
  peers_.EraseIf([&](PeerState& peer) {
    if (peer.blocked_until_ns != 0 && peer.blocked_until_ns <= now_ns) {
      peer.blocked_until_ns = 0;
      blocked_.fetch_sub(1, std::memory_order_relaxed);
    }
    return peer.blocked_until_ns == 0 && peer.failures.Sum(slot) == 0;
  });
  return blocked_peers();
}

}  // namespace meshid::gateway
