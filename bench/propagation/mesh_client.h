// The coordinator's gRPC calls into the meshid-identity it runs: bearer
// contexts, issuing tokens, creating clients. Failures Die().
#ifndef MESHID_BENCH_PROPAGATION_MESH_CLIENT_H_
#define MESHID_BENCH_PROPAGATION_MESH_CLIENT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::bench {

// A context carrying "authorization: Bearer <token>" and a deadline.
std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token);
absl::StatusOr<std::string> Issue(identity::v1::Identity::Stub& stub,
                                  const std::string& client,
                                  const std::string& secret,
                                  const std::string& audience);
// Retries IssueToken until it works (a new client's key is PENDING until the
// ticker activates it) or `within` passes.
std::string IssueWhenReady(identity::v1::Identity::Stub& stub,
                           const std::string& client, const std::string& secret,
                           const std::string& audience, absl::Duration within);
// Creates `client_id` allowed `audience` with `scopes`; returns its secret.
std::string CreateClient(keyadmin::v1::KeyAdmin::Stub& keyadmin,
                         const std::string& token, const std::string& client_id,
                         const std::string& audience,
                         const std::vector<std::string>& scopes);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_PROPAGATION_MESH_CLIENT_H_
