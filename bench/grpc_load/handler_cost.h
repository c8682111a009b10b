// What IdentityGrpcService::IssueToken runs per call, minus gRPC: the
// TokenService (secret HMAC, snapshot lookups, claims, signing) with the
// same metrics observer, on the running server's context. Single thread.
#ifndef MESHID_BENCH_GRPC_LOAD_HANDLER_COST_H_
#define MESHID_BENCH_GRPC_LOAD_HANDLER_COST_H_

#include "identity/identity_server.h"
#include "meshid/identity/v1/identity.pb.h"

namespace meshid::bench {

// Microseconds per warm call over `iterations` calls; `*fresh_thread_us`
// gets the mean first call on a new thread (per-thread state made on first
// use, which a sync server's new threads pay).
double HandlerMicrosPerCall(const identity::IdentityServer& server,
                            const identity::v1::IssueTokenRequest& request,
                            int iterations, double* fresh_thread_us);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GRPC_LOAD_HANDLER_COST_H_
