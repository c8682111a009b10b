// The services identity_load measures IssueToken against, on the same
// server options and message types: an empty handler (the baseline), a
// canned reply of IssueToken's size (--canned), and both on gRPC's callback
// API (--callback), the second doing IssueToken's work there.
#ifndef MESHID_BENCH_GRPC_LOAD_COMPARISON_SERVICES_H_
#define MESHID_BENCH_GRPC_LOAD_COMPARISON_SERVICES_H_

#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "identity/identity_context.h"
#include "identity/identity_metrics.h"
#include "identity/token_service.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "prometheus/registry.h"

namespace meshid::bench {

// Same base class, same sync machinery and message types as
// IdentityGrpcService; only the handler body differs.
class EmptyIdentityService final : public identity::v1::Identity::Service {
 public:
  grpc::Status IssueToken(grpc::ServerContext*, const identity::v1::IssueTokenRequest*,
                          identity::v1::TokenResponse*) override {
    return grpc::Status::OK;
  }
};

// Diagnostic (--canned): like the empty service but replies with a fixed,
// real token response, so the reply has IssueToken's size. Separates the
// cost of the bigger reply from the cost of the handler's work.
class CannedIdentityService final : public identity::v1::Identity::Service {
 public:
  explicit CannedIdentityService(identity::v1::TokenResponse reply)
      : reply_(std::move(reply)) {}
  grpc::Status IssueToken(grpc::ServerContext*, const identity::v1::IssueTokenRequest*,
                          identity::v1::TokenResponse* response) override {
    *response = reply_;
    return grpc::Status::OK;
  }

 private:
  const identity::v1::TokenResponse reply_;
};

// --callback: what the Identity service would cost on gRPC's callback API,
// where a unary handler runs inline on a gRPC thread instead of being handed
// to the sync server's thread pool. cb-issue does what IdentityGrpcService::
// IssueToken does for the bench's request (no scopes, no ttl), with the same
// TokenService and metrics observer.
class CallbackEmptyService final : public identity::v1::Identity::CallbackService {
 public:
  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* context,
                                       const identity::v1::IssueTokenRequest*,
                                       identity::v1::TokenResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class CallbackIssueService final : public identity::v1::Identity::CallbackService {
 public:
  explicit CallbackIssueService(const identity::IdentityContext& ctx)
      : metrics_(registry_), tokens_(ctx, /*principals=*/nullptr, &metrics_) {}

  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* context,
                                       const identity::v1::IssueTokenRequest* request,
                                       identity::v1::TokenResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    identity::TokenRequest req;
    req.audience = request->audience();
    req.scopes.assign(request->scopes().begin(), request->scopes().end());
    absl::StatusOr<identity::IssuedToken> token = tokens_.IssueToken(
        request->client_id(), request->client_secret(), req);
    if (!token.ok()) {
      reactor->Finish(grpc::Status(
          static_cast<grpc::StatusCode>(token.status().code()),
          std::string(token.status().message())));
      return reactor;
    }
    response->set_access_token(token->access_token);
    response->set_token_type("Bearer");
    response->set_expires_in(token->expires_in);
    response->set_scope(token->scope);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  prometheus::Registry registry_;
  identity::IdentityMetrics metrics_;
  identity::TokenService tokens_;
};

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GRPC_LOAD_COMPARISON_SERVICES_H_
