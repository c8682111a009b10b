// TlsMesh: meshid-identity, meshid-log and meshid-gateway as real processes
// on loopback, every gRPC hop over mutual TLS with certificates that
// deploy/local/certs.sh makes in a temp folder (one CA; a second CA's
// certificates stand for an outsider).
//
//   identity (Identity + KeyAdmin)  cert identity.crt, clients need ca.crt
//   log                             cert log.crt; dials identity as "log"
//   gateway                         cert gateway.crt; dials identity and
//                                   log (its only upstream) as "gateway"
//   identity -> log                 audit shipping as "identity"
//
//   auto mesh = TlsMesh::Start();
//   auto stub = meshid::logging::v1::Log::NewStub(
//       mesh->Channel(mesh->gateway_target(), TlsClient::kAdmin));
#ifndef MESHID_TESTS_TLS_TLS_MESH_H_
#define MESHID_TESTS_TLS_TLS_MESH_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "tests/testing/child_process.h"

namespace meshid::tlstest {

inline constexpr char kIssuer[] = "https://meshid.tls.test";
inline constexpr char kGatewayName[] = "tls-gateway";
inline constexpr char kCallerClient[] = "tls-caller";

// How a test client dials.
enum class TlsClient {
  kAdmin,          // CA + admin.crt: a client of the mesh
  kNoCertificate,  // CA only: TLS, but no client certificate
  kPlaintext,      // no TLS at all
  kOtherCa,        // CA + a certificate from another CA
};

// Runs deploy/local/certs.sh into `dir`.
absl::Status MakeCertificates(const std::string& dir);

// Runs `binary` to its exit (at most 60 s): exit code and output.
std::pair<int, std::string> RunToExit(const std::string& binary,
                                      const std::vector<std::string>& args,
                                      const std::string& log_path,
                                      const std::vector<std::string>& env = {});

// The contents of a file ("" when it cannot be read).
std::string ReadFile(const std::string& path);

class TlsMesh {
 public:
  static absl::StatusOr<std::unique_ptr<TlsMesh>> Start();

  std::shared_ptr<grpc::Channel> Channel(const std::string& target,
                                         TlsClient client) const;

  std::string identity_target() const { return Target(identity_port_); }
  std::string keyadmin_target() const { return Target(keyadmin_port_); }
  std::string log_target() const { return Target(log_port_); }
  std::string gateway_target() const { return Target(gateway_port_); }
  int log_http_port() const { return log_http_port_; }
  int gateway_http_port() const { return gateway_http_port_; }

  // IssueToken over mTLS.
  absl::StatusOr<std::string> Issue(const std::string& client_id,
                                    const std::string& audience,
                                    const std::vector<std::string>& scopes);
  std::string AdminSecret() const;

  const test_process::TempDir& dir() const { return *dir_; }
  std::string Cert(const std::string& name) const;       // ca.crt, log.key..
  std::string OtherCert(const std::string& name) const;  // the outsider CA's
  // The logs of the three servers, for failure messages.
  std::string Logs() const;

 private:
  TlsMesh() = default;
  static std::string Target(int port) {
    return "127.0.0.1:" + std::to_string(port);
  }
  absl::Status StartIdentity();
  absl::Status CreateClient(
      const std::string& client_id,
      const std::map<std::string, std::set<std::string>>& audiences);
  absl::Status StartLog();
  absl::Status StartGateway();

  std::unique_ptr<test_process::TempDir> dir_;
  std::unique_ptr<test_process::ChildProcess> identity_;
  std::unique_ptr<test_process::ChildProcess> log_;
  std::unique_ptr<test_process::ChildProcess> gateway_;
  int identity_port_ = 0;
  int keyadmin_port_ = 0;
  int log_port_ = 0;
  int log_http_port_ = 0;
  int gateway_port_ = 0;
  int gateway_http_port_ = 0;
  std::map<std::string, std::string> secrets_;
};

}  // namespace meshid::tlstest

#endif  // MESHID_TESTS_TLS_TLS_MESH_H_
