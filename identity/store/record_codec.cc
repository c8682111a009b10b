#include "identity/store/record_codec.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/json/json_reader.h"
#include "common/json/json_writer.h"

namespace meshid::identity::store_internal {
namespace {

template <typename Enum, size_t N>
absl::StatusOr<Enum> FromName(
    const std::pair<Enum, absl::string_view> (&names)[N],
    absl::string_view text, absl::string_view what) {
  for (const auto& [value, name] : names) {
    if (name == text) return value;
  }
  return absl::InternalError(
      absl::StrCat("store holds an unknown ", what, ": \"", text, "\""));
}

template <typename Enum, size_t N>
absl::string_view ToName(const std::pair<Enum, absl::string_view> (&names)[N],
                         Enum value) {
  for (const auto& [v, name] : names) {
    if (v == value) return name;
  }
  // Out-of-range enum values: the schema's CHECK rejects this name.
  return "INVALID";
}

constexpr std::pair<Algorithm, absl::string_view> kAlgorithms[] = {
    {Algorithm::kHs256, "HS256"},
    {Algorithm::kEdDsa, "EdDSA"},
    {Algorithm::kEs256, "ES256"},
};

constexpr std::pair<KeyState, absl::string_view> kKeyStates[] = {
    {KeyState::kPending, "PENDING"}, {KeyState::kActive, "ACTIVE"},
    {KeyState::kRetired, "RETIRED"}, {KeyState::kExpired, "EXPIRED"},
    {KeyState::kRevoked, "REVOKED"},
};

constexpr std::pair<PrincipalKind, absl::string_view> kPrincipalKinds[] = {
    {PrincipalKind::kService, "SERVICE"},
    {PrincipalKind::kUser, "USER"},
};

constexpr std::pair<PrincipalState, absl::string_view> kPrincipalStates[] = {
    {PrincipalState::kGuest, "GUEST"},
    {PrincipalState::kRegistered, "REGISTERED"},
    {PrincipalState::kSubscriber, "SUBSCRIBER"},
    {PrincipalState::kActive, "ACTIVE"},
    {PrincipalState::kSuspended, "SUSPENDED"},
    {PrincipalState::kDeleted, "DELETED"},
};

constexpr std::pair<ChangeKind, absl::string_view> kChangeKinds[] = {
    {ChangeKind::kKeyChanged, "KEY_CHANGED"},
    {ChangeKind::kJtiRevoked, "JTI_REVOKED"},
    {ChangeKind::kSubjectRevoked, "SUBJECT_REVOKED"},
    {ChangeKind::kClientChanged, "CLIENT_CHANGED"},
    {ChangeKind::kPrincipalChanged, "PRINCIPAL_CHANGED"},
};

// Stored JSON was written by this store, but rows can be large (many roles
// or details), so the token-sized defaults do not apply.
json::JsonLimits StoredJsonLimits() {
  json::JsonLimits limits;
  limits.max_input_bytes = 1 << 20;
  limits.max_depth = 2;
  limits.max_values = 1 << 16;
  return limits;
}

absl::Status CorruptJson(absl::string_view what, json::JsonError error) {
  return absl::InternalError(absl::StrCat("store holds invalid ", what,
                                          " JSON: ", JsonErrorName(error)));
}

}  // namespace

absl::string_view AlgorithmToDb(Algorithm alg) {
  return ToName(kAlgorithms, alg);
}
absl::StatusOr<Algorithm> AlgorithmFromDb(absl::string_view text) {
  return FromName(kAlgorithms, text, "key algorithm");
}

absl::string_view KeyStateToDb(KeyState state) {
  return ToName(kKeyStates, state);
}
absl::StatusOr<KeyState> KeyStateFromDb(absl::string_view text) {
  return FromName(kKeyStates, text, "key state");
}

absl::string_view PrincipalKindToDb(PrincipalKind kind) {
  return ToName(kPrincipalKinds, kind);
}
absl::StatusOr<PrincipalKind> PrincipalKindFromDb(absl::string_view text) {
  return FromName(kPrincipalKinds, text, "principal kind");
}

absl::string_view PrincipalStateToDb(PrincipalState state) {
  return ToName(kPrincipalStates, state);
}
absl::StatusOr<PrincipalState> PrincipalStateFromDb(absl::string_view text) {
  return FromName(kPrincipalStates, text, "principal state");
}

absl::string_view ChangeKindToDb(ChangeKind kind) {
  return ToName(kChangeKinds, kind);
}
absl::StatusOr<ChangeKind> ChangeKindFromDb(absl::string_view text) {
  return FromName(kChangeKinds, text, "change kind");
}

std::string RolesToJson(const std::vector<std::string>& roles) {
  std::string out = "[";
  for (size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out.push_back(',');
    json::AppendQuoted(roles[i], &out);
  }
  out.push_back(']');
  return out;
}

absl::StatusOr<std::vector<std::string>> RolesFromJson(absl::string_view text) {
  json::JsonDocument doc;
  const json::JsonError error = doc.Parse(text, StoredJsonLimits());
  if (error != json::JsonError::kNone) return CorruptJson("roles", error);
  if (doc.root().type != json::JsonType::kArray) {
    return CorruptJson("roles", json::JsonError::kSyntax);
  }
  std::vector<std::string> roles;
  roles.reserve(doc.root().count);
  for (const json::JsonNode* n = doc.FirstChild(doc.root()); n != nullptr;
       n = doc.NextSibling(doc.root(), n)) {
    if (n->type != json::JsonType::kString) {
      return CorruptJson("roles", json::JsonError::kSyntax);
    }
    roles.emplace_back(n->text);
  }
  return roles;
}

std::string DetailsToJson(const std::map<std::string, std::string>& details) {
  std::string out;
  json::ObjectWriter writer(&out);
  for (const auto& [name, value] : details) writer.String(name, value);
  writer.Close();
  return out;
}

absl::StatusOr<std::map<std::string, std::string>> DetailsFromJson(
    absl::string_view text) {
  json::JsonDocument doc;
  const json::JsonError error = doc.Parse(text, StoredJsonLimits());
  if (error != json::JsonError::kNone) return CorruptJson("details", error);
  if (doc.root().type != json::JsonType::kObject) {
    return CorruptJson("details", json::JsonError::kSyntax);
  }
  std::map<std::string, std::string> details;
  for (const json::JsonNode* n = doc.FirstChild(doc.root()); n != nullptr;
       n = doc.NextSibling(doc.root(), n)) {
    if (n->type != json::JsonType::kString) {
      return CorruptJson("details", json::JsonError::kSyntax);
    }
    details.emplace(std::string(n->key), std::string(n->text));
  }
  return details;
}

}  // namespace meshid::identity::store_internal
