#include "identity/audit/audit_log_client.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/server/json_log.h"
#include "common/status_macros.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace meshid::identity {
namespace {

// The Log server's entry limits (log.proto LogEntry): what does not fit is
// cut here rather than having the whole entry rejected there.
constexpr size_t kMaxAttributes = 32;
constexpr size_t kMaxKeyBytes = 64;
constexpr size_t kMaxValueBytes = 1024;
constexpr size_t kMaxFieldBytes = 256;

// `text` cut to at most `max` bytes without splitting a UTF-8 sequence.
std::string Cut(absl::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return std::string(text.substr(0, end));
}

void TimeToProto(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

}  // namespace

void AuditEventToLogEntry(const AuditEvent& event, logging::v1::LogEntry* out) {
  TimeToProto(event.at, out->mutable_time());
  out->set_level(logging::v1::LOG_LEVEL_INFO);
  out->set_kind(logging::v1::LOG_KIND_AUDIT);
  out->set_subject(Cut(event.actor, kMaxFieldBytes));
  out->set_message(Cut(event.action, kMaxFieldBytes));
  auto& attributes = *out->mutable_attributes();
  auto add = [&](absl::string_view key, absl::string_view value) {
    if (attributes.size() >= kMaxAttributes || value.empty()) return;
    attributes[Cut(key, kMaxKeyBytes)] = Cut(value, kMaxValueBytes);
  };
  add("action", event.action);
  add("target", event.target);
  add("kid", event.kid);
  if (event.version != 0) add("version", absl::StrCat(event.version));
  add("audit_id", absl::StrCat(event.id));
  for (const auto& [name, value] : event.details) {
    add(absl::StrCat("detail.", name), value);
  }
}

AuditLogClient::AuditLogClient(AuditLogClientOptions options,
                               ShippingTokenSource tokens)
    : options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : SystemClock::Get()),
      tokens_(std::move(tokens)),
      channel_(grpc::CreateChannel(options_.address,
                                   options_.channel_credentials != nullptr
                                       ? options_.channel_credentials
                                       : grpc::InsecureChannelCredentials())),
      stub_(logging::v1::Log::NewStub(channel_)) {}

absl::Status AuditLogClient::EnsureToken() {
  const absl::Time now = clock_->Now();
  if (!token_.empty() && now < refresh_at_) return absl::OkStatus();
  ASSIGN_OR_RETURN(ShippingToken fresh, tokens_());
  token_ = std::move(fresh.token);
  // Renewed at 80% of its lifetime, long before the Log server's check
  // could fail.
  refresh_at_ = now + fresh.lifetime * 0.8;
  return absl::OkStatus();
}

absl::Status AuditLogClient::Send(const std::vector<AuditEvent>& batch) {
  if (batch.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(EnsureToken());
  logging::v1::AppendRequest request;
  for (const AuditEvent& event : batch) {
    AuditEventToLogEntry(event, request.add_entries());
  }
  logging::v1::AppendResponse response;
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + options_.rpc_timeout));
  context.AddMetadata("authorization", absl::StrCat("Bearer ", token_));
  const grpc::Status status = stub_->Append(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    // A new token next time (keys rotated, the old one revoked, ...).
    token_.clear();
  }
  if (!status.ok()) {
    return absl::Status(FromGrpcStatus(status).code(),
                        absl::StrCat("Log.Append: ", status.error_message()));
  }
  if (response.rejected() > 0) {
    // Entries the server judged invalid will not become valid by retrying;
    // the audit table keeps them.
    server::Log(server::LogLevel::kWarning, "audit_ship.rejected",
                {{"entries", response.rejected()}});
  }
  return absl::OkStatus();
}

}  // namespace meshid::identity
