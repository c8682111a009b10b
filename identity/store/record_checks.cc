#include "identity/store/record_checks.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/storable_text.h"

namespace meshid::identity::store_internal {

absl::Status CheckText(absl::string_view value, absl::string_view what) {
  if (!storage::IsStorableText(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be UTF-8 text without NUL bytes"));
  }
  return absl::OkStatus();
}

absl::Status CheckId(absl::string_view value, absl::string_view what) {
  if (value.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " must not be empty"));
  }
  return CheckText(value, what);
}

absl::Status CheckKeyText(const KeyRecord& key) {
  RETURN_IF_ERROR(CheckId(key.kid, "kid"));
  RETURN_IF_ERROR(CheckText(key.client_id, "client_id"));
  RETURN_IF_ERROR(CheckText(key.audience, "audience"));
  return CheckText(key.created_by, "created_by");
}

absl::Status CheckPrincipalText(const PrincipalRecord& principal) {
  RETURN_IF_ERROR(CheckId(principal.id, "principal id"));
  for (const std::string& role : principal.granted_roles) {
    RETURN_IF_ERROR(CheckText(role, "granted role"));
  }
  return CheckText(principal.password_hash, "password_hash");
}

absl::Status CheckClientText(const ClientRecord& client) {
  RETURN_IF_ERROR(CheckId(client.client_id, "client_id"));
  RETURN_IF_ERROR(CheckText(client.display_name, "display_name"));
  RETURN_IF_ERROR(CheckText(client.secret_hash, "secret_hash"));
  return CheckText(client.policy_json, "policy_json");
}

absl::Status CheckAuditText(const AuditEvent& event) {
  RETURN_IF_ERROR(CheckText(event.actor, "audit actor"));
  RETURN_IF_ERROR(CheckText(event.action, "audit action"));
  RETURN_IF_ERROR(CheckText(event.target, "audit target"));
  RETURN_IF_ERROR(CheckText(event.kid, "audit kid"));
  for (const auto& [name, value] : event.details) {
    RETURN_IF_ERROR(CheckText(name, "audit detail name"));
    RETURN_IF_ERROR(CheckText(value, "audit detail value"));
  }
  return absl::OkStatus();
}

absl::Status CheckLimit(int limit) {
  if (limit <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("limit must be positive, got ", limit));
  }
  return absl::OkStatus();
}

}  // namespace meshid::identity::store_internal
