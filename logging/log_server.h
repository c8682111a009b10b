// LogServer: meshid-log assembled. The store, the key-set watcher and the
// token validator (audience = the server's name), the group-commit writer,
// the tail hub, the query executor, the retention sweeper, the Log gRPC
// server (health, reflection) and the HTTP server (/metrics, /healthz).
// main() reads flags into a LogServerConfig and runs one; tests run one
// in-process on port 0.
//
//   LogServerConfig config;
//   config.store_url = "sqlite:///var/lib/meshid/log.db";
//   config.identity_address = "meshid-identity:50051";
//   config.keyadmin_address = "meshid-identity:50052";
//   config.client_secret = secret_from_file;
//   ASSIGN_OR_RETURN(auto server, LogServer::Start(config));
//   ... WaitForShutdownSignal() ...
//   server->Stop(absl::Seconds(10));
//
// gRPC health reports NOT_SERVING until the first key set has arrived from
// WatchKeys (before that every token would be refused), SERVING after.
#ifndef MESHID_LOGGING_LOG_SERVER_H_
#define MESHID_LOGGING_LOG_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/keyset/backoff.h"
#include "common/server/tls_credentials.h"
#include "logging/group_commit_writer.h"
#include "logging/retention_sweeper.h"
#include "logging/tail_hub.h"

namespace meshid::logging {

struct LogServerConfig {
  std::string store_url = "sqlite:///var/lib/meshid/log.db";
  // Empty disables that server. Port 0 picks a free one.
  std::string grpc_address = "0.0.0.0:50053";
  std::string http_address = "0.0.0.0:9103";
  // Certificate and key of the gRPC server; with client_ca_file every
  // caller must present a certificate from that CA (mutual TLS). All empty:
  // plaintext. The HTTP server stays plaintext.
  server::ServerTlsFiles tls;

  // The validator: where keys come from, and as whom it asks for them.
  std::string identity_address = "127.0.0.1:50051";
  std::string keyadmin_address = "127.0.0.1:50052";
  // How both of those are dialed (all empty: plaintext).
  server::ClientTlsFiles identity_tls;
  std::string client_id = "logging-service";
  std::string client_secret;  // never logged
  // Tokens must carry this iss, and aud = `name`.
  std::string issuer = "https://meshid.local";
  std::string name = "logging-service";
  absl::Duration clock_skew = absl::Seconds(30);
  absl::Duration max_token_ttl = absl::Hours(1);
  keyset::BackoffOptions watch_backoff;
  absl::Duration resync_min_interval = absl::Seconds(1);

  RetentionOptions retention;
  TailHubOptions tails;
  // Entries per transaction and entries waiting at most; the writer count
  // follows the store (1 for SQLite, writer_connections for PostgreSQL).
  size_t max_group_entries = 5000;
  size_t max_pending_entries = 50000;
  int store_pool_size = 4;
  int store_writer_connections = 2;
  int query_threads = 4;
  size_t max_queued_queries = 256;
  // Tests pass a fake; nullptr means the system clock. Used for token
  // checks, receive times and retention, never for waiting.
  const Clock* clock = nullptr;
};

struct LogServerPorts {
  int grpc = 0;
  int http = 0;
};

class LogServer {
 public:
  // Opens the store (applying migrations), starts the key-set watcher
  // (without waiting for it) and every server. INVALID_ARGUMENT for a bad
  // configuration; UNAVAILABLE when the store or a port is unavailable.
  static absl::StatusOr<std::unique_ptr<LogServer>> Start(
      const LogServerConfig& config);
  ~LogServer();  // Stop()s

  const LogServerPorts& ports() const { return ports_; }
  absl::string_view store_dialect() const;

  // True once the validator holds a key set (version >= 1), waiting up to
  // `timeout` (real time). For start-up and tests: a deadline, not a sleep.
  bool WaitForKeys(absl::Duration timeout) const;

  // Health NOT_SERVING, tails ended (UNAVAILABLE), calls in flight finished
  // (Appends committed) within `deadline`, then everything stopped.
  // Idempotent.
  void Stop(absl::Duration deadline = absl::Seconds(10));

  struct Parts;

 private:
  explicit LogServer(std::unique_ptr<Parts> parts);

  std::unique_ptr<Parts> parts_;
  LogServerPorts ports_;
  bool stopped_ = false;
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_LOG_SERVER_H_
