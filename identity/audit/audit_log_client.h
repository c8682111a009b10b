// AuditLogClient: the AuditBatchSender that ships audit events to the Log
// server (meshid.logging.v1.Log/Append) over gRPC, as LOG_KIND_AUDIT
// entries. It authenticates with a token for the Log server's audience and
// scope logs:write, which it gets from a TokenSource (identity mints its own
// in-process, TokenService::IssueOwnToken) and re-gets before it expires or
// after UNAUTHENTICATED.
//
//   AuditLogClient client({"meshid-log:50053"}, [&] {
//     return tokens.IssueOwnToken("meshid-audit",
//                                 {"logging-service", {"logs:write"}});
//   });
//   RETURN_IF_ERROR(client.Send(events));
//
// An entry: time = the event's time, level INFO, kind AUDIT, subject = the
// actor, message = the action ("key.rotate"), attributes: target, kid,
// version, audit_id and the details (as "detail.<name>"), cut to the Log
// server's limits. The entry's service is the token's subject (the Log
// server sets it).
#ifndef MESHID_IDENTITY_AUDIT_AUDIT_LOG_CLIENT_H_
#define MESHID_IDENTITY_AUDIT_AUDIT_LOG_CLIENT_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "identity/audit/audit_shipper.h"
#include "meshid/logging/v1/log.grpc.pb.h"

namespace meshid::identity {

// A bearer token and how long it is good for.
struct ShippingToken {
  std::string token;        // never logged
  absl::Duration lifetime;  // from when it was handed out
};
using ShippingTokenSource = std::function<absl::StatusOr<ShippingToken>()>;

struct AuditLogClientOptions {
  std::string address;  // the Log server, e.g. "meshid-log:50053"
  // TLS (or mutual TLS) toward the Log server; null means plaintext.
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials;
  absl::Duration rpc_timeout = absl::Seconds(5);
  const Clock* clock = nullptr;  // token refresh timing; null = system
};

class AuditLogClient final : public AuditBatchSender {
 public:
  AuditLogClient(AuditLogClientOptions options, ShippingTokenSource tokens);

  // OK when the Log server stored the batch. Not thread-safe (the shipper's
  // one thread calls it).
  absl::Status Send(const std::vector<AuditEvent>& batch) override;

 private:
  absl::Status EnsureToken();

  const AuditLogClientOptions options_;
  const Clock* const clock_;
  const ShippingTokenSource tokens_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<logging::v1::Log::Stub> stub_;
  std::string token_;
  absl::Time refresh_at_ = absl::InfinitePast();
};

// The Log entry for one audit event (exposed for tests).
void AuditEventToLogEntry(const AuditEvent& event, logging::v1::LogEntry* out);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_AUDIT_AUDIT_LOG_CLIENT_H_
