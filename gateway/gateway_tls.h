// The gateway's transport credentials from its tls settings (config.proto
// TlsOptions): what it serves with, and what every outgoing channel
// (upstreams, meshid-identity, the Log server) dials with.
//
//   ASSIGN_OR_RETURN(GatewayCredentials creds,
//                    MakeGatewayCredentials(settings.tls));
//   StartGrpcServer(builder, address, creds.server, &port);
//   grpc::CreateChannel(upstream, creds.channel);
//
// Errors name the config field and the file ("tls.key_file: cannot open
// \"/etc/gw.key\""), never the file's contents.
#ifndef MESHID_GATEWAY_GATEWAY_TLS_H_
#define MESHID_GATEWAY_GATEWAY_TLS_H_

#include <memory>

#include "absl/status/statusor.h"
#include "gateway/gateway_settings.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace meshid::gateway {

struct GatewayCredentials {
  std::shared_ptr<grpc::ServerCredentials> server;
  std::shared_ptr<grpc::ChannelCredentials> channel;
};

// Reads every file the settings name. Plaintext where nothing is set.
// NOT_FOUND / FAILED_PRECONDITION for a missing, empty or non-PEM file;
// INVALID_ARGUMENT for a combination the validator also refuses.
absl::StatusOr<GatewayCredentials> MakeGatewayCredentials(
    const TlsSettings& tls);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_GATEWAY_TLS_H_
