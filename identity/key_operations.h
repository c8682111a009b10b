// Key changes made inside an open store transaction, so that a client
// change and the keys it implies commit together. Each records its change
// event; the caller records the audit event for the whole transaction.
//
// Callers must take the global write order first (EventRepository::Append
// locks it) before reading keys they will change: every function here
// appends an event before it reads.
#ifndef MESHID_IDENTITY_KEY_OPERATIONS_H_
#define MESHID_IDENTITY_KEY_OPERATIONS_H_

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "identity/identity_context.h"
#include "identity/key_lifecycle.h"
#include "identity/store/store.h"

namespace meshid::identity {

// The keys of `slot` in `states` (all states when empty), oldest first.
absl::StatusOr<std::vector<KeyRecord>> KeysOfSlot(
    Transaction& tx, const KeySlot& slot, std::vector<KeyState> states = {});

// Makes a new key for `slot` in state `initial`: ACTIVE, or PENDING until
// `activate_at` (kept in activated_at meanwhile).
absl::StatusOr<KeyRecord> InsertKey(Transaction& tx, const IdentityContext& ctx,
                                    const KeySlot& slot, KeyState initial,
                                    absl::Time activate_at,
                                    absl::string_view actor);

// ACTIVE now when `delay` is zero, else PENDING for `delay`.
inline absl::StatusOr<KeyRecord> InsertKeyAfter(Transaction& tx,
                                                const IdentityContext& ctx,
                                                const KeySlot& slot,
                                                absl::Duration delay,
                                                absl::string_view actor) {
  const absl::Time now = ctx.Now();
  return InsertKey(
      tx, ctx, slot,
      delay <= absl::ZeroDuration() ? KeyState::kActive : KeyState::kPending,
      now + delay, actor);
}

// Moves `key` to `to` at `now` (a legal move only), setting the matching
// time fields, and records the change.
absl::Status MoveKey(Transaction& tx, const IdentityContext& ctx,
                     KeyRecord& key, KeyState to, absl::Time now);

// Activates the PENDING `pending` and retires the slot's current ACTIVE key,
// if any. Returns the retired key.
absl::StatusOr<std::optional<KeyRecord>> ActivatePending(
    Transaction& tx, const IdentityContext& ctx, KeyRecord& pending,
    absl::Time now);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_KEY_OPERATIONS_H_
