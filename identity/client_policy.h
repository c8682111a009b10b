// ClientPolicy: what a service client may ask the issuer for — which
// audiences, which scopes per audience, the longest token lifetime, and
// which key signs its tokens.
//
// Stored as JSON (ToJson/FromJson) so the store keeps it opaque.
#ifndef MESHID_IDENTITY_CLIENT_POLICY_H_
#define MESHID_IDENTITY_CLIENT_POLICY_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/token/algorithm.h"

namespace meshid::identity {

inline constexpr size_t kMaxNameLength = 128;
inline constexpr size_t kMaxAudiencesPerClient = 256;
inline constexpr size_t kMaxScopesPerAudience = 64;

// Client ids, audiences, principal ids: 1-128 of [A-Za-z0-9._:/@-], starting
// with a letter or digit. Narrow on purpose: these strings end up in token
// claims, metric labels, log lines and SQL parameters.
absl::Status ValidateName(absl::string_view what, absl::string_view name);
// Scopes: 1-128 of [A-Za-z0-9._:/-] (no spaces: the claim is
// space-separated).
absl::Status ValidateScope(absl::string_view scope);

struct ClientPolicy {
  // audience -> allowed scopes (possibly none).
  std::map<std::string, std::set<std::string>> audiences;
  absl::Duration max_token_ttl = absl::Hours(1);
  Algorithm signing_alg = Algorithm::kHs256;

  bool AllowsAudience(absl::string_view audience) const {
    return audiences.find(std::string(audience)) != audiences.end();
  }

  // Checks names, scopes, counts, and 1s <= max_token_ttl <= `ttl_ceiling`.
  absl::Status Validate(absl::Duration ttl_ceiling) const;

  std::string ToJson() const;
  static absl::StatusOr<ClientPolicy> FromJson(absl::string_view json);

  bool operator==(const ClientPolicy& other) const {
    return audiences == other.audiences &&
           max_token_ttl == other.max_token_ttl &&
           signing_alg == other.signing_alg;
  }
};

// The scope string to grant: `requested` (empty = everything the policy
// allows for `audience`), sorted and space-separated. PERMISSION_DENIED
// naming the first scope the policy does not allow.
absl::StatusOr<std::string> GrantScopes(
    const ClientPolicy& policy, absl::string_view audience,
    const std::vector<std::string>& requested);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_CLIENT_POLICY_H_
