// IdentityTokenService: the gateway's client side of Identity.IssueToken,
// the TokenFetcher behind UpstreamTokenCache. Client credentials grant: the
// gateway's client_id and secret, one audience, the scopes asked for.
//
//   IdentityTokenService fetcher(identity_channel, settings.client_id,
//                                std::move(secret), absl::Seconds(5));
//   UpstreamTokenCache tokens(specs, &fetcher, options, clock);
//
// The secret only ever goes into the request; errors carry gRPC's code and
// message (the Identity server never echoes a secret).
#ifndef MESHID_GATEWAY_IDENTITY_TOKEN_SERVICE_H_
#define MESHID_GATEWAY_IDENTITY_TOKEN_SERVICE_H_

#include <memory>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/crypto/secret_bytes.h"
#include "gateway/upstream_token_cache.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "meshid/identity/v1/identity.grpc.pb.h"

namespace meshid::gateway {

class IdentityTokenService final : public TokenFetcher {
 public:
  IdentityTokenService(std::shared_ptr<grpc::Channel> identity_channel,
                       std::string client_id, crypto::SecretBytes secret,
                       absl::Duration rpc_timeout);

  // Blocking IssueToken with the rpc timeout as deadline.
  absl::StatusOr<FetchedToken> Fetch(const TokenRequestSpec& spec) override;
  void CancelPending() override;

 private:
  std::unique_ptr<identity::v1::Identity::Stub> stub_;
  const std::string client_id_;
  const crypto::SecretBytes secret_;
  const absl::Duration rpc_timeout_;

  absl::Mutex mu_;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* in_flight_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_IDENTITY_TOKEN_SERVICE_H_
