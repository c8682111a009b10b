#include "identity/proto_convert.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/status_macros.h"
#include "identity/principal_service.h"

namespace meshid::identity {

void ToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rem * 1000));
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

absl::StatusOr<absl::Duration> FromProto(const google::protobuf::Duration& d,
                                         absl::string_view field) {
  if (d.seconds() < 0 || d.nanos() < 0 || d.nanos() >= 1000000000 ||
      d.seconds() > 10LL * 365 * 24 * 3600) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, " must be a non-negative duration"));
  }
  return absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
}

keyadmin_pb::KeyAlgorithm ToProto(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHs256:
      return keyadmin_pb::KEY_ALGORITHM_HS256;
    case Algorithm::kEdDsa:
      return keyadmin_pb::KEY_ALGORITHM_EDDSA;
    case Algorithm::kEs256:
      return keyadmin_pb::KEY_ALGORITHM_ES256;
  }
  return keyadmin_pb::KEY_ALGORITHM_UNSPECIFIED;
}

absl::StatusOr<Algorithm> FromProto(keyadmin_pb::KeyAlgorithm alg,
                                    absl::string_view field) {
  switch (alg) {
    case keyadmin_pb::KEY_ALGORITHM_HS256:
      return Algorithm::kHs256;
    case keyadmin_pb::KEY_ALGORITHM_EDDSA:
      return Algorithm::kEdDsa;
    case keyadmin_pb::KEY_ALGORITHM_ES256:
      return Algorithm::kEs256;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(field, " must be HS256, EDDSA or ES256"));
  }
}

keyadmin_pb::KeyState ToProto(KeyState state) {
  switch (state) {
    case KeyState::kPending:
      return keyadmin_pb::KEY_STATE_PENDING;
    case KeyState::kActive:
      return keyadmin_pb::KEY_STATE_ACTIVE;
    case KeyState::kRetired:
      return keyadmin_pb::KEY_STATE_RETIRED;
    case KeyState::kExpired:
      return keyadmin_pb::KEY_STATE_EXPIRED;
    case KeyState::kRevoked:
      return keyadmin_pb::KEY_STATE_REVOKED;
  }
  return keyadmin_pb::KEY_STATE_UNSPECIFIED;
}

std::optional<KeyState> FromProto(keyadmin_pb::KeyState state) {
  switch (state) {
    case keyadmin_pb::KEY_STATE_PENDING:
      return KeyState::kPending;
    case keyadmin_pb::KEY_STATE_ACTIVE:
      return KeyState::kActive;
    case keyadmin_pb::KEY_STATE_RETIRED:
      return KeyState::kRetired;
    case keyadmin_pb::KEY_STATE_EXPIRED:
      return KeyState::kExpired;
    case keyadmin_pb::KEY_STATE_REVOKED:
      return KeyState::kRevoked;
    default:
      return std::nullopt;
  }
}

identity_pb::PrincipalState ToProto(PrincipalState state) {
  return static_cast<identity_pb::PrincipalState>(static_cast<int>(state));
}

std::optional<PrincipalState> FromProto(identity_pb::PrincipalState state) {
  const int v = static_cast<int>(state);
  if (v < 1 || v > 6) return std::nullopt;
  return static_cast<PrincipalState>(v);  // the numbers match by design
}

identity_pb::PrincipalKind ToProto(PrincipalKind kind) {
  return static_cast<identity_pb::PrincipalKind>(static_cast<int>(kind));
}

std::optional<PrincipalKind> FromProto(identity_pb::PrincipalKind kind) {
  if (kind == identity_pb::PRINCIPAL_KIND_SERVICE)
    return PrincipalKind::kService;
  if (kind == identity_pb::PRINCIPAL_KIND_USER) return PrincipalKind::kUser;
  return std::nullopt;
}

absl::StatusOr<PrincipalEvent> FromProto(keyadmin_pb::PrincipalEvent event) {
  const int v = static_cast<int>(event);
  if (v < 1 || v > 6) {
    return absl::InvalidArgumentError(
        "event must be REGISTER, SUBSCRIBE, UNSUBSCRIBE, SUSPEND, REINSTATE "
        "or DELETE");
  }
  return static_cast<PrincipalEvent>(v);
}

absl::StatusOr<KeySlot> FromProto(const keyadmin_pb::KeySlot& slot) {
  KeySlot out;
  switch (slot.slot_case()) {
    case keyadmin_pb::KeySlot::kPair:
      out = KeySlot::Pair(slot.pair().client_id(), slot.pair().audience());
      break;
    case keyadmin_pb::KeySlot::kIssuer: {
      ASSIGN_OR_RETURN(Algorithm alg,
                       FromProto(slot.issuer().alg(), "slot.issuer.alg"));
      if (alg == Algorithm::kHs256) {
        return absl::InvalidArgumentError(
            "slot.issuer.alg must be EDDSA or ES256 (HS256 keys belong to a "
            "pair)");
      }
      out = KeySlot::Issuer(alg);
      break;
    }
    default:
      return absl::InvalidArgumentError("slot is required (pair or issuer)");
  }
  RETURN_IF_ERROR(out.Validate());
  return out;
}

void ToProto(const KeySlot& slot, keyadmin_pb::KeySlot* out) {
  if (slot.is_pair()) {
    out->mutable_pair()->set_client_id(slot.client_id);
    out->mutable_pair()->set_audience(slot.audience);
  } else {
    out->mutable_issuer()->set_alg(ToProto(slot.alg));
  }
}

void ToProto(const KeyRecord& key, keyadmin_pb::Key* out) {
  out->set_kid(key.kid);
  out->set_alg(ToProto(key.alg));
  ToProto(KeySlot::Of(key), out->mutable_slot());
  out->set_state(ToProto(key.state));
  ToProto(key.created_at, out->mutable_created_at());
  if (key.activated_at) ToProto(*key.activated_at, out->mutable_activated_at());
  if (key.retired_at) ToProto(*key.retired_at, out->mutable_retired_at());
  if (key.expires_at) ToProto(*key.expires_at, out->mutable_expires_at());
  if (key.revoked_at) ToProto(*key.revoked_at, out->mutable_revoked_at());
  out->set_created_by(key.created_by);
}

absl::StatusOr<ClientPolicy> FromProto(const keyadmin_pb::ClientPolicy& policy,
                                       absl::Duration ttl_ceiling) {
  ClientPolicy out;
  for (const std::string& audience : policy.allowed_audiences()) {
    if (!out.audiences.emplace(audience, std::set<std::string>()).second) {
      return absl::InvalidArgumentError(absl::StrCat(
          "policy.allowed_audiences lists '", audience, "' twice"));
    }
  }
  for (const keyadmin_pb::AudienceScopes& entry : policy.audience_scopes()) {
    auto it = out.audiences.find(entry.audience());
    if (it == out.audiences.end()) {
      return absl::InvalidArgumentError(
          absl::StrCat("policy.audience_scopes names '", entry.audience(),
                       "', which is not in policy.allowed_audiences"));
    }
    it->second.insert(entry.scopes().begin(), entry.scopes().end());
  }
  out.max_token_ttl = ttl_ceiling;
  if (policy.has_max_token_ttl()) {
    ASSIGN_OR_RETURN(out.max_token_ttl,
                     FromProto(policy.max_token_ttl(), "policy.max_token_ttl"));
  }
  if (policy.signing_alg() != keyadmin_pb::KEY_ALGORITHM_UNSPECIFIED) {
    ASSIGN_OR_RETURN(out.signing_alg,
                     FromProto(policy.signing_alg(), "policy.signing_alg"));
  }
  absl::Status valid = out.Validate(ttl_ceiling);
  if (!valid.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("policy: ", valid.message()));
  }
  return out;
}

void ToProto(const ClientPolicy& policy, keyadmin_pb::ClientPolicy* out) {
  for (const auto& [audience, scopes] : policy.audiences) {
    out->add_allowed_audiences(audience);
    if (scopes.empty()) continue;
    keyadmin_pb::AudienceScopes* entry = out->add_audience_scopes();
    entry->set_audience(audience);
    for (const std::string& scope : scopes) entry->add_scopes(scope);
  }
  out->mutable_max_token_ttl()->set_seconds(
      absl::ToInt64Seconds(policy.max_token_ttl));
  out->set_signing_alg(ToProto(policy.signing_alg));
}

void ToProto(const ClientInfo& client, keyadmin_pb::Client* out) {
  out->set_client_id(client.client_id);
  out->set_display_name(client.display_name);
  ToProto(client.policy, out->mutable_policy());
  out->set_state(ToProto(client.state));
  ToProto(client.created_at, out->mutable_created_at());
  ToProto(client.updated_at, out->mutable_updated_at());
}

void ToProto(const PrincipalRecord& principal, keyadmin_pb::Principal* out) {
  out->set_id(principal.id);
  out->set_kind(ToProto(principal.kind));
  out->set_state(ToProto(principal.state));
  if (principal.kind == PrincipalKind::kUser &&
      absl::StartsWith(principal.id, kUserIdPrefix)) {
    out->set_username(principal.id.substr(kUserIdPrefix.size()));
  }
  for (const std::string& role : RolesOf(principal)) out->add_roles(role);
  for (const std::string& role : principal.granted_roles) {
    out->add_granted_roles(role);
  }
  ToProto(principal.created_at, out->mutable_created_at());
  ToProto(principal.updated_at, out->mutable_updated_at());
  if (principal.suspended_from) {
    out->set_suspended_from(ToProto(*principal.suspended_from));
  }
}

void ToProto(const AuditEvent& event, keyadmin_pb::AuditEvent* out) {
  out->set_id(absl::StrCat(event.id));
  ToProto(event.at, out->mutable_time());
  out->set_actor(event.actor);
  out->set_action(event.action);
  out->set_target(event.target);
  out->set_kid(event.kid);
  for (const auto& [k, v] : event.details) (*out->mutable_details())[k] = v;
  out->set_version(event.version);
}

absl::StatusOr<int> PageSize(int32_t requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError("page_size must be >= 0");
  }
  if (requested == 0) return 50;
  return std::min(requested, 1000);
}

std::string EncodePageToken(absl::string_view position) {
  return Base64UrlEncode(absl::StrCat("p1:", position));
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token) {
  if (token.empty()) return std::string();
  std::string decoded;
  if (token.size() > 512 || !Base64UrlDecode(token, &decoded) ||
      !absl::StartsWith(decoded, "p1:")) {
    return absl::InvalidArgumentError("page_token is not valid");
  }
  return decoded.substr(3);
}

}  // namespace meshid::identity
