#include "identity/token_service.h"

#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/crypto/constant_time.h"
#include "common/crypto/random.h"
#include "common/json/json_reader.h"
#include "common/status_macros.h"
#include "common/token/token_signer.h"
#include "common/token/token_verifier.h"
#include "identity/audit.h"
#include "identity/client_policy.h"
#include "identity/identity_snapshot.h"
#include "identity/revocation_operations.h"

namespace meshid::identity {
namespace {

constexpr size_t kMaxSecretLength = 512;

// The "aud" of a token, read without verifying anything: introspection
// then verifies the token for that audience. Empty when there is none.
std::string PeekAudience(absl::string_view token) {
  if (token.size() > kMaxTokenBytes) return "";
  const size_t dot1 = token.find('.');
  const size_t dot2 =
      dot1 == absl::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  std::string payload;
  if (dot2 == absl::string_view::npos ||
      !Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), &payload)) {
    return "";
  }
  json::JsonDocument doc;
  json::JsonLimits limits;
  limits.max_input_bytes = kMaxTokenBytes;
  if (doc.Parse(payload, limits) != json::JsonError::kNone) return "";
  const json::JsonNode* aud = doc.FindMember(doc.root(), "aud");
  if (aud == nullptr || aud->type != json::JsonType::kString) return "";
  return std::string(aud->text);
}

absl::Duration EffectiveTtl(absl::Duration requested,
                            const ClientPolicy& policy,
                            const IdentityOptions& options) {
  const absl::Duration max =
      std::min(policy.max_token_ttl, options.max_token_ttl);
  if (requested <= absl::ZeroDuration()) {
    return std::min(options.default_token_ttl, max);
  }
  return std::min(absl::Trunc(requested, absl::Seconds(1)), max);
}

}  // namespace

absl::Status TokenService::Fail(absl::string_view reason, absl::Status status) {
  if (observer_ != nullptr) observer_->OnIssueFailed(reason);
  return status;
}

absl::StatusOr<IssuedToken> TokenService::Sign(
    const IdentitySnapshot& snapshot, const ClientView& client,
    absl::string_view subject, const std::vector<std::string>& roles,
    absl::string_view principal_state, const TokenRequest& request) {
  const absl::Time started = ctx_.clock->Now();
  if (request.ttl < absl::ZeroDuration()) {
    return Fail("bad_request", absl::InvalidArgumentError("ttl must be >= 0"));
  }
  RETURN_IF_ERROR(ValidateName("audience", request.audience));
  absl::StatusOr<std::string> scope =
      GrantScopes(client.policy, request.audience, request.scopes);
  if (!scope.ok()) return Fail("policy", scope.status());

  const KeySlot slot = client.policy.signing_alg == Algorithm::kHs256
                           ? KeySlot::Pair(client.client_id, request.audience)
                           : KeySlot::Issuer(client.policy.signing_alg);
  const KeyView* key = snapshot.ActiveKey(slot);
  if (key == nullptr || key->signer == nullptr) {
    if (snapshot.HasPendingKey(slot)) {
      return Fail("key_pending",
                  absl::UnavailableError(
                      absl::StrCat("the signing key for ", slot.Name(),
                                   " is being published; retry in a moment")));
    }
    return Fail("no_key", absl::FailedPreconditionError(absl::StrCat(
                              "no active signing key for ", slot.Name())));
  }

  const absl::Duration ttl =
      EffectiveTtl(request.ttl, client.policy, ctx_.options);
  TokenClaims claims;
  claims.issuer = ctx_.options.issuer;
  claims.subject = std::string(subject);
  claims.audience = request.audience;
  claims.client_id = client.client_id;
  ASSIGN_OR_RETURN(std::string jti_bytes, crypto::RandomIdBytes(16));
  claims.jti = Base64UrlEncode(jti_bytes);
  claims.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(started));
  claims.not_before = claims.issued_at;
  claims.expires_at = claims.issued_at + ttl;
  claims.scope = *std::move(scope);
  claims.roles = roles;
  claims.principal_state = std::string(principal_state);

  IssuedToken issued;
  ASSIGN_OR_RETURN(issued.access_token, SignToken(claims, *key->signer));
  issued.expires_in = absl::ToInt64Seconds(ttl);
  issued.scope = claims.scope;
  issued.audience = request.audience;
  issued.alg = key->signer->alg;
  if (observer_ != nullptr) {
    observer_->OnIssued(issued, ctx_.clock->Now() - started);
  }
  return issued;
}

absl::StatusOr<IssuedToken> TokenService::IssueToken(
    absl::string_view client_id, absl::string_view client_secret,
    const TokenRequest& request) {
  if (client_id.empty() || client_id.size() > kMaxNameLength ||
      client_secret.empty() || client_secret.size() > kMaxSecretLength) {
    return Fail("bad_request",
                absl::InvalidArgumentError(
                    "client_id (1-128 bytes) and client_secret (1-512 bytes) "
                    "are required"));
  }
  const auto snapshot = ctx_.views->Current();
  const ClientView* client = snapshot->FindClient(client_id);
  // Hash and compare whether or not the client exists, so the answer and
  // its timing say nothing about which client ids exist.
  const std::string presented =
      ctx_.master_key->HashClientSecret(client_secret);
  const bool matches = crypto::ConstantTimeEquals(
      presented, client != nullptr ? client->secret_hash
                                   : std::string(presented.size(), '\0'));
  if (client == nullptr || !matches) {
    return Fail("bad_credentials",
                absl::UnauthenticatedError("invalid client credentials"));
  }
  if (client->state != PrincipalState::kActive) {
    return Fail("client_inactive",
                absl::PermissionDeniedError(absl::StrCat(
                    "client is ", PrincipalStateName(client->state))));
  }
  return Sign(*snapshot, *client, client->client_id, client->roles, "",
              request);
}

absl::StatusOr<IssuedToken> TokenService::IssueOwnToken(
    absl::string_view client_id, const TokenRequest& request) {
  const auto snapshot = ctx_.views->Current();
  const ClientView* client = snapshot->FindClient(client_id);
  if (client == nullptr) {
    return Fail("no_own_client",
                absl::FailedPreconditionError(absl::StrCat(
                    "client '", client_id, "' is not configured")));
  }
  if (client->state != PrincipalState::kActive) {
    return Fail("client_inactive",
                absl::PermissionDeniedError(absl::StrCat(
                    "client is ", PrincipalStateName(client->state))));
  }
  return Sign(*snapshot, *client, client->client_id, client->roles, "",
              request);
}

absl::StatusOr<IssuedToken> TokenService::Login(absl::string_view username,
                                                absl::string_view password,
                                                const TokenRequest& request) {
  absl::StatusOr<PrincipalRecord> user =
      principals_->AuthenticateUser(username, password);
  if (!user.ok()) return Fail("bad_credentials", user.status());
  const auto snapshot = ctx_.views->Current();
  const ClientView* login = snapshot->FindClient(ctx_.options.login_client);
  if (login == nullptr || login->state != PrincipalState::kActive) {
    return Fail("no_login_client",
                absl::FailedPreconditionError(
                    absl::StrCat("login client '", ctx_.options.login_client,
                                 "' is not configured")));
  }
  return Sign(*snapshot, *login, user->id, RolesOf(*user),
              PrincipalStateClaim(user->state), request);
}

Introspection TokenService::Introspect(absl::string_view token) const {
  Introspection out;
  out.issuer = ctx_.options.issuer;
  const std::string audience = PeekAudience(token);
  if (audience.empty()) return out;
  VerifyPolicy policy;
  policy.issuer = ctx_.options.issuer;
  policy.audience = audience;
  policy.clock_skew = ctx_.options.clock_skew;
  policy.max_lifetime = ctx_.options.max_token_ttl;
  VerifyResult result = VerifyToken(
      token, *ctx_.views->Current()->verification(), policy, ctx_.clock->Now());
  if (!result.ok()) return out;
  out.active = true;
  out.principal = std::move(result).principal();
  return out;
}

absl::Status TokenService::RevokeToken(absl::string_view token,
                                       absl::string_view actor) {
  if (token.empty()) return absl::InvalidArgumentError("token is required");
  const Introspection seen = Introspect(token);
  // RFC 7009 section 2.2: a token that does not verify is ignored and the
  // call succeeds; saying "invalid" would make this an oracle for tokens.
  if (!seen.active) return absl::OkStatus();
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        ASSIGN_OR_RETURN(int64_t version,
                         RevokeJtiInTx(tx, seen.principal.jti,
                                       seen.principal.expires_at, now));
        return WriteAudit(tx,
                          {std::string(actor),
                           "token.revoke",
                           seen.principal.jti,
                           seen.principal.kid,
                           {{"subject", seen.principal.subject}}},
                          now, version);
      }));
  (void)ctx_.views->Refresh();
  return absl::OkStatus();
}

absl::Status TokenService::RevokeJti(absl::string_view jti,
                                     absl::string_view actor) {
  if (jti.empty() || jti.size() > kMaxNameLength) {
    return absl::InvalidArgumentError("jti must be 1-128 bytes");
  }
  RETURN_IF_ERROR(
      ctx_.store->RunInTransaction([&](Transaction& tx) -> absl::Status {
        const absl::Time now = ctx_.Now();
        // The token's exp is unknown here; no token outlives this bound.
        const absl::Time expires =
            now + ctx_.options.max_token_ttl + ctx_.options.clock_skew;
        ASSIGN_OR_RETURN(int64_t version, RevokeJtiInTx(tx, jti, expires, now));
        return WriteAudit(
            tx, {std::string(actor), "token.revoke", std::string(jti), "", {}},
            now, version);
      }));
  (void)ctx_.views->Refresh();
  return absl::OkStatus();
}

}  // namespace meshid::identity
