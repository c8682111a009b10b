// LogProcessTest: the notes' mesh as real processes. meshid-identity (with
// audit shipping on) and meshid-log run as child processes over SQLite or
// PostgreSQL (scratch databases); the test talks to them only over gRPC,
// HTTP and meshctl, as the services of the mesh would.
//
// SetUp, in order: identity starts (ports from its log), the admin creates
// the clients of the flow, meshid-log starts with its own client's secret
// and is ready once it logs log.keys_ready (its first key set).
//
//   Clients (all HS256 pairs):
//     logging-service    meshid-keyadmin: keys:watch  (the Log server)
//     careergpt-backend  logging-service: logs:write; other-service: any
//     log-reader         logging-service: logs:read
//     no-scope           logging-service: (no scope)
#ifndef MESHID_TESTS_LOGGING_LOG_PROCESS_FIXTURE_H_
#define MESHID_TESTS_LOGGING_LOG_PROCESS_FIXTURE_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "meshid/logging/v1/log.grpc.pb.h"
#include "tests/testing/child_process.h"
#include "tests/testing/scratch_database.h"

namespace meshid::logging::testing {

enum class Backend { kSqlite, kPostgres };
std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

inline constexpr char kIssuer[] = "https://meshid.test";
inline constexpr char kAuditClient[] = "meshid-audit";

class LogProcessTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Flags a test adds to meshid-log's command line.
  virtual std::vector<std::string> ExtraLogFlags() const { return {}; }

  // IssueToken for one of the fixture's clients.
  absl::StatusOr<std::string> Issue(const std::string& client_id,
                                    const std::string& audience,
                                    std::vector<std::string> scopes = {},
                                    int ttl_seconds = 0);
  // A token the test cannot do without: fails the test when refused.
  std::string Token(const std::string& client_id, const std::string& audience,
                    std::vector<std::string> scopes = {});
  std::string WriterToken() {
    return Token("careergpt-backend", "logging-service", {"logs:write"});
  }
  std::string ReaderToken() {
    return Token("log-reader", "logging-service", {"logs:read"});
  }
  std::string AdminToken() { return Token("meshid-admin", "meshid-keyadmin"); }

  // A context carrying "authorization: Bearer <token>" (none when empty)
  // and a 10 s deadline.
  static std::unique_ptr<grpc::ClientContext> With(const std::string& token);

  // Calls on the Log server.
  grpc::Status Append(const std::string& token,
                      const v1::AppendRequest& request,
                      v1::AppendResponse* response);
  grpc::Status Query(const std::string& token, const v1::QueryRequest& request,
                     v1::QueryResponse* response);
  // Append, retried while the Log server does not know the token's key yet
  // (kid_unknown: a key made a moment ago may still be on its way through
  // WatchKeys), up to a deadline.
  grpc::Status AppendOnceKeysArrived(const std::string& token,
                                     const v1::AppendRequest& request,
                                     v1::AppendResponse* response);
  // Retries `call` until it returns `code` or 15 s pass; the last status.
  template <typename Call>
  grpc::Status WaitForCode(grpc::StatusCode code, Call call);

  // Runs meshctl with `args` (MESHID_LOG_ADDR and MESHID_TOKEN set) and
  // returns its exit code and output.
  struct MeshctlRun {
    int exit_code = -1;
    std::string output;
  };
  MeshctlRun Meshctl(const std::vector<std::string>& args,
                     const std::string& token);

  std::string log_address() const {
    return "127.0.0.1:" + std::to_string(log_port_);
  }

  std::unique_ptr<test_process::TempDir> dir_;
  std::unique_ptr<ScratchDatabase> identity_db_;
  std::unique_ptr<ScratchDatabase> log_db_;
  std::unique_ptr<test_process::ChildProcess> identity_;
  std::unique_ptr<test_process::ChildProcess> log_;
  int identity_port_ = 0;
  int keyadmin_port_ = 0;
  int log_port_ = 0;
  int log_http_port_ = 0;
  std::map<std::string, std::string> secrets_;  // client id -> secret
  std::unique_ptr<identity::v1::Identity::Stub> identity_stub_;
  std::unique_ptr<keyadmin::v1::KeyAdmin::Stub> keyadmin_stub_;
  std::unique_ptr<v1::Log::Stub> log_stub_;

 private:
  void StartIdentity(const std::string& store_url);
  void CreateClient(
      const std::string& client_id,
      const std::map<std::string, std::set<std::string>>& audiences);
  void StartLog(const std::string& store_url);
};

template <typename Call>
grpc::Status LogProcessTest::WaitForCode(grpc::StatusCode code, Call call) {
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  grpc::Status status = call();
  while (status.error_code() != code && absl::Now() < deadline) {
    // The condition lives in another process; a short pause between
    // attempts keeps the retry loop from spinning.
    absl::SleepFor(absl::Milliseconds(20));
    status = call();
  }
  return status;
}

// One entry with the fields the flow uses.
v1::LogEntry Entry(const std::string& message,
                   v1::LogLevel level = v1::LOG_LEVEL_INFO,
                   v1::LogKind kind = v1::LOG_KIND_APP);

}  // namespace meshid::logging::testing

#endif  // MESHID_TESTS_LOGGING_LOG_PROCESS_FIXTURE_H_
