// The meshid.logging.v1.Log service on the gRPC callback API: no thread is
// held by a call. Append hands its entries to the GroupCommitWriter and
// finishes from the writer's thread once they are committed; Query runs its
// store read on the BlockingExecutor; Tail is a TailStreamReactor fed by
// the TailHub. Every call is authorized first (LogAuthorizer): logs:write
// for Append, logs:read for Query and Tail.
//
//   LogGrpcService service(deps);
//   builder.RegisterService(&service);
#ifndef MESHID_LOGGING_LOG_GRPC_SERVICE_H_
#define MESHID_LOGGING_LOG_GRPC_SERVICE_H_

#include "common/clock.h"
#include "grpcpp/grpcpp.h"
#include "logging/blocking_executor.h"
#include "logging/group_commit_writer.h"
#include "logging/log_authorizer.h"
#include "logging/log_metrics.h"
#include "logging/log_reader.h"
#include "logging/tail_hub.h"
#include "meshid/logging/v1/log.grpc.pb.h"

namespace meshid::logging {

// What the service uses; not owned, all must outlive it. `metrics` may be
// null.
struct LogServiceDeps {
  const LogAuthorizer* authorizer = nullptr;
  GroupCommitWriter* writer = nullptr;
  const LogReader* reader = nullptr;
  BlockingExecutor* query_executor = nullptr;
  TailHub* tails = nullptr;
  LogMetrics* metrics = nullptr;
  const Clock* clock = nullptr;  // receive time of entries without one
};

class LogGrpcService final : public v1::Log::CallbackService {
 public:
  explicit LogGrpcService(LogServiceDeps deps) : deps_(deps) {}

  grpc::ServerUnaryReactor* Append(grpc::CallbackServerContext* context,
                                   const v1::AppendRequest* request,
                                   v1::AppendResponse* response) override;
  grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* context,
                                  const v1::QueryRequest* request,
                                  v1::QueryResponse* response) override;
  grpc::ServerWriteReactor<v1::LogEntry>* Tail(
      grpc::CallbackServerContext* context,
      const v1::TailRequest* request) override;

 private:
  const LogServiceDeps deps_;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_GRPC_SERVICE_H_
