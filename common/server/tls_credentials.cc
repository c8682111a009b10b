#include "common/server/tls_credentials.h"

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace meshid::server {
namespace {

// PEM files are small; anything larger is not what the flag should name.
constexpr size_t kMaxPemBytes = 1 << 20;

}  // namespace

absl::StatusOr<std::string> ReadPemFile(const std::string& path,
                                        absl::string_view what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(what, ": cannot open \"", path, "\""));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  std::string pem = contents.str();
  if (pem.empty() || pem.size() > kMaxPemBytes) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": \"", path, "\" is empty or larger than 1 MiB"));
  }
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    return absl::FailedPreconditionError(
        absl::StrCat(what, ": \"", path, "\" holds no PEM block"));
  }
  return pem;
}

absl::string_view ServerTlsMode(const ServerTlsFiles& files) {
  if (!files.enabled()) return "plaintext";
  return files.client_ca_file.empty() ? "tls" : "mtls";
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTlsFiles& files) {
  if (!files.enabled()) {
    if (!files.client_ca_file.empty()) {
      return absl::InvalidArgumentError(
          "--tls_client_ca_file needs --tls_cert_file and --tls_key_file: "
          "client certificates are only asked for over TLS");
    }
    return grpc::InsecureServerCredentials();
  }
  if (files.cert_file.empty() || files.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_cert_file and --tls_key_file go together");
  }
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain,
                   ReadPemFile(files.cert_file, "--tls_cert_file"));
  ASSIGN_OR_RETURN(pair.private_key,
                   ReadPemFile(files.key_file, "--tls_key_file"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!files.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs,
                     ReadPemFile(files.client_ca_file, "--tls_client_ca_file"));
    // Zero trust: no certificate, or one from another CA, ends the
    // handshake before any RPC (and any token) is read.
    options.client_certificate_request =
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>>
MakeChannelCredentials(const ClientTlsFiles& files) {
  if (!files.enabled()) return grpc::InsecureChannelCredentials();
  if (files.cert_file.empty() != files.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--tls_client_cert_file and --tls_client_key_file go together");
  }
  grpc::SslCredentialsOptions options;
  if (!files.ca_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_root_certs,
                     ReadPemFile(files.ca_file, "--tls_ca_file"));
  }
  if (!files.cert_file.empty()) {
    ASSIGN_OR_RETURN(options.pem_cert_chain,
                     ReadPemFile(files.cert_file, "--tls_client_cert_file"));
    ASSIGN_OR_RETURN(options.pem_private_key,
                     ReadPemFile(files.key_file, "--tls_client_key_file"));
  }
  return grpc::SslCredentials(options);
}

}  // namespace meshid::server
