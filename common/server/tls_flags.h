// The TLS flags every meshid server binary shares, defined once so that the
// names, help and defaults cannot drift between binaries:
//   serving:  --tls_cert_file, --tls_key_file, --tls_client_ca_file
//   dialing:  --tls_ca_file, --tls_client_cert_file, --tls_client_key_file
// (each also a MESHID_<NAME> variable, common/server/env_flags.h). What a
// binary dials with the client files (identity: the Log server it ships
// audit events to; meshid-log: meshid-identity) is in its README section.
//
//   config.tls = server::ServerTlsFilesFromFlags();
//   config.identity_tls = server::ClientTlsFilesFromFlags();
#ifndef MESHID_COMMON_SERVER_TLS_FLAGS_H_
#define MESHID_COMMON_SERVER_TLS_FLAGS_H_

#include "common/server/tls_credentials.h"

namespace meshid::server {

// The files the binary's gRPC server(s) serve with.
ServerTlsFiles ServerTlsFilesFromFlags();

// The files the binary's outgoing gRPC channels dial with.
ClientTlsFiles ClientTlsFilesFromFlags();

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_TLS_FLAGS_H_
