// BenchMesh: what log_bench measures against, in this process: a real
// meshid-identity (IdentityServer, SQLite in a temp folder) that issues the
// tokens and feeds the Log server's key set, and a real meshid-log
// (LogServer) on SQLite or on a scratch PostgreSQL database, both on
// loopback ports. Clients reach the Log server only through gRPC.
//
//   ASSIGN_OR_RETURN(auto mesh, BenchMesh::Start({.dialect = "postgresql",
//                                                 .pg_base_url = url}));
//   std::string token = mesh->writer_token();
//   auto stub = mesh->NewLogStub();  // its own connection
#ifndef MESHID_BENCH_LOGGING_BENCH_MESH_H_
#define MESHID_BENCH_LOGGING_BENCH_MESH_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "identity/identity_server.h"
#include "logging/log_server.h"
#include "meshid/logging/v1/log.grpc.pb.h"

namespace meshid::bench {

struct BenchMeshOptions {
  std::string dialect = "sqlite";  // or "postgresql"
  // PostgreSQL server for the log database (a scratch database is made
  // and dropped); required for "postgresql".
  std::string pg_base_url;
  int store_writer_connections = 2;
  int store_pool_size = 4;
};

class BenchMesh {
 public:
  static absl::StatusOr<std::unique_ptr<BenchMesh>> Start(
      const BenchMeshOptions& options);
  ~BenchMesh();  // stops both servers, drops the scratch database

  // The Log server's store URL (to fill it directly, bypassing gRPC).
  const std::string& log_store_url() const { return log_store_url_; }
  int log_port() const { return log_->ports().grpc; }
  int log_http_port() const { return log_->ports().http; }
  const std::string& writer_token() const { return writer_token_; }
  const std::string& reader_token() const { return reader_token_; }

  // A stub on a channel of its own (its own TCP connection).
  std::unique_ptr<logging::v1::Log::Stub> NewLogStub() const;

 private:
  BenchMesh() = default;

  std::string dir_;
  std::string pg_base_url_;
  std::string pg_database_;
  std::string log_store_url_;
  std::unique_ptr<identity::IdentityServer> identity_;
  std::unique_ptr<logging::LogServer> log_;
  std::string writer_token_;
  std::string reader_token_;
};

}  // namespace meshid::bench

#endif  // MESHID_BENCH_LOGGING_BENCH_MESH_H_
