// FakeLogServer: an in-process stand-in for meshid-log that records every
// Log.Append it receives (entries and the caller's authorization header),
// so tests can check what the gateway ships. Query and Tail are not
// implemented. It can be told to fail Appends.
//
//   FakeLogServer log;
//   ASSERT_TRUE(log.Start().ok());
//   config.mutable_access_log()->set_log_address(log.address());
//   ASSERT_TRUE(log.WaitFor([](const auto& entries) { ... },
//                           absl::Seconds(10)));
#ifndef MESHID_TESTS_GATEWAY_TESTING_FAKE_LOG_SERVICE_H_
#define MESHID_TESTS_GATEWAY_TESTING_FAKE_LOG_SERVICE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "meshid/logging/v1/log.grpc.pb.h"

namespace meshid::gatewaytest {

class FakeLogServer final : public logging::v1::Log::CallbackService {
 public:
  ~FakeLogServer() override;

  absl::Status Start();  // on 127.0.0.1, a free port
  std::string address() const;

  grpc::ServerUnaryReactor* Append(
      grpc::CallbackServerContext* context,
      const logging::v1::AppendRequest* request,
      logging::v1::AppendResponse* response) override;

  std::vector<logging::v1::LogEntry> Entries() const;
  std::vector<std::string> Authorizations() const;
  int appends() const;
  // Waits until `ready(entries)` holds or `timeout` passes.
  bool WaitFor(const std::function<
                   bool(const std::vector<logging::v1::LogEntry>&)>& ready,
               absl::Duration timeout) const;
  // While set, Append answers UNAVAILABLE and stores nothing.
  void SetFailing(bool failing);

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  mutable absl::Mutex mu_;
  mutable absl::CondVar appended_;
  std::vector<logging::v1::LogEntry> entries_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> authorizations_ ABSL_GUARDED_BY(mu_);
  int appends_ ABSL_GUARDED_BY(mu_) = 0;
  bool failing_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace meshid::gatewaytest

#endif  // MESHID_TESTS_GATEWAY_TESTING_FAKE_LOG_SERVICE_H_
