#include "identity/store/record_checks.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace meshid::identity::store_internal {
namespace {

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above
// U+10FFFF.
bool IsUtf8WithoutNul(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

absl::Status CheckText(absl::string_view value, absl::string_view what) {
  if (!IsUtf8WithoutNul(value)) {
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
