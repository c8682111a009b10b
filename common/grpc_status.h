// The one mapping from absl::Status (used everywhere inside meshid) to
// grpc::Status (used only at the edges: *_service and *_main files).
#ifndef MESHID_COMMON_GRPC_STATUS_H_
#define MESHID_COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace meshid {

// Same code and message. The canonical codes are numbered identically in
// both libraries; the mapping still names each one so that a future code in
// either becomes UNKNOWN rather than a wrong code.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The reverse, for clients that call meshid servers.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace meshid

#endif  // MESHID_COMMON_GRPC_STATUS_H_
