// EchoService: the test upstream behind the gateway (echo.proto). Every
// response carries initial metadata "x-echo-initial: yes" and the trailer
// "x-echo-trailer: <method>", so tests can check both cross the gateway.
//
//   EchoService service;
//   builder.RegisterService(&service);
#ifndef MESHID_TESTS_GATEWAY_ECHO_ECHO_SERVICE_H_
#define MESHID_TESTS_GATEWAY_ECHO_ECHO_SERVICE_H_

#include <atomic>
#include <cstdint>

#include "meshid/gatewaytest/v1/echo.grpc.pb.h"

namespace meshid::gatewaytest {

class EchoService final : public v1::Echo::CallbackService {
 public:
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* context,
                                  const v1::EchoRequest* request,
                                  v1::EchoResponse* response) override;
  grpc::ServerReadReactor<v1::EchoRequest>* ClientStream(
      grpc::CallbackServerContext* context,
      v1::EchoResponse* response) override;
  grpc::ServerWriteReactor<v1::EchoResponse>* ServerStream(
      grpc::CallbackServerContext* context,
      const v1::EchoRequest* request) override;
  grpc::ServerBidiReactor<v1::EchoRequest, v1::EchoResponse>* Bidi(
      grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* Privileged(grpc::CallbackServerContext* context,
                                       const v1::EchoRequest* request,
                                       v1::EchoResponse* response) override;
  grpc::ServerUnaryReactor* Limited(grpc::CallbackServerContext* context,
                                    const v1::EchoRequest* request,
                                    v1::EchoResponse* response) override;
  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context,
                                 const v1::PingRequest* request,
                                 v1::PingResponse* response) override;
  grpc::ServerUnaryReactor* Stats(grpc::CallbackServerContext* context,
                                  const v1::StatsRequest* request,
                                  v1::StatsResponse* response) override;

  // Counts one call that was cancelled (unary: while hanging).
  void OnHangCancelled() { cancelled_.fetch_add(1); }

 private:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const v1::EchoRequest* request,
                                 v1::EchoResponse* response,
                                 const char* method);

  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> cancelled_{0};
};

// Fills `response` with what the upstream saw of the call.
void DescribeCall(const grpc::CallbackServerContext& context,
                  v1::EchoResponse* response);

// The status a request asks to end with (OK when fail_code is 0).
grpc::Status RequestedStatus(const v1::EchoRequest& request);

}  // namespace meshid::gatewaytest

#endif  // MESHID_TESTS_GATEWAY_ECHO_ECHO_SERVICE_H_
