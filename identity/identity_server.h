// IdentityServer: meshid-identity assembled — store, master key, views,
// services, the Identity and KeyAdmin gRPC servers, the HTTP server
// (/metrics, /healthz, /.well-known/jwks.json) and the background ticker
// (view refresh, key activation/expiry/rotation). main() reads flags into an
// IdentityServerConfig and runs one; tests run one in-process on port 0.
#ifndef MESHID_IDENTITY_IDENTITY_SERVER_H_
#define MESHID_IDENTITY_IDENTITY_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "common/clock.h"
#include "common/server/tls_credentials.h"
#include "identity/audit/audit_shipper.h"
#include "identity/bootstrap.h"
#include "identity/identity_context.h"
#include "identity/store/store.h"

namespace meshid::identity {

struct IdentityServerConfig {
  std::string store_url;
  // Empty with a SQLite store: "<db folder>/master.key", made on first
  // start. Required with PostgreSQL.
  std::string master_key_file;
  IdentityOptions options;
  BootstrapOptions bootstrap;
  // Empty disables that server. Port 0 picks a free one.
  std::string identity_address = "0.0.0.0:50051";
  std::string keyadmin_address = "0.0.0.0:50052";
  std::string http_address = "0.0.0.0:9101";
  // Certificate and key of both gRPC servers (Identity and KeyAdmin); with
  // client_ca_file, every caller must present a certificate from that CA
  // (mutual TLS). All empty: plaintext. The HTTP server stays plaintext.
  server::ServerTlsFiles tls;
  // How often the ticker refreshes the views from the store and runs the
  // timed key moves.
  absl::Duration tick_interval = absl::Seconds(1);
  // Idle WatchKeys streams get a heartbeat this often.
  absl::Duration heartbeat_interval = absl::Seconds(10);
  int store_pool_size = 4;
  // The Log server to ship committed audit events to (identity/audit/);
  // empty: none are shipped. Needs bootstrap.audit_client: the client whose
  // tokens (audience bootstrap.audit_audience, scope logs:write) the
  // shipper mints in-process.
  std::string audit_log_address;
  // How the shipper dials audit_log_address (all empty: plaintext).
  server::ClientTlsFiles audit_log_tls;
  AuditShipperOptions audit_shipper;
  // Tests pass a fake; nullptr means the system clock.
  const Clock* clock = nullptr;
};

struct BoundPorts {
  int identity = 0;
  int keyadmin = 0;
  int http = 0;
};

class IdentityServer {
 public:
  // Opens the store (applying migrations), loads the master key and the
  // views, bootstraps, and starts every server and the ticker.
  static absl::StatusOr<std::unique_ptr<IdentityServer>> Start(
      const IdentityServerConfig& config);
  ~IdentityServer();  // Stop()s

  const BoundPorts& ports() const { return ports_; }
  // Health NOT_SERVING, then a graceful shutdown within `deadline`.
  // Idempotent.
  void Stop(absl::Duration deadline = absl::Seconds(10));

  // One ticker round now (tests drive time with a fake clock).
  absl::Status TickNow();
  const IdentityContext& context() const;

  struct Parts;

 private:
  explicit IdentityServer(std::unique_ptr<Parts> parts);
  void RunTicker();

  std::unique_ptr<Parts> parts_;
  BoundPorts ports_;
  absl::Notification stop_ticker_;
  std::thread ticker_;
  bool stopped_ = false;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_IDENTITY_SERVER_H_
