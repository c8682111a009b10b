#include "gateway/log_append_service.h"

#include <string>
#include <utility>

#include "common/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/time.h"

namespace meshid::gateway {
namespace {

// Everything one Append needs until its callback has run.
struct AppendCall {
  grpc::ClientContext context;
  std::shared_ptr<const logging::v1::AppendRequest> batch;
  logging::v1::AppendResponse response;
  std::function<void(absl::Status)> done;
};

}  // namespace

LogAppendService::LogAppendService(std::shared_ptr<grpc::Channel> log_channel,
                                   const UpstreamTokenCache* tokens,
                                   size_t token_slot, const Clock* clock,
                                   absl::Duration rpc_timeout)
    : stub_(logging::v1::Log::NewStub(std::move(log_channel))),
      tokens_(tokens),
      token_slot_(token_slot),
      clock_(clock != nullptr ? clock : SystemClock::Get()),
      rpc_timeout_(rpc_timeout) {}

void LogAppendService::Send(
    std::shared_ptr<const logging::v1::AppendRequest> batch,
    std::function<void(absl::Status)> done) {
  std::shared_ptr<const CachedToken> token =
      tokens_->Bearer(token_slot_, clock_->Now());
  if (token == nullptr) {
    done(absl::UnavailableError("no token for the Log server yet"));
    return;
  }
  auto* call = new AppendCall;
  call->batch = std::move(batch);
  call->done = std::move(done);
  call->context.AddMetadata("authorization", std::string(token->bearer.view()));
  call->context.set_deadline(absl::ToChronoTime(absl::Now() + rpc_timeout_));
  stub_->async()->Append(&call->context, call->batch.get(), &call->response,
                         [call](grpc::Status status) {
                           absl::Status result = FromGrpcStatus(status);
                           std::function<void(absl::Status)> done =
                               std::move(call->done);
                           delete call;
                           done(std::move(result));
                         });
}

}  // namespace meshid::gateway
