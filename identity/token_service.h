// TokenService: the token plane. Issues tokens to clients (client
// credentials) and users (password via the login client), introspects and
// revokes them, and serves the JWKS.
//
// IssueToken reads memory only (the current IdentitySnapshot): the client,
// its policy and its slot's signing key. Login reads the user's record.
#ifndef MESHID_IDENTITY_TOKEN_SERVICE_H_
#define MESHID_IDENTITY_TOKEN_SERVICE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/token/principal.h"
#include "common/token/verify_error.h"
#include "identity/identity_context.h"
#include "identity/identity_snapshot.h"
#include "identity/principal_service.h"

namespace meshid::identity {

struct TokenRequest {
  std::string audience;
  std::vector<std::string> scopes;            // empty = all the policy allows
  absl::Duration ttl = absl::ZeroDuration();  // 0 = the default
};

struct IssuedToken {
  std::string access_token;
  int64_t expires_in = 0;  // seconds
  std::string scope;
  // For metrics only.
  std::string audience;
  Algorithm alg = Algorithm::kHs256;
};

struct Introspection {
  bool active = false;
  Principal principal;  // when active
  std::string issuer;
};

// Observes the token plane for metrics. Implementations are thread-safe.
class TokenObserver {
 public:
  virtual ~TokenObserver() = default;
  virtual void OnIssued(const IssuedToken& token, absl::Duration latency) = 0;
  // `reason`: a stable snake_case word ("bad_credentials", "policy", ...).
  virtual void OnIssueFailed(absl::string_view reason) = 0;
};

class TokenService {
 public:
  TokenService(const IdentityContext& ctx, PrincipalService* principals,
               TokenObserver* observer = nullptr)
      : ctx_(ctx), principals_(principals), observer_(observer) {}

  // Client credentials. UNAUTHENTICATED ("invalid client credentials",
  // the same for an unknown client and a wrong secret), PERMISSION_DENIED
  // for a suspended client or an audience/scope outside its policy,
  // FAILED_PRECONDITION when the slot has no key, UNAVAILABLE while its only
  // key is still PENDING.
  absl::StatusOr<IssuedToken> IssueToken(absl::string_view client_id,
                                         absl::string_view client_secret,
                                         const TokenRequest& request);

  // A token for one of meshid's own service clients (the audit shipper's),
  // issued in-process without its secret: a path no gRPC method reaches,
  // under the client's policy and keys like any other. FAILED_PRECONDITION
  // when the client does not exist; otherwise as IssueToken.
  absl::StatusOr<IssuedToken> IssueOwnToken(absl::string_view client_id,
                                            const TokenRequest& request);

  // A user token through the login client's policy and keys.
  absl::StatusOr<IssuedToken> Login(absl::string_view username,
                                    absl::string_view password,
                                    const TokenRequest& request);

  // RFC 7662: active with its claims when the token verifies now (for its
  // own audience); inactive otherwise, with nothing else said.
  Introspection Introspect(absl::string_view token) const;

  // Revokes a token the caller holds (RFC 7009: one that does not verify
  // is ignored and the call succeeds) or a jti (the caller was checked for
  // tokens:revoke). Revoking twice is fine.
  absl::Status RevokeToken(absl::string_view token, absl::string_view actor);
  absl::Status RevokeJti(absl::string_view jti, absl::string_view actor);

 private:
  // `snapshot` is read once per request and owns `client`.
  absl::StatusOr<IssuedToken> Sign(const IdentitySnapshot& snapshot,
                                   const ClientView& client,
                                   absl::string_view subject,
                                   const std::vector<std::string>& roles,
                                   absl::string_view principal_state,
                                   const TokenRequest& request);
  absl::Status Fail(absl::string_view reason, absl::Status status);

  const IdentityContext& ctx_;
  PrincipalService* const principals_;
  TokenObserver* const observer_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_TOKEN_SERVICE_H_
