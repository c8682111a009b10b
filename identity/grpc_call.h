// Small helpers shared by identity's gRPC service classes.
#ifndef MESHID_IDENTITY_GRPC_CALL_H_
#define MESHID_IDENTITY_GRPC_CALL_H_

#include <string>

#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"

namespace meshid::identity {

// The "authorization" metadata value of the call, or empty.
inline std::string AuthorizationOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_GRPC_CALL_H_
