#include "common/server/grpc_log_bridge.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "common/server/json_log.h"
#include "grpc/support/log.h"

namespace meshid::server {
namespace {

LogLevel ToLogLevel(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return LogLevel::kDebug;
    case GPR_LOG_SEVERITY_INFO:
      return LogLevel::kInfo;
    case GPR_LOG_SEVERITY_ERROR:
      return LogLevel::kError;
  }
  return LogLevel::kError;
}

void LogGrpcMessage(gpr_log_func_args* args) {
  Log(ToLogLevel(args->severity), "grpc.log",
      {{"file", args->file},
       {"line", args->line},
       {"message",
        ScrubGrpcLogMessage(args->message != nullptr ? args->message : "")}});
}

}  // namespace

absl::string_view ScrubGrpcLogMessage(absl::string_view message) {
  const std::string lower = absl::AsciiStrToLower(message);
  if (absl::StrContains(lower, "authorization") ||
      absl::StrContains(lower, "bearer")) {
    return "[message withheld: it may quote credentials]";
  }
  return message;
}

void RouteGrpcLogsToJsonLog() {
  gpr_set_log_function(&LogGrpcMessage);
  // Until grpc_init runs this, gRPC drops every message; running it here
  // (it reads GRPC_VERBOSITY, default ERROR) makes early failures visible.
  gpr_log_verbosity_init();
}

}  // namespace meshid::server
