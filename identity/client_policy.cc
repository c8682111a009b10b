#include "identity/client_policy.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/json/json_reader.h"
#include "common/json/json_writer.h"
#include "common/status_macros.h"

namespace meshid::identity {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}

absl::Status CheckChars(absl::string_view what, absl::string_view value,
                        absl::string_view extra) {
  if (value.empty() || value.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must be 1-", kMaxNameLength, " characters"));
  }
  if (!IsAlnum(value[0])) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " must start with a letter or digit"));
  }
  for (char c : value) {
    if (!IsAlnum(c) && extra.find(c) == absl::string_view::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          what, " may contain only letters, digits and '", extra, "'"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateName(absl::string_view what, absl::string_view name) {
  return CheckChars(what, name, "._:/@-");
}

absl::Status ValidateScope(absl::string_view scope) {
  return CheckChars("scope", scope, "._:/-");
}

absl::Status ClientPolicy::Validate(absl::Duration ttl_ceiling) const {
  if (audiences.size() > kMaxAudiencesPerClient) {
    return absl::InvalidArgumentError(absl::StrCat(
        "policy allows at most ", kMaxAudiencesPerClient, " audiences"));
  }
  for (const auto& [audience, scopes] : audiences) {
    RETURN_IF_ERROR(ValidateName("audience", audience));
    if (scopes.size() > kMaxScopesPerAudience) {
      return absl::InvalidArgumentError(
          absl::StrCat("audience '", audience, "' has more than ",
                       kMaxScopesPerAudience, " scopes"));
    }
    for (const std::string& scope : scopes) {
      RETURN_IF_ERROR(ValidateScope(scope));
    }
  }
  if (max_token_ttl < absl::Seconds(1) || max_token_ttl > ttl_ceiling) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_token_ttl must be between 1s and ",
                     absl::FormatDuration(ttl_ceiling)));
  }
  return absl::OkStatus();
}

std::string ClientPolicy::ToJson() const {
  std::string audiences_json = "{";
  bool first = true;
  for (const auto& [audience, scopes] : audiences) {
    if (!first) audiences_json.push_back(',');
    first = false;
    json::AppendQuoted(audience, &audiences_json);
    audiences_json.push_back(':');
    json::AppendStringArray(scopes, &audiences_json);
  }
  audiences_json.push_back('}');
  std::string out;
  json::ObjectWriter(&out)
      .Raw("audiences", audiences_json)
      .Int("max_token_ttl_seconds", absl::ToInt64Seconds(max_token_ttl))
      .String("signing_alg", AlgorithmName(signing_alg))
      .Close();
  return out;
}

absl::StatusOr<ClientPolicy> ClientPolicy::FromJson(absl::string_view text) {
  json::JsonDocument doc;
  json::JsonLimits limits;
  limits.max_input_bytes = 1 << 20;
  limits.max_values = 1 << 16;
  if (doc.Parse(text, limits) != json::JsonError::kNone ||
      doc.root().type != json::JsonType::kObject) {
    return absl::DataLossError("stored client policy is not valid JSON");
  }
  auto corrupt = [](absl::string_view what) {
    return absl::DataLossError(absl::StrCat("stored client policy: ", what));
  };
  ClientPolicy policy;
  const json::JsonNode* audiences = doc.FindMember(doc.root(), "audiences");
  if (audiences == nullptr || audiences->type != json::JsonType::kObject) {
    return corrupt("'audiences' must be an object");
  }
  for (const json::JsonNode* a = doc.FirstChild(*audiences); a != nullptr;
       a = doc.NextSibling(*audiences, a)) {
    if (a->type != json::JsonType::kArray) return corrupt("scopes array");
    std::set<std::string>& scopes = policy.audiences[std::string(a->key)];
    for (const json::JsonNode* s = doc.FirstChild(*a); s != nullptr;
         s = doc.NextSibling(*a, s)) {
      if (s->type != json::JsonType::kString) return corrupt("scope type");
      scopes.emplace(s->text);
    }
  }
  const json::JsonNode* ttl =
      doc.FindMember(doc.root(), "max_token_ttl_seconds");
  int64_t seconds = 0;
  if (ttl == nullptr || ttl->type != json::JsonType::kNumber ||
      !absl::SimpleAtoi(ttl->text, &seconds)) {
    return corrupt("'max_token_ttl_seconds'");
  }
  policy.max_token_ttl = absl::Seconds(seconds);
  const json::JsonNode* alg = doc.FindMember(doc.root(), "signing_alg");
  std::optional<Algorithm> parsed;
  if (alg == nullptr || alg->type != json::JsonType::kString ||
      !(parsed = ParseAlgorithm(alg->text)).has_value()) {
    return corrupt("'signing_alg'");
  }
  policy.signing_alg = *parsed;
  return policy;
}

absl::StatusOr<std::string> GrantScopes(
    const ClientPolicy& policy, absl::string_view audience,
    const std::vector<std::string>& requested) {
  auto it = policy.audiences.find(std::string(audience));
  if (it == policy.audiences.end()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "audience '", audience, "' is not allowed for this client"));
  }
  const std::set<std::string>& allowed = it->second;
  if (requested.empty()) return absl::StrJoin(allowed, " ");
  std::set<std::string> granted;
  for (const std::string& scope : requested) {
    if (allowed.count(scope) == 0) {
      return absl::PermissionDeniedError(absl::StrCat(
          "scope '", scope, "' is not allowed for audience '", audience, "'"));
    }
    granted.insert(scope);
  }
  return absl::StrJoin(granted, " ");
}

}  // namespace meshid::identity
