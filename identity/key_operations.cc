#include "identity/key_operations.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "identity/key_material.h"

namespace meshid::identity {

absl::StatusOr<std::vector<KeyRecord>> KeysOfSlot(
    Transaction& tx, const KeySlot& slot, std::vector<KeyState> states) {
  ASSIGN_OR_RETURN(std::vector<KeyRecord> all, tx.keys().ListAll());
  std::vector<KeyRecord> out;
  for (KeyRecord& key : all) {
    if (!(KeySlot::Of(key) == slot)) continue;
    if (!states.empty() &&
        std::find(states.begin(), states.end(), key.state) == states.end()) {
      continue;
    }
    out.push_back(std::move(key));
  }
  return out;
}

absl::StatusOr<KeyRecord> InsertKey(Transaction& tx, const IdentityContext& ctx,
                                    const KeySlot& slot, KeyState initial,
                                    absl::Time activate_at,
                                    absl::string_view actor) {
  const absl::Time now = ctx.Now();
  KeyRecord key;
  ASSIGN_OR_RETURN(key.kid, NewKid());
  key.alg = slot.alg;
  key.client_id = slot.client_id;
  key.audience = slot.audience;
  key.created_at = now;
  key.created_by = std::string(actor);
  if (initial == KeyState::kActive) {
    key.state = KeyState::kActive;
    key.activated_at = now;
  } else {
    key.state = KeyState::kPending;
    key.activated_at = absl::FromUnixMicros(absl::ToUnixMicros(activate_at));
  }
  ASSIGN_OR_RETURN(crypto::SecretBytes material, GenerateKeyMaterial(slot.alg));
  ASSIGN_OR_RETURN(key.sealed_material,
                   ctx.master_key->Seal(key.kid, material.view()));
  ASSIGN_OR_RETURN(key.version,
                   tx.events().Append(ChangeKind::kKeyChanged, key.kid, now));
  RETURN_IF_ERROR(tx.keys().Insert(key));
  return key;
}

absl::Status MoveKey(Transaction& tx, const IdentityContext& ctx,
                     KeyRecord& key, KeyState to, absl::Time now) {
  RETURN_IF_ERROR(CheckKeyTransition(key.state, to));
  switch (to) {
    case KeyState::kActive:
      key.activated_at = now;
      break;
    case KeyState::kRetired:
      key.retired_at = now;
      key.expires_at = now + ctx.options.RetiredKeyWindow();
      break;
    case KeyState::kRevoked:
      key.revoked_at = now;
      break;
    case KeyState::kExpired:
    case KeyState::kPending:
      break;
  }
  key.state = to;
  ASSIGN_OR_RETURN(key.version,
                   tx.events().Append(ChangeKind::kKeyChanged, key.kid, now));
  return tx.keys().Update(key);
}

absl::StatusOr<std::optional<KeyRecord>> ActivatePending(
    Transaction& tx, const IdentityContext& ctx, KeyRecord& pending,
    absl::Time now) {
  // Activation first: its event takes the write order before the read.
  RETURN_IF_ERROR(MoveKey(tx, ctx, pending, KeyState::kActive, now));
  ASSIGN_OR_RETURN(std::vector<KeyRecord> active,
                   KeysOfSlot(tx, KeySlot::Of(pending), {KeyState::kActive}));
  std::optional<KeyRecord> retired;
  for (KeyRecord& key : active) {
    if (key.kid == pending.kid) continue;
    RETURN_IF_ERROR(MoveKey(tx, ctx, key, KeyState::kRetired, now));
    retired = key;
  }
  return retired;
}

}  // namespace meshid::identity
