#include "identity/identity_grpc_service.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/grpc_status.h"
#include "common/status_macros.h"
#include "identity/auth_denial_log.h"
#include "identity/grpc_call.h"
#include "identity/principal_lifecycle.h"
#include "identity/proto_convert.h"

namespace meshid::identity {
namespace {

constexpr size_t kMaxScopesPerRequest = 64;

absl::StatusOr<TokenRequest> ReadTokenRequest(
    const std::string& audience,
    const google::protobuf::RepeatedPtrField<std::string>& scopes, bool has_ttl,
    const google::protobuf::Duration& ttl) {
  TokenRequest out;
  if (audience.empty()) {
    return absl::InvalidArgumentError("audience is required");
  }
  out.audience = audience;
  if (static_cast<size_t>(scopes.size()) > kMaxScopesPerRequest) {
    return absl::InvalidArgumentError(
        absl::StrCat("scopes: at most ", kMaxScopesPerRequest));
  }
  out.scopes.assign(scopes.begin(), scopes.end());
  if (has_ttl) {
    ASSIGN_OR_RETURN(out.ttl, FromProto(ttl, "ttl"));
  }
  return out;
}

void ToProto(const IssuedToken& token, v1::TokenResponse* out) {
  out->set_access_token(token.access_token);
  out->set_token_type("Bearer");
  out->set_expires_in(token.expires_in);
  out->set_scope(token.scope);
}

}  // namespace

grpc::Status IdentityGrpcService::Done(absl::string_view operation,
                                       const absl::Status& status) {
  if (absl::IsUnavailable(status) || absl::IsInternal(status)) {
    metrics_->OnStoreError(operation);
  }
  return ToGrpcStatus(status);
}

grpc::Status IdentityGrpcService::IssueToken(
    grpc::ServerContext* context, const v1::IssueTokenRequest* request,
    v1::TokenResponse* response) {
  absl::StatusOr<TokenRequest> req =
      ReadTokenRequest(request->audience(), request->scopes(),
                       request->has_ttl(), request->ttl());
  if (!req.ok()) return ToGrpcStatus(req.status());
  absl::StatusOr<IssuedToken> token =
      tokens_->IssueToken(request->client_id(), request->client_secret(), *req);
  if (!token.ok()) {
    LogDenied("IssueToken", *context, token.status(), VerifyError::kOk,
              request->client_id());
    return Done("issue_token", token.status());
  }
  ToProto(*token, response);
  return grpc::Status::OK;
}

grpc::Status IdentityGrpcService::RegisterUser(
    grpc::ServerContext* context, const v1::RegisterUserRequest* request,
    v1::RegisterUserResponse* response) {
  absl::StatusOr<PrincipalRecord> user =
      principals_->RegisterUser(request->username(), request->password());
  if (!user.ok()) return Done("register_user", user.status());
  response->set_principal_id(user->id);
  response->set_state(ToProto(user->state));
  for (const std::string& role : RolesOf(*user)) response->add_roles(role);
  return grpc::Status::OK;
}

grpc::Status IdentityGrpcService::Login(grpc::ServerContext* context,
                                        const v1::LoginRequest* request,
                                        v1::TokenResponse* response) {
  absl::StatusOr<TokenRequest> req =
      ReadTokenRequest(request->audience(), request->scopes(),
                       request->has_ttl(), request->ttl());
  if (!req.ok()) return ToGrpcStatus(req.status());
  absl::StatusOr<IssuedToken> token =
      tokens_->Login(request->username(), request->password(), *req);
  if (!token.ok()) {
    LogDenied("Login", *context, token.status());
    return Done("login", token.status());
  }
  ToProto(*token, response);
  return grpc::Status::OK;
}

grpc::Status IdentityGrpcService::IntrospectToken(
    grpc::ServerContext* context, const v1::IntrospectTokenRequest* request,
    v1::IntrospectTokenResponse* response) {
  VerifyError reason = VerifyError::kOk;
  absl::StatusOr<Principal> caller = authorizer_.Authorize(
      AuthorizationOf(*context), ctx_.options.identity_audience,
      "tokens:introspect", &reason);
  if (!caller.ok()) {
    metrics_->OnAuthFailure("identity", reason);
    LogDenied("IntrospectToken", *context, caller.status(), reason);
    return ToGrpcStatus(caller.status());
  }
  if (request->token().empty()) {
    return ToGrpcStatus(absl::InvalidArgumentError("token is required"));
  }
  const Introspection seen = tokens_->Introspect(request->token());
  response->set_active(seen.active);
  if (!seen.active) return grpc::Status::OK;
  const Principal& p = seen.principal;
  response->set_scope(p.scope);
  response->set_client_id(p.client_id);
  if (absl::StartsWith(p.subject, kUserIdPrefix)) {
    response->set_username(p.subject.substr(kUserIdPrefix.size()));
  }
  response->set_token_type("Bearer");
  response->set_exp(absl::ToUnixSeconds(p.expires_at));
  response->set_iat(absl::ToUnixSeconds(p.issued_at));
  if (p.not_before.has_value()) {
    response->set_nbf(absl::ToUnixSeconds(*p.not_before));
  }
  response->set_sub(p.subject);
  response->set_aud(p.audience);
  response->set_iss(seen.issuer);
  response->set_jti(p.jti);
  for (const std::string& role : p.roles) response->add_roles(role);
  response->set_kid(p.kid);
  for (int s = 1; s <= 6; ++s) {
    const auto state = static_cast<PrincipalState>(s);
    if (PrincipalStateClaim(state) == p.state) {
      response->set_principal_state(ToProto(state));
    }
  }
  return grpc::Status::OK;
}

grpc::Status IdentityGrpcService::RevokeToken(
    grpc::ServerContext* context, const v1::RevokeTokenRequest* request,
    google::protobuf::Empty* response) {
  switch (request->target_case()) {
    case v1::RevokeTokenRequest::kToken:
      // Holding a valid token is the right to revoke it.
      return Done("revoke_token",
                  tokens_->RevokeToken(request->token(), "token-holder"));
    case v1::RevokeTokenRequest::kJti: {
      VerifyError reason = VerifyError::kOk;
      absl::StatusOr<Principal> caller = authorizer_.Authorize(
          AuthorizationOf(*context), ctx_.options.identity_audience,
          "tokens:revoke", &reason);
      if (!caller.ok()) {
        metrics_->OnAuthFailure("identity", reason);
        LogDenied("RevokeToken", *context, caller.status(), reason);
        return ToGrpcStatus(caller.status());
      }
      return Done("revoke_token",
                  tokens_->RevokeJti(request->jti(), caller->subject));
    }
    default:
      return ToGrpcStatus(
          absl::InvalidArgumentError("token or jti is required"));
  }
}

grpc::Status IdentityGrpcService::GetJwks(grpc::ServerContext* context,
                                          const v1::GetJwksRequest* request,
                                          v1::GetJwksResponse* response) {
  const auto snapshot = ctx_.views->Current();
  for (const PublicJwk& key : snapshot->public_keys()) {
    v1::Jwk* jwk = response->add_keys();
    const bool ec = key.alg == Algorithm::kEs256;
    jwk->set_kty(ec ? "EC" : "OKP");
    jwk->set_crv(ec ? "P-256" : "Ed25519");
    jwk->set_kid(key.kid);
    jwk->set_alg(std::string(AlgorithmName(key.alg)));
    jwk->set_use("sig");
    jwk->set_x(Base64UrlEncode(key.x));
    if (ec) jwk->set_y(Base64UrlEncode(key.y));
  }
  response->set_json(snapshot->jwks_json());
  return grpc::Status::OK;
}

}  // namespace meshid::identity
