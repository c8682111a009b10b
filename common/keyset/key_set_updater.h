// KeySetUpdater: applies the messages of a WatchKeys stream to an immutable
// KeySet (common/token/key_set.h) and hands back the next snapshot. Plain
// C++, no I/O; the KeySetWatcher owns one and publishes what it returns.
//
//   KeySetUpdater updater;                       // empty, version 0
//   absl::StatusOr<std::shared_ptr<const KeySet>> next =
//       updater.Apply(response, clock->Now());
//   if (!next.ok()) { /* refused: updater.current() is unchanged */ }
//   else if (*next != published) { publish(*next); }
//
// What each message does (keyadmin.proto is the contract):
// - Snapshot: replaces everything with a fresh set at its version (keys from
//   KeyMaterial, see key_material.h; EXPIRED ones left out; revoked jtis and
//   subjects). Accepted at any version: the server sends a snapshot exactly
//   when the watcher's version cannot be resumed from, including when the
//   watcher is ahead of it.
// - KeyEvent ADDED / STATE_CHANGED: the key replaces any key with its kid
//   (REVOKED becomes a tombstone, EXPIRED removes it); REMOVED removes it.
// - RevocationEvent: RevokeJti(jti, expires_at) or RevokeSubject(subject,
//   revoked_before).
// - Heartbeat: the same keys at the heartbeat's version. A message that
//   changes nothing (a heartbeat at the current version) returns the current
//   snapshot object itself, so callers publish nothing.
// Events and heartbeats carry versions: one lower than the current version
// is stale and refused; one equal to it is applied (idempotently: it can
// only repeat a change already made). Before the first snapshot (when
// starting from version 0) every other message is refused, since a resume
// from the version it carries would skip the snapshot.
//
// A refused message leaves the updater unchanged (the old set is kept):
// INVALID_ARGUMENT for malformed messages (wrong material sizes, missing
// fields), FAILED_PRECONDITION for stale or out-of-order ones. Either way the
// stream is no longer trustworthy; the watcher drops it and resumes.
//
// Revoked jtis whose tokens expired more than `jti_prune_grace` before `now`
// are dropped whenever a new snapshot is built, so the list stays bounded on
// a long-lived stream.
//
// Not thread-safe: one owner.
#ifndef MESHID_COMMON_KEYSET_KEY_SET_UPDATER_H_
#define MESHID_COMMON_KEYSET_KEY_SET_UPDATER_H_

#include <cstdint>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/token/key_set.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"

namespace meshid::keyset {

class KeySetUpdater {
 public:
  struct Options {
    // Revoked jtis are kept this long after their token's expiry (which
    // already includes the issuer's skew) before they are pruned.
    absl::Duration jti_prune_grace = absl::Minutes(5);
  };

  // Starts from the empty set at version 0, waiting for a snapshot.
  KeySetUpdater();
  explicit KeySetUpdater(Options options);
  // Starts from `start` (e.g. a set kept from a previous run). A set with a
  // version above 0 counts as synced: events may follow it directly.
  KeySetUpdater(std::shared_ptr<const KeySet> start, Options options);

  // Applies one stream message at time `now` (used only for pruning). On
  // success the result is also current(); it is the very object current()
  // held before when nothing changed.
  absl::StatusOr<std::shared_ptr<const KeySet>> Apply(
      const keyadmin::v1::WatchKeysResponse& message, absl::Time now);

  const std::shared_ptr<const KeySet>& current() const { return current_; }
  int64_t version() const { return current_->version(); }
  // True once a snapshot was applied (or the start set had a version).
  bool synced() const { return synced_; }
  // The since_version to ask for when (re)connecting: version() once
  // synced, else 0 (a snapshot).
  int64_t resume_version() const { return synced_ ? version() : 0; }

 private:
  absl::StatusOr<std::shared_ptr<const KeySet>> ApplySnapshot(
      const keyadmin::v1::Snapshot& snapshot, absl::Time now);
  absl::StatusOr<std::shared_ptr<const KeySet>> ApplyKeyEvent(
      const keyadmin::v1::KeyEvent& event, absl::Time now);
  absl::StatusOr<std::shared_ptr<const KeySet>> ApplyRevocation(
      const keyadmin::v1::RevocationEvent& event, absl::Time now);
  absl::StatusOr<std::shared_ptr<const KeySet>> ApplyHeartbeat(
      const keyadmin::v1::Heartbeat& heartbeat, absl::Time now);
  // OK when an event or heartbeat at `version` may be applied now.
  absl::Status CheckEventVersion(int64_t version, absl::string_view what) const;
  std::shared_ptr<const KeySet> Finish(KeySet::Builder builder, int64_t version,
                                       absl::Time now);

  Options options_;
  std::shared_ptr<const KeySet> current_;
  bool synced_ = false;
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_KEY_SET_UPDATER_H_
