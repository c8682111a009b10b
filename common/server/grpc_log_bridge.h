// gRPC writes its own diagnostics ("E0501 12:00:00 ... Failed to bind") to
// stderr in glog format, which would break the JSON-lines stream. This
// sends them through Log() instead, as event "grpc.log".
//
//   int main(...) {
//     SetLogServiceName("meshid-gateway");
//     RouteGrpcLogsToJsonLog();  // before the first gRPC call
//     ...
//   }
//
// gRPC's tracers (GRPC_TRACE=http, ...) can print request headers; a message
// that mentions "authorization" or "bearer" is replaced by a fixed text so a
// token never reaches the log through them.
#ifndef MESHID_COMMON_SERVER_GRPC_LOG_BRIDGE_H_
#define MESHID_COMMON_SERVER_GRPC_LOG_BRIDGE_H_

#include "absl/strings/string_view.h"

namespace meshid::server {

// Installs the bridge process-wide (gpr_set_log_function). Idempotent. gRPC's
// own verbosity (GRPC_VERBOSITY, default ERROR) still decides what is
// produced; the logger's threshold then applies as for any line.
void RouteGrpcLogsToJsonLog();

// The message the bridge writes for gRPC's `message`: the message itself, or
// a fixed text when it might quote credentials. Exposed for tests.
absl::string_view ScrubGrpcLogMessage(absl::string_view message);

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_GRPC_LOG_BRIDGE_H_
