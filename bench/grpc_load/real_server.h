// The real meshid-identity that identity_load measures, in process: on
// SQLite (a temp folder) or on a scratch PostgreSQL database, bootstrapped
// and given the bench client through KeyAdmin as an operator would. The
// destructor stops it and removes what it made.
#ifndef MESHID_BENCH_GRPC_LOAD_REAL_SERVER_H_
#define MESHID_BENCH_GRPC_LOAD_REAL_SERVER_H_

#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"
#include "identity/identity_server.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::bench {

inline constexpr char kAdminSecret[] = "bench-admin-secret-0123456789abcdef-0123";
inline constexpr char kBenchClient[] = "bench-client";
inline constexpr char kBenchAudience[] = "bench-api";

struct RealServer {
  std::string name;
  std::string data_dir;
  std::string pg_base_url;  // non-empty: drop pg_database at the end
  std::string pg_database;
  std::unique_ptr<identity::IdentityServer> server;

  ~RealServer();
};

// A 30 s deadline on `ctx`, returned for use in the call.
grpc::ClientContext* WithDeadline(grpc::ClientContext* ctx);

// Starts meshid-identity (SQLite when `pg_base_url` is empty), creates the
// bench client with `signing_alg` and waits until it gets a token; fills
// `request` (and `sample_reply` unless null). Fails the run with Die().
std::unique_ptr<RealServer> StartRealServer(
    const std::string& name, const std::string& pg_base_url,
    keyadmin::v1::KeyAlgorithm signing_alg,
    identity::v1::IssueTokenRequest* request,
    identity::v1::TokenResponse* sample_reply);

}  // namespace meshid::bench

#endif  // MESHID_BENCH_GRPC_LOAD_REAL_SERVER_H_
