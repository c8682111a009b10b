// LogAppendService: the gateway's client side of Log.Append, the
// LogBatchSender behind the AccessLogShipper. Each batch goes out as one
// asynchronous Append (gRPC callback API) with the gateway's own token for
// the Log server's audience from the UpstreamTokenCache.
//
//   LogAppendService sender(log_channel, &tokens, log_token_slot, clock,
//                           absl::Seconds(10));
//   AccessLogShipper shipper(&queue, &sender, ...);
#ifndef MESHID_GATEWAY_LOG_APPEND_SERVICE_H_
#define MESHID_GATEWAY_LOG_APPEND_SERVICE_H_

#include <memory>

#include "absl/time/time.h"
#include "common/clock.h"
#include "gateway/access_log_shipper.h"
#include "gateway/upstream_token_cache.h"
#include "grpcpp/channel.h"
#include "meshid/logging/v1/log.grpc.pb.h"

namespace meshid::gateway {

class LogAppendService final : public LogBatchSender {
 public:
  // `tokens` (not owned) must outlive this; `clock` null means SystemClock.
  LogAppendService(std::shared_ptr<grpc::Channel> log_channel,
                   const UpstreamTokenCache* tokens, size_t token_slot,
                   const Clock* clock, absl::Duration rpc_timeout);

  // UNAVAILABLE at once (through `done`) when there is no valid token yet.
  void Send(std::shared_ptr<const logging::v1::AppendRequest> batch,
            std::function<void(absl::Status)> done) override;

 private:
  std::unique_ptr<logging::v1::Log::Stub> stub_;
  const UpstreamTokenCache* const tokens_;
  const size_t token_slot_;
  const Clock* const clock_;
  const absl::Duration rpc_timeout_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_LOG_APPEND_SERVICE_H_
