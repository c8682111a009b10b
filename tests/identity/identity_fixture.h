// IdentityServerTest: a real meshid-identity (in-process, real gRPC and
// HTTP servers on port 0) over a real store, once on SQLite and once on
// PostgreSQL (a scratch database per test). Tests talk to it only through
// gRPC and HTTP, as a client would.
#ifndef MESHID_TESTS_IDENTITY_IDENTITY_FIXTURE_H_
#define MESHID_TESTS_IDENTITY_IDENTITY_FIXTURE_H_

#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "identity/identity_server.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "tests/testing/scratch_database.h"

namespace meshid::identity {

enum class Backend { kSqlite, kPostgres };
std::string BackendName(const ::testing::TestParamInfo<Backend>& info);

inline constexpr char kAdminSecret[] =
    "admin-secret-for-tests-0123456789abcdef";
inline constexpr char kIssuer[] = "https://meshid.test";

class IdentityServerTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Override to change the server's settings before it starts.
  virtual void Configure(IdentityServerConfig& config) {}

  // Starts (or restarts, keeping the data) the server.
  void StartServer();
  void StopServer();

  v1::Identity::Stub& identity() { return *identity_; }
  keyadmin::v1::KeyAdmin::Stub& keyadmin() { return *keyadmin_; }
  IdentityServer& server() { return *server_; }

  // A token of the bootstrap admin for `audience` (KeyAdmin by default).
  std::string AdminToken(const std::string& audience = "meshid-keyadmin");
  // A client context carrying "authorization: Bearer <token>".
  std::unique_ptr<grpc::ClientContext> WithToken(const std::string& token);
  std::unique_ptr<grpc::ClientContext> AsAdmin() {
    return WithToken(AdminToken());
  }

  // Creates a client allowed `audiences` (audience -> scopes); returns its
  // secret.
  std::string CreateClient(
      const std::string& client_id,
      const std::map<std::string, std::set<std::string>>& audiences);
  // IssueToken; the status on failure.
  absl::StatusOr<std::string> Issue(const std::string& client_id,
                                    const std::string& secret,
                                    const std::string& audience,
                                    std::vector<std::string> scopes = {});
  // Verifies `token` through IntrospectToken (as the admin).
  bool IsActive(const std::string& token);

  std::string data_dir_;
  std::string store_url_;
  std::unique_ptr<ScratchDatabase> database_;
  std::unique_ptr<IdentityServer> server_;
  std::unique_ptr<v1::Identity::Stub> identity_;
  std::unique_ptr<keyadmin::v1::KeyAdmin::Stub> keyadmin_;
};

}  // namespace meshid::identity

#endif  // MESHID_TESTS_IDENTITY_IDENTITY_FIXTURE_H_
