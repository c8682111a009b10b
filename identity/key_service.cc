#include "identity/key_service.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "identity/audit.h"
#include "identity/key_operations.h"

namespace meshid::identity {

absl::Status KeyService::Commit(
    absl::FunctionRef<absl::Status(Transaction&)> fn) {
  RETURN_IF_ERROR(ctx_.store->RunInTransaction(fn));
  // Committed: a failed refresh only delays the views (the periodic
  // refresh catches up), so it does not turn the change into an error.
  (void)ctx_.views->Refresh();
  return absl::OkStatus();
}

absl::StatusOr<absl::Duration> KeyService::ResolveDelay(
    std::optional<absl::Duration> requested) const {
  const absl::Duration delay =
      requested.value_or(ctx_.options.activation_delay);
  if (delay < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("activation_delay must be >= 0");
  }
  return delay;
}

absl::StatusOr<KeyRecord> KeyService::CreateKey(
    const KeySlot& slot, std::optional<absl::Duration> activation_delay,
    absl::string_view actor) {
  RETURN_IF_ERROR(slot.Validate());
  ASSIGN_OR_RETURN(const absl::Duration delay, ResolveDelay(activation_delay));
  KeyRecord created;
  RETURN_IF_ERROR(Commit([&](Transaction& tx) -> absl::Status {
    const absl::Time now = ctx_.Now();
    ASSIGN_OR_RETURN(created, InsertKeyAfter(tx, ctx_, slot, delay, actor));
    if (slot.is_pair()) {
      absl::Status client = tx.clients().Get(slot.client_id).status();
      if (absl::IsNotFound(client)) {
        return absl::NotFoundError(
            absl::StrCat("client '", slot.client_id, "' does not exist"));
      }
      RETURN_IF_ERROR(client);
    }
    ASSIGN_OR_RETURN(
        std::vector<KeyRecord> live,
        KeysOfSlot(tx, slot, {KeyState::kPending, KeyState::kActive}));
    if (live.size() > 1) {  // the one just inserted is among them
      return absl::FailedPreconditionError(absl::StrCat(
          "slot ", slot.Name(), " already has a key; use RotateKey"));
    }
    return WriteAudit(tx,
                      {std::string(actor),
                       "key.create",
                       slot.Name(),
                       created.kid,
                       {{"state", std::string(KeyStateName(created.state))}}},
                      now, created.version);
  }));
  return created;
}

absl::StatusOr<KeyService::Rotation> KeyService::RotateKey(
    const KeySlot& slot, std::optional<absl::Duration> activation_delay,
    absl::string_view actor) {
  RETURN_IF_ERROR(slot.Validate());
  ASSIGN_OR_RETURN(const absl::Duration delay, ResolveDelay(activation_delay));
  Rotation rotation;
  RETURN_IF_ERROR(Commit([&](Transaction& tx) -> absl::Status {
    const absl::Time now = ctx_.Now();
    // Inserted PENDING even for a zero delay, then activated below, so the
    // record shows both moves.
    ASSIGN_OR_RETURN(
        rotation.new_key,
        InsertKey(tx, ctx_, slot, KeyState::kPending, now + delay, actor));
    ASSIGN_OR_RETURN(
        std::vector<KeyRecord> current,
        KeysOfSlot(tx, slot, {KeyState::kPending, KeyState::kActive}));
    bool has_active = false;
    for (const KeyRecord& key : current) {
      if (key.kid == rotation.new_key.kid) continue;
      if (key.state == KeyState::kPending) {
        return absl::FailedPreconditionError(absl::StrCat(
            "slot ", slot.Name(), " already has a rotation pending (key ",
            key.kid, ")"));
      }
      has_active = true;
      rotation.previous_key = key;
    }
    if (!has_active) {
      return absl::FailedPreconditionError(absl::StrCat(
          "slot ", slot.Name(), " has no active key; use CreateKey"));
    }
    if (delay == absl::ZeroDuration()) {
      ASSIGN_OR_RETURN(std::optional<KeyRecord> retired,
                       ActivatePending(tx, ctx_, rotation.new_key, now));
      if (retired.has_value()) rotation.previous_key = *retired;
    }
    rotation.previous_key.sealed_material.clear();
    return WriteAudit(tx,
                      {std::string(actor),
                       "key.rotate",
                       slot.Name(),
                       rotation.new_key.kid,
                       {{"previous_kid", rotation.previous_key.kid},
                        {"activation_delay", absl::FormatDuration(delay)}}},
                      now, rotation.new_key.version);
  }));
  rotation.new_key.sealed_material.clear();
  return rotation;
}

absl::StatusOr<KeyRecord> KeyService::RevokeKey(absl::string_view kid,
                                                absl::string_view reason,
                                                absl::string_view actor) {
  if (kid.empty()) return absl::InvalidArgumentError("kid is required");
  if (reason.size() > 1024) {
    return absl::InvalidArgumentError("reason must be at most 1024 bytes");
  }
  KeyRecord revoked;
  RETURN_IF_ERROR(Commit([&](Transaction& tx) -> absl::Status {
    const absl::Time now = ctx_.Now();
    ASSIGN_OR_RETURN(int64_t version,
                     tx.events().Append(ChangeKind::kKeyChanged, kid, now));
    absl::StatusOr<KeyRecord> key = tx.keys().Get(kid);
    if (absl::IsNotFound(key.status())) {
      return absl::NotFoundError(absl::StrCat("key '", kid, "' not found"));
    }
    RETURN_IF_ERROR(key.status());
    revoked = *std::move(key);
    const bool was_active = revoked.state == KeyState::kActive;
    RETURN_IF_ERROR(MoveKey(tx, ctx_, revoked, KeyState::kRevoked, now));
    std::map<std::string, std::string> details = {
        {"reason", std::string(reason)}};
    if (was_active) {
      ASSIGN_OR_RETURN(KeyRecord replacement,
                       InsertKey(tx, ctx_, KeySlot::Of(revoked),
                                 KeyState::kActive, now, actor));
      details["replacement_kid"] = replacement.kid;
    }
    return WriteAudit(
        tx,
        {std::string(actor), "key.revoke", KeySlot::Of(revoked).Name(),
         revoked.kid, std::move(details)},
        now, version);
  }));
  revoked.sealed_material.clear();
  return revoked;
}

absl::StatusOr<KeyRecord> KeyService::GetKey(absl::string_view kid) {
  KeyRecord key;
  RETURN_IF_ERROR(ctx_.store->RunInTransaction([&](Transaction& tx) {
    absl::StatusOr<KeyRecord> found = tx.keys().Get(kid);
    if (absl::IsNotFound(found.status())) {
      return absl::NotFoundError(absl::StrCat("key '", kid, "' not found"));
    }
    RETURN_IF_ERROR(found.status());
    key = *std::move(found);
    return absl::OkStatus();
  }));
  key.sealed_material.clear();
  return key;
}

absl::StatusOr<std::vector<KeyRecord>> KeyService::ListKeys() {
  std::vector<KeyRecord> keys;
  RETURN_IF_ERROR(ctx_.store->RunInTransaction([&](Transaction& tx) {
    ASSIGN_OR_RETURN(keys, tx.keys().ListAll());
    return absl::OkStatus();
  }));
  for (KeyRecord& key : keys) key.sealed_material.clear();
  return keys;
}

absl::StatusOr<int> KeyService::Tick() {
  const absl::Time now = ctx_.Now();
  // Candidates come from memory; each move re-reads its key in the
  // transaction, so a stale view or another replica doing the same move
  // costs nothing but a no-op.
  std::vector<std::string> due_pending, due_expiry;
  std::vector<KeySlot> due_rotation;
  ctx_.views->Current()->ForEachKey([&](const KeyView& key) {
    const KeyRecord& r = key.record;
    if (r.state == KeyState::kPending && r.activated_at.has_value() &&
        *r.activated_at <= now) {
      due_pending.push_back(r.kid);
    } else if (r.state == KeyState::kRetired && r.expires_at.has_value() &&
               *r.expires_at <= now) {
      due_expiry.push_back(r.kid);
    } else if (r.state == KeyState::kActive &&
               ctx_.options.rotation_period > absl::ZeroDuration() &&
               r.activated_at.has_value() &&
               *r.activated_at + ctx_.options.rotation_period <= now) {
      due_rotation.push_back(KeySlot::Of(r));
    }
  });
  int changed = 0;
  auto move_if = [&](const std::string& kid, KeyState expected,
                     absl::string_view action) -> absl::Status {
    return Commit([&](Transaction& tx) -> absl::Status {
      ASSIGN_OR_RETURN(int64_t version,
                       tx.events().Append(ChangeKind::kKeyChanged, kid, now));
      ASSIGN_OR_RETURN(KeyRecord key, tx.keys().Get(kid));
      if (key.state != expected) return absl::OkStatus();  // already moved
      std::map<std::string, std::string> details;
      if (expected == KeyState::kPending) {
        ASSIGN_OR_RETURN(std::optional<KeyRecord> retired,
                         ActivatePending(tx, ctx_, key, now));
        if (retired.has_value()) details["retired_kid"] = retired->kid;
      } else {
        RETURN_IF_ERROR(MoveKey(tx, ctx_, key, KeyState::kExpired, now));
      }
      ++changed;
      return WriteAudit(tx,
                        {"system", std::string(action), KeySlot::Of(key).Name(),
                         kid, std::move(details)},
                        now, version);
    });
  };
  for (const std::string& kid : due_pending) {
    RETURN_IF_ERROR(move_if(kid, KeyState::kPending, "key.activate"));
  }
  for (const std::string& kid : due_expiry) {
    RETURN_IF_ERROR(move_if(kid, KeyState::kRetired, "key.expire"));
  }
  for (const KeySlot& slot : due_rotation) {
    absl::StatusOr<Rotation> r = RotateKey(slot, std::nullopt, "system");
    if (r.ok()) {
      ++changed;
    } else if (!absl::IsFailedPrecondition(r.status())) {
      return r.status();  // a pending rotation or a moved key is fine
    }
  }
  return changed;
}

absl::Status KeyService::EnsureIssuerKeys(absl::string_view actor) {
  for (Algorithm alg : {Algorithm::kEdDsa, Algorithm::kEs256}) {
    const KeySlot slot = KeySlot::Issuer(alg);
    const auto snapshot = ctx_.views->Current();
    if (snapshot->ActiveKey(slot) != nullptr || snapshot->HasPendingKey(slot)) {
      continue;
    }
    // No validator can hold a token of a key that never existed, so the
    // first issuer key is active at once.
    absl::StatusOr<KeyRecord> key =
        CreateKey(slot, absl::ZeroDuration(), actor);
    if (!key.ok() && !absl::IsFailedPrecondition(key.status())) {
      return key.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace meshid::identity
