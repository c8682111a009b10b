// VerifiedTokenCache: remembers tokens that passed validation, so a caller
// that presents the same token call after call is checked once per key-set
// version instead of once per call (HMAC, base64 and JSON are the largest
// share of the gateway's own per-call work). Only successes are cached:
// every refused token is validated again, counted, and counts towards its
// peer's failed-validation burst.
//
//   VerifiedTokenCache cache(VerifiedTokenCache::Options{skew});
//   std::shared_ptr<const KeySet> keys = source->Current();
//   std::shared_ptr<const Principal> p = cache.Lookup(token, *keys, now);
//   if (p == nullptr) {
//     VerifyResult r = validator.Validate(token);
//     if (r.ok()) p = cache.Insert(token, *keys, std::move(r).principal());
//   }
//
// Why a hit is as good as validating again: validation is a pure function
// of the token bytes, the key-set snapshot and the time. An entry holds the
// whole token (compared byte for byte) and the version of the snapshot it
// was checked against; a new snapshot (every key or revocation change bumps
// the version) misses. What depends on time is kept as an interval,
// computed with the verifier's own rules and rounded inwards: exp + skew,
// nbf - skew, iat - skew, and the signing key's verify_until; outside it
// the entry is not used. The snapshot read before validating is the one
// stamped; the validator reads the same or a newer one, so an entry can only
// be stamped older than what it was checked against, which only misses.
//
// Storage: kShards direct-mapped tables (a colliding token replaces the old
// entry), each with its own small mutex; tokens up to 8 KiB, so memory is
// bounded by shards * slots * 8 KiB. Thread-safe.
#ifndef MESHID_GATEWAY_VERIFIED_TOKEN_CACHE_H_
#define MESHID_GATEWAY_VERIFIED_TOKEN_CACHE_H_

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/token/key_set.h"
#include "common/token/principal.h"

namespace meshid::gateway {

class VerifiedTokenCache {
 public:
  struct Options {
    // The validator's clock skew (VerifyPolicy::clock_skew).
    absl::Duration clock_skew = absl::Seconds(30);
    size_t slots_per_shard = 64;
  };

  explicit VerifiedTokenCache(const Options& options);

  // The principal of `token` when it was validated against the snapshot
  // `keys` is now (same version) and is still inside its time window at
  // `now`; else null.
  std::shared_ptr<const Principal> Lookup(absl::string_view token,
                                          const KeySet& keys, absl::Time now);

  // Remembers that `token` validated against `keys` (the snapshot read
  // before validating) as `principal`; returns the shared principal.
  std::shared_ptr<const Principal> Insert(absl::string_view token,
                                          const KeySet& keys,
                                          Principal principal);

  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }
  uint64_t misses() const { return misses_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kShards = 16;

  struct Entry {
    std::string token;
    int64_t key_set_version = -1;
    absl::Time valid_from;
    absl::Time valid_until;
    std::shared_ptr<const Principal> principal;
  };
  struct alignas(64) Shard {
    absl::Mutex mu;
    std::vector<Entry> slots ABSL_GUARDED_BY(mu);
  };

  Entry& SlotFor(Shard& shard, size_t hash)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(shard.mu);

  const Options options_;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> hits_{0};
  std::atomic<uint64_t> misses_{0};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_VERIFIED_TOKEN_CACHE_H_
