// AuthzMesh: the four servers the authorization matrix calls, as real
// processes on loopback in a temp dir: meshid-identity (Identity and
// KeyAdmin, SQLite), meshid-log, and meshid-gateway routing the Log API to
// the Log server. Every validator runs with zero clock skew, so a token is
// refused the moment its `exp` passes.
//
//   AuthzMesh mesh;
//   ASSERT_TRUE(mesh.Start({{"caller", {{"logging-service", {"logs:read"}}}}})
//                   .ok());
//   std::string token = *mesh.Issue("caller", "logging-service",
//                                   {"logs:read"});
//   RawCall(mesh.log(), "/meshid.logging.v1.Log/Query", "", token);
//
// Clients the mesh makes for itself: `logging-service` (the Log server:
// keys:watch) and `careergpt-backend` (the gateway: keys:watch, and
// logs:read logs:write for the Log server it forwards to).
#ifndef MESHID_TESTS_AUTHZ_AUTHZ_MESH_H_
#define MESHID_TESTS_AUTHZ_AUTHZ_MESH_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "tests/reliability/identity_process.h"
#include "tests/testing/child_process.h"

namespace meshid::authz {

inline constexpr char kIdentityAudience[] = "meshid-identity";
inline constexpr char kKeyAdminAudience[] = "meshid-keyadmin";
inline constexpr char kLogAudience[] = "logging-service";
inline constexpr char kGatewayName[] = "careergpt-backend";
inline constexpr char kAdminClient[] = "meshid-admin";

// An HS256 pair key as a validator holds it (what WatchKeys sent it).
struct HeldKey {
  std::string kid;
  std::string client_id;
  std::string audience;
  std::string secret;
};

class AuthzMesh {
 public:
  AuthzMesh() = default;
  ~AuthzMesh();

  // Starts identity, creates the mesh's own clients and `callers` (client
  // id -> policy), then the Log server and the gateway, each waited for
  // until it logs that it is ready.
  absl::Status Start(
      const std::map<std::string, reliability::AudienceScopes>& callers);

  std::shared_ptr<grpc::Channel> identity() const { return identity_ch_; }
  std::shared_ptr<grpc::Channel> keyadmin() const { return keyadmin_ch_; }
  std::shared_ptr<grpc::Channel> log() const { return log_ch_; }
  std::shared_ptr<grpc::Channel> gateway() const { return gateway_ch_; }

  // IssueToken for a client the mesh made; `ttl_seconds` 0: the default.
  absl::StatusOr<std::string> Issue(const std::string& client_id,
                                    const std::string& audience,
                                    const std::vector<std::string>& scopes,
                                    int ttl_seconds = 0);
  const std::string& secret(const std::string& client_id) {
    return secrets_[client_id];
  }

  // The HS256 keys WatchKeys gives `watcher` (a client the mesh made, with
  // keys:watch): those of every pair whose audience is `watcher`.
  absl::StatusOr<std::vector<HeldKey>> HeldKeys(const std::string& watcher);

  // KeyAdmin.TransitionPrincipal as the admin (event: a PrincipalEvent).
  absl::Status Transition(const std::string& principal_id, int event);
  // Lets the login client issue users' tokens for `audience` (no scope).
  absl::Status AllowLoginAudience(const std::string& audience);

  // The processes' logs, for failure messages.
  std::string Logs() const;

 private:
  absl::Status CreateClient(const std::string& client_id,
                            const reliability::AudienceScopes& audiences);
  absl::Status StartLog();
  absl::Status StartGateway();

  std::unique_ptr<test_process::TempDir> dir_;
  std::unique_ptr<reliability::IdentityProcess> identity_;
  std::unique_ptr<test_process::ChildProcess> log_;
  std::unique_ptr<test_process::ChildProcess> gateway_;
  int log_port_ = 0;
  int gateway_port_ = 0;
  std::map<std::string, std::string> secrets_;
  std::shared_ptr<grpc::Channel> identity_ch_;
  std::shared_ptr<grpc::Channel> keyadmin_ch_;
  std::shared_ptr<grpc::Channel> log_ch_;
  std::shared_ptr<grpc::Channel> gateway_ch_;
};

}  // namespace meshid::authz

#endif  // MESHID_TESTS_AUTHZ_AUTHZ_MESH_H_
