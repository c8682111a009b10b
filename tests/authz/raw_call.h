// RawCall: calls any gRPC method by its full name with a serialized request
// and returns only the status, so one loop can drive every RPC of every
// service (unary and server-streaming alike) without a typed stub per row.
//
//   grpc::Status s = RawCall(channel, "/meshid.logging.v1.Log/Query",
//                            request.SerializeAsString(), token);
//
// The call is a bidi stream of raw bytes: one request, half-close, read
// until the end. On the wire that is what a unary or server-streaming call
// is, so servers and the gateway see an ordinary call. A stream the server
// keeps open ends at `timeout` with DEADLINE_EXCEEDED; the matrix avoids
// that by giving streaming RPCs requests that are refused once authorized.
#ifndef MESHID_TESTS_AUTHZ_RAW_CALL_H_
#define MESHID_TESTS_AUTHZ_RAW_CALL_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace meshid::authz {

// `token` empty: no authorization header at all.
grpc::Status RawCall(const std::shared_ptr<grpc::Channel>& channel,
                     const std::string& method, const std::string& request,
                     const std::string& token,
                     absl::Duration timeout = absl::Seconds(10));

}  // namespace meshid::authz

#endif  // MESHID_TESTS_AUTHZ_RAW_CALL_H_
