#include "gateway/verified_token_cache.h"

#include <algorithm>
#include <utility>

#include "absl/hash/hash.h"

namespace meshid::gateway {

VerifiedTokenCache::VerifiedTokenCache(const Options& options)
    : options_(options) {
  for (Shard& shard : shards_) {
    absl::MutexLock lock(&shard.mu);
    shard.slots.resize(std::max<size_t>(1, options_.slots_per_shard));
  }
}

VerifiedTokenCache::Entry& VerifiedTokenCache::SlotFor(Shard& shard,
                                                       size_t hash) {
  return shard.slots[(hash >> 8) % shard.slots.size()];
}

std::shared_ptr<const Principal> VerifiedTokenCache::Lookup(
    absl::string_view token, const KeySet& keys, absl::Time now) {
  const size_t hash = absl::Hash<absl::string_view>{}(token);
  Shard& shard = shards_[hash % kShards];
  std::shared_ptr<const Principal> found;
  {
    absl::MutexLock lock(&shard.mu);
    const Entry& e = SlotFor(shard, hash);
    if (e.key_set_version == keys.version() && now >= e.valid_from &&
        now < e.valid_until && e.token == token) {
      found = e.principal;
    }
  }
  (found != nullptr ? hits_ : misses_).fetch_add(1, std::memory_order_relaxed);
  return found;
}

std::shared_ptr<const Principal> VerifiedTokenCache::Insert(
    absl::string_view token, const KeySet& keys, Principal principal) {
  const absl::Duration skew = options_.clock_skew;
  const absl::Duration one_ns = absl::Nanoseconds(1);
  // The verifier's rules: now < exp + skew; now >= nbf - skew;
  // now >= iat - skew. Principal times are floored to the nanosecond, so
  // the lower bounds move up by one to stay inside the exact window.
  absl::Time valid_from = principal.issued_at - skew + one_ns;
  if (principal.not_before.has_value()) {
    valid_from = std::max(valid_from, *principal.not_before - skew + one_ns);
  }
  absl::Time valid_until = principal.expires_at + skew;
  if (const VerificationKey* key = keys.Find(principal.kid)) {
    valid_until = std::min(valid_until, key->verify_until);
  } else {
    valid_until = absl::InfinitePast();  // not from this snapshot: never hit
  }
  auto shared = std::make_shared<const Principal>(std::move(principal));
  const size_t hash = absl::Hash<absl::string_view>{}(token);
  Shard& shard = shards_[hash % kShards];
  absl::MutexLock lock(&shard.mu);
  Entry& e = SlotFor(shard, hash);
  e.token.assign(token.data(), token.size());
  e.key_set_version = keys.version();
  e.valid_from = valid_from;
  e.valid_until = valid_until;
  e.principal = shared;
  return shared;
}

}  // namespace meshid::gateway
