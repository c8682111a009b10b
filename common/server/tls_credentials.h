// Transport credentials from PEM files, for every meshid server and client:
// TLS when a certificate is configured, mutual TLS when the server also
// names the CA that must have signed its clients' certificates. Without any
// file the credentials are plaintext (loopback, or a mesh that terminates
// TLS in a sidecar).
//
//   ServerTlsFiles files{.cert_file = "/tls/server.crt",
//                        .key_file = "/tls/server.key",
//                        .client_ca_file = "/tls/ca.crt"};  // mTLS
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> creds,
//                    MakeServerCredentials(files));
//
//   ClientTlsFiles client{.ca_file = "/tls/ca.crt",
//                         .cert_file = "/tls/client.crt",
//                         .key_file = "/tls/client.key"};
//   ASSIGN_OR_RETURN(std::shared_ptr<grpc::ChannelCredentials> channel,
//                    MakeChannelCredentials(client));
//
// Errors name the flag-level field and the file, never the file's contents
// (a key file is a secret).
#ifndef MESHID_COMMON_SERVER_TLS_CREDENTIALS_H_
#define MESHID_COMMON_SERVER_TLS_CREDENTIALS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace meshid::server {

struct ServerTlsFiles {
  // PEM certificate chain the server presents. With key_file, turns TLS on.
  std::string cert_file;
  // PEM private key of cert_file.
  std::string key_file;
  // PEM CA bundle: when set, every client must present a certificate that
  // chains to it (mutual TLS); calls without one fail the handshake.
  std::string client_ca_file;

  bool enabled() const { return !cert_file.empty() || !key_file.empty(); }
};

struct ClientTlsFiles {
  // PEM CA bundle that verifies the server. With none of the three fields
  // set the channel is plaintext; with only cert/key, the system roots
  // verify the server.
  std::string ca_file;
  // PEM certificate chain and key this client presents (mutual TLS).
  std::string cert_file;
  std::string key_file;

  bool enabled() const {
    return !ca_file.empty() || !cert_file.empty() || !key_file.empty();
  }
};

// "plaintext", "tls" or "mtls": what a server serves, for its start-up log.
absl::string_view ServerTlsMode(const ServerTlsFiles& files);

// INVALID_ARGUMENT when only one of cert/key is set, or client_ca_file is
// set without a certificate; NOT_FOUND / FAILED_PRECONDITION when a file is
// missing, unreadable, empty or not PEM.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files);

// INVALID_ARGUMENT when only one of cert/key is set; file errors as above.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsFiles& files);

// The contents of a PEM file, checked to hold at least one PEM block.
// `what` names the setting in errors ("--tls_cert_file").
absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        absl::string_view what);

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_TLS_CREDENTIALS_H_
