// The meshid.identity.v1.Identity gRPC service: request checks, caller
// authorization where the API asks for it, and the mapping to TokenService
// and PrincipalService. No logic of its own beyond that.
#ifndef MESHID_IDENTITY_IDENTITY_GRPC_SERVICE_H_
#define MESHID_IDENTITY_IDENTITY_GRPC_SERVICE_H_

#include "identity/authorizer.h"
#include "identity/identity_metrics.h"
#include "identity/principal_service.h"
#include "identity/token_service.h"
#include "meshid/identity/v1/identity.grpc.pb.h"

namespace meshid::identity {

class IdentityGrpcService final
    : public ::meshid::identity::v1::Identity::Service {
 public:
  IdentityGrpcService(const IdentityContext& ctx, TokenService* tokens,
                      PrincipalService* principals, IdentityMetrics* metrics)
      : ctx_(ctx),
        tokens_(tokens),
        principals_(principals),
        metrics_(metrics),
        authorizer_(ctx) {}

  grpc::Status IssueToken(grpc::ServerContext* context,
                          const v1::IssueTokenRequest* request,
                          v1::TokenResponse* response) override;
  grpc::Status RegisterUser(grpc::ServerContext* context,
                            const v1::RegisterUserRequest* request,
                            v1::RegisterUserResponse* response) override;
  grpc::Status Login(grpc::ServerContext* context,
                     const v1::LoginRequest* request,
                     v1::TokenResponse* response) override;
  grpc::Status IntrospectToken(grpc::ServerContext* context,
                               const v1::IntrospectTokenRequest* request,
                               v1::IntrospectTokenResponse* response) override;
  grpc::Status RevokeToken(grpc::ServerContext* context,
                           const v1::RevokeTokenRequest* request,
                           google::protobuf::Empty* response) override;
  grpc::Status GetJwks(grpc::ServerContext* context,
                       const v1::GetJwksRequest* request,
                       v1::GetJwksResponse* response) override;

 private:
  grpc::Status Done(absl::string_view operation, const absl::Status& status);

  const IdentityContext& ctx_;
  TokenService* const tokens_;
  PrincipalService* const principals_;
  IdentityMetrics* const metrics_;
  Authorizer authorizer_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_IDENTITY_GRPC_SERVICE_H_
