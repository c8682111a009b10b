// ShardedTable: a bounded string-keyed table split into shards, each with
// its own reader/writer lock, for per-caller state on the request path (one
// entry per subject, per peer address). Lookups of existing entries take one
// shard's reader lock, so concurrent calls rarely wait; entries that need
// mutation on every call keep atomics and are changed under the reader lock.
//
//   ShardedTable<PeerState> peers(/*max_entries=*/100000);
//   peers.Read(ip, [&](const PeerState& p) { blocked = p.blocked_until > t; });
//   peers.Write(ip, [&](PeerState& p) { p.failures.Add(slot); });
//   peers.EraseIf([&](const PeerState& p) { return p.Idle(now); });
//
// Entries are never moved (absl::node_hash_map), so values may hold
// atomics. The callbacks run under a shard lock: keep them short and never
// call back into the table.
#ifndef MESHID_GATEWAY_SHARDED_TABLE_H_
#define MESHID_GATEWAY_SHARDED_TABLE_H_

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/container/node_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace meshid::gateway {

template <typename Value>
class ShardedTable {
 public:
  static constexpr size_t kShards = 32;

  // At most `max_entries` entries in all (each shard takes its share).
  explicit ShardedTable(size_t max_entries)
      : max_per_shard_(max_entries / kShards + 1) {}

  ShardedTable(const ShardedTable&) = delete;
  ShardedTable& operator=(const ShardedTable&) = delete;

  // Calls fn(Value&) under the shard's reader lock when `key` exists; the
  // value may only be changed through its atomics. False when absent.
  template <typename Fn>
  bool Read(absl::string_view key, Fn&& fn) {
    Shard& shard = ShardOf(key);
    absl::ReaderMutexLock lock(&shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) return false;
    fn(it->second);
    return true;
  }

  // As Read, but creates the entry (default-constructed, under the writer
  // lock) when absent. False, without calling fn, when the shard is full.
  template <typename Fn>
  bool ReadOrCreate(absl::string_view key, Fn&& fn) {
    if (Read(key, fn)) return true;
    Shard& shard = ShardOf(key);
    absl::MutexLock lock(&shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) {
      if (shard.map.size() >= max_per_shard_) return false;
      it = shard.map.try_emplace(std::string(key)).first;
      size_.fetch_add(1, std::memory_order_relaxed);
    }
    fn(it->second);
    return true;
  }

  // Calls fn(Value&) under the shard's writer lock, creating the entry when
  // absent. False, without calling fn, when the shard is full.
  template <typename Fn>
  bool Write(absl::string_view key, Fn&& fn) {
    Shard& shard = ShardOf(key);
    absl::MutexLock lock(&shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) {
      if (shard.map.size() >= max_per_shard_) return false;
      it = shard.map.try_emplace(std::string(key)).first;
      size_.fetch_add(1, std::memory_order_relaxed);
    }
    fn(it->second);
    return true;
  }

  // Calls fn(const std::string& key, Value&) for every entry, one shard's
  // reader lock at a time.
  template <typename Fn>
  void ForEach(Fn&& fn) {
    for (Shard& shard : shards_) {
      absl::ReaderMutexLock lock(&shard.mu);
      for (auto& [key, value] : shard.map) fn(key, value);
    }
  }

  // Removes the entries for which pred(Value&) is true (under each shard's
  // writer lock); returns how many.
  template <typename Pred>
  size_t EraseIf(Pred&& pred) {
    size_t erased = 0;
    for (Shard& shard : shards_) {
      absl::MutexLock lock(&shard.mu);
      for (auto it = shard.map.begin(); it != shard.map.end();) {
        if (pred(it->second)) {
          shard.map.erase(it++);
          ++erased;
        } else {
          ++it;
        }
      }
    }
    size_.fetch_sub(erased, std::memory_order_relaxed);
    return erased;
  }

  size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  struct alignas(64) Shard {
    absl::Mutex mu;
    absl::node_hash_map<std::string, Value> map ABSL_GUARDED_BY(mu);
  };

  Shard& ShardOf(absl::string_view key) {
    // The high bits: the maps inside use the low ones, and keys of one
    // shard should not share them.
    const uint64_t hash = absl::Hash<absl::string_view>{}(key);
    return shards_[(hash >> 40) % kShards];
  }

  const size_t max_per_shard_;
  std::array<Shard, kShards> shards_;
  std::atomic<size_t> size_{0};
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_SHARDED_TABLE_H_
