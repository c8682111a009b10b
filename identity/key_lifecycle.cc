#include "identity/key_lifecycle.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "identity/client_policy.h"

namespace meshid::identity {

absl::Status CheckKeyTransition(KeyState from, KeyState to) {
  bool legal = false;
  switch (to) {
    case KeyState::kActive:
      legal = from == KeyState::kPending;
      break;
    case KeyState::kRetired:
      legal = from == KeyState::kActive;
      break;
    case KeyState::kExpired:
      legal = from == KeyState::kRetired;
      break;
    case KeyState::kRevoked:
      legal = from == KeyState::kPending || from == KeyState::kActive ||
              from == KeyState::kRetired;
      break;
    case KeyState::kPending:
      legal = false;  // keys are born PENDING, never return to it
      break;
  }
  if (legal) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      "a key cannot move from ", KeyStateName(from), " to ", KeyStateName(to)));
}

std::string KeySlot::Name() const {
  if (is_pair()) return absl::StrCat("HS256:", client_id, ":", audience);
  return absl::StrCat("issuer:", AlgorithmName(alg));
}

absl::Status KeySlot::Validate() const {
  if (is_pair()) {
    RETURN_IF_ERROR(ValidateName("slot client_id", client_id));
    return ValidateName("slot audience", audience);
  }
  if (!client_id.empty() || !audience.empty()) {
    return absl::InvalidArgumentError(
        "an issuer slot (EdDSA, ES256) has no client_id or audience");
  }
  return absl::OkStatus();
}

}  // namespace meshid::identity
