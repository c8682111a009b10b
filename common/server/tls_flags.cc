#include "common/server/tls_flags.h"

#include <string>

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, tls_cert_file, "",
          "PEM certificate chain this binary's gRPC server(s) present; with "
          "--tls_key_file turns TLS on (empty: plaintext)");
ABSL_FLAG(std::string, tls_key_file, "",
          "PEM private key of --tls_cert_file (mode 0600)");
ABSL_FLAG(std::string, tls_client_ca_file, "",
          "PEM CA bundle: every caller must present a certificate it signed "
          "(mutual TLS); needs --tls_cert_file");
ABSL_FLAG(std::string, tls_ca_file, "",
          "PEM CA bundle verifying the servers this binary dials (identity: "
          "the Log server of --audit_log_address; meshid-log: "
          "meshid-identity); turns TLS on for those channels");
ABSL_FLAG(std::string, tls_client_cert_file, "",
          "PEM certificate chain presented to the servers this binary dials "
          "(mutual TLS); with --tls_client_key_file");
ABSL_FLAG(std::string, tls_client_key_file, "",
          "PEM private key of --tls_client_cert_file (mode 0600)");

namespace meshid::server {

ServerTlsFiles ServerTlsFilesFromFlags() {
  ServerTlsFiles files;
  files.cert_file = absl::GetFlag(FLAGS_tls_cert_file);
  files.key_file = absl::GetFlag(FLAGS_tls_key_file);
  files.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca_file);
  return files;
}

ClientTlsFiles ClientTlsFilesFromFlags() {
  ClientTlsFiles files;
  files.ca_file = absl::GetFlag(FLAGS_tls_ca_file);
  files.cert_file = absl::GetFlag(FLAGS_tls_client_cert_file);
  files.key_file = absl::GetFlag(FLAGS_tls_client_key_file);
  return files;
}

}  // namespace meshid::server
