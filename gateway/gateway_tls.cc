#include "gateway/gateway_tls.h"

#include <string>
#include <utility>

#include "common/server/tls_credentials.h"
#include "common/status_macros.h"

namespace meshid::gateway {
namespace {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const TlsSettings& tls) {
  if (!tls.serves_tls()) return grpc::InsecureServerCredentials();
  if (tls.key_file.empty()) {
    return absl::InvalidArgumentError("tls.key_file: required with cert_file");
  }
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain,
                   server::ReadPemFile(tls.cert_file, "tls.cert_file"));
  ASSIGN_OR_RETURN(pair.private_key,
                   server::ReadPemFile(tls.key_file, "tls.key_file"));
  options.pem_key_cert_pairs.push_back(std::move(pair));
  if (!tls.client_ca_file.empty()) {
    ASSIGN_OR_RETURN(
        options.pem_root_certs,
        server::ReadPemFile(tls.client_ca_file, "tls.client_ca_file"));
    // With require_client_cert a caller without a certificate from this CA
    // never gets past the handshake, so no token of it is even read.
    options.client_certificate_request =
        tls.require_client_cert
            ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
            : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const TlsSettings& tls) {
  if (!tls.dials_tls()) return grpc::InsecureChannelCredentials();
  if (tls.client_cert_file.empty() != tls.client_key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls.client_cert_file and tls.client_key_file go together");
  }
  grpc::SslCredentialsOptions options;
  if (!tls.upstream_ca_file.empty()) {
    ASSIGN_OR_RETURN(
        options.pem_root_certs,
        server::ReadPemFile(tls.upstream_ca_file, "tls.upstream_ca_file"));
  }
  if (!tls.client_cert_file.empty()) {
    ASSIGN_OR_RETURN(
        options.pem_cert_chain,
        server::ReadPemFile(tls.client_cert_file, "tls.client_cert_file"));
    ASSIGN_OR_RETURN(
        options.pem_private_key,
        server::ReadPemFile(tls.client_key_file, "tls.client_key_file"));
  }
  return grpc::SslCredentials(options);
}

}  // namespace

absl::StatusOr<GatewayCredentials> MakeGatewayCredentials(
    const TlsSettings& tls) {
  GatewayCredentials credentials;
  ASSIGN_OR_RETURN(credentials.server, ServerCredentials(tls));
  ASSIGN_OR_RETURN(credentials.channel, ChannelCredentials(tls));
  return credentials;
}

}  // namespace meshid::gateway
