#include "gateway/identity_token_service.h"

#include <utility>

#include "common/grpc_status.h"
#include "grpcpp/support/time.h"
#include "openssl/crypto.h"

namespace meshid::gateway {

IdentityTokenService::IdentityTokenService(
    std::shared_ptr<grpc::Channel> identity_channel, std::string client_id,
    crypto::SecretBytes secret, absl::Duration rpc_timeout)
    : stub_(identity::v1::Identity::NewStub(std::move(identity_channel))),
      client_id_(std::move(client_id)),
      secret_(std::move(secret)),
      rpc_timeout_(rpc_timeout) {}

absl::StatusOr<FetchedToken> IdentityTokenService::Fetch(
    const TokenRequestSpec& spec) {
  identity::v1::IssueTokenRequest request;
  request.set_client_id(client_id_);
  request.set_client_secret(std::string(secret_.view()));
  request.set_audience(spec.audience);
  for (const std::string& scope : spec.scopes) request.add_scopes(scope);
  identity::v1::TokenResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + rpc_timeout_));
  {
    absl::MutexLock lock(&mu_);
    if (cancelled_) return absl::CancelledError("gateway shutting down");
    in_flight_ = &context;
  }
  const grpc::Status status = stub_->IssueToken(&context, request, &response);
  {
    absl::MutexLock lock(&mu_);
    in_flight_ = nullptr;
  }
  // The request held a copy of the secret: wipe it before it is freed.
  std::string* secret_copy = request.mutable_client_secret();
  OPENSSL_cleanse(secret_copy->data(), secret_copy->size());
  if (!status.ok()) return FromGrpcStatus(status);
  FetchedToken token;
  token.access_token =
      crypto::SecretBytes(std::move(*response.mutable_access_token()));
  token.lifetime = absl::Seconds(response.expires_in());
  return token;
}

void IdentityTokenService::CancelPending() {
  absl::MutexLock lock(&mu_);
  cancelled_ = true;
  if (in_flight_ != nullptr) in_flight_->TryCancel();
}

}  // namespace meshid::gateway
