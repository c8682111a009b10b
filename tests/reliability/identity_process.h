// IdentityProcess: the real meshid-identity binary, run as a child process
// on fixed loopback ports (so a restart is found where the first run was),
// with the typed calls the fault tests make against it.
//
//   auto identity = IdentityProcess::Create(store_url, dir);
//   ASSERT_TRUE(identity.ok());
//   ASSERT_TRUE((*identity)->Start().ok());
//   std::string secret = (*identity)->CreateClient("svc", {{"aud", {"s"}}});
//   (*identity)->Kill(SIGKILL);
//   ASSERT_TRUE((*identity)->Start().ok());  // same ports, same store
#ifndef MESHID_TESTS_RELIABILITY_IDENTITY_PROCESS_H_
#define MESHID_TESTS_RELIABILITY_IDENTITY_PROCESS_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "tests/testing/child_process.h"

namespace meshid::reliability {

inline constexpr char kTestIssuer[] = "https://meshid.test";
inline constexpr char kTestAdminSecret[] =
    "reliability-admin-secret-0123456789-abcdefghij";

// Scopes per audience of a client's policy.
using AudienceScopes = std::map<std::string, std::set<std::string>>;

class IdentityProcess {
 public:
  // `data_dir` holds the master key, the admin secret file and the log.
  static absl::StatusOr<std::unique_ptr<IdentityProcess>> Create(
      std::string store_url, std::string data_dir);

  // Flags added to every later Start (e.g. "--log_level=debug").
  void set_extra_args(std::vector<std::string> args) {
    extra_args_ = std::move(args);
  }
  // Starts (or restarts) the binary and waits until it serves.
  absl::Status Start();
  // Sends `signal` and reaps the process.
  void Kill(int signal);

  std::string identity_target() const;
  std::string keyadmin_target() const;
  int http_port() const { return http_port_; }
  test_process::ChildProcess* process() { return child_.get(); }

  keyadmin::v1::KeyAdmin::Stub& keyadmin() { return *keyadmin_; }
  identity::v1::Identity::Stub& identity() { return *identity_; }

  // A context carrying an admin token (aud meshid-keyadmin), 10 s deadline.
  // Fresh token per call: the server may have restarted since the last one.
  absl::StatusOr<std::unique_ptr<grpc::ClientContext>> AdminContext();

  absl::StatusOr<std::string> Issue(const std::string& client_id,
                                    const std::string& secret,
                                    const std::string& audience);
  // Returns the new client's secret.
  absl::StatusOr<std::string> CreateClient(const std::string& client_id,
                                           const AudienceScopes& audiences);

 private:
  IdentityProcess(std::string store_url, std::string data_dir,
                  int identity_port, int keyadmin_port, int http_port);

  const std::string store_url_;
  const std::string data_dir_;
  const int identity_port_;
  const int keyadmin_port_;
  const int http_port_;
  std::vector<std::string> extra_args_;
  std::unique_ptr<test_process::ChildProcess> child_;
  std::unique_ptr<identity::v1::Identity::Stub> identity_;
  std::unique_ptr<keyadmin::v1::KeyAdmin::Stub> keyadmin_;
};

using test_process::FreeLoopbackPort;

}  // namespace meshid::reliability

#endif  // MESHID_TESTS_RELIABILITY_IDENTITY_PROCESS_H_
