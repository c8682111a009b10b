// meshid-log: the Log server. main only reads flags (each also a MESHID_*
// environment variable) and runs a LogServer until SIGTERM/SIGINT;
// `meshid-log migrate` applies the store's migrations and exits.
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/server/env_flags.h"
#include "common/server/grpc_log_bridge.h"
#include "common/server/json_log.h"
#include "common/server/signals.h"
#include "common/server/tls_flags.h"
#include "logging/log_server.h"
#include "logging/store/open_log_store.h"

ABSL_FLAG(std::string, store, "sqlite:///var/lib/meshid/log.db",
          "Store URL: sqlite:///abs/path.db (embedded default) or "
          "postgresql://user@host:port/db");
ABSL_FLAG(std::string, grpc_address, "0.0.0.0:50053",
          "Log gRPC address (health, reflection included)");
ABSL_FLAG(std::string, http_address, "0.0.0.0:9103",
          "HTTP address for /metrics and /healthz; empty disables it");
ABSL_FLAG(std::string, identity_address, "127.0.0.1:50051",
          "meshid-identity token plane, for the server's own token");
ABSL_FLAG(std::string, keyadmin_address, "127.0.0.1:50052",
          "meshid-identity admin plane, for WatchKeys");
ABSL_FLAG(std::string, client_id, "logging-service",
          "The server's own client id (needs keys:watch for the KeyAdmin "
          "audience)");
ABSL_FLAG(std::string, client_secret_file, "",
          "File holding the server's client secret (required)");
ABSL_FLAG(std::string, issuer, "https://meshid.local",
          "Accepted iss of callers' tokens");
ABSL_FLAG(std::string, name, "logging-service",
          "This server's name: the aud callers' tokens must carry");
ABSL_FLAG(absl::Duration, clock_skew, absl::Seconds(30),
          "Tolerated clock difference for exp/nbf/iat");
ABSL_FLAG(absl::Duration, max_token_ttl, absl::Hours(1),
          "Longest accepted token lifetime (exp - iat)");
ABSL_FLAG(absl::Duration, retention, absl::Hours(24 * 30),
          "Entries older than this (by their time) are deleted; 0 keeps all");
ABSL_FLAG(absl::Duration, retention_sweep_interval, absl::Minutes(1),
          "Time between retention sweeps");
ABSL_FLAG(int, tail_buffer, 1000,
          "Entries a Tail may have waiting before it is ended "
          "(RESOURCE_EXHAUSTED)");
ABSL_FLAG(int, max_tails, 1000, "Open Tail streams at most");
ABSL_FLAG(int, max_group_entries, 5000,
          "Entries committed in one transaction at most");
ABSL_FLAG(int, max_pending_entries, 50000,
          "Entries waiting to be committed at most; beyond, Append is "
          "RESOURCE_EXHAUSTED");
ABSL_FLAG(int, store_pool_size, 4,
          "Store connections for queries (PostgreSQL) / read connections "
          "(SQLite)");
ABSL_FLAG(int, store_writer_connections, 2,
          "PostgreSQL connections (and writer threads) for Append");
ABSL_FLAG(int, query_threads, 4, "Threads running Query store reads");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "Graceful shutdown deadline on SIGTERM");

namespace {

using meshid::server::Log;
using meshid::server::LogLevel;

int Fail(absl::string_view event, const absl::Status& status) {
  Log(LogLevel::kError, event, {{"error", status.message()}});
  return 1;
}

// The secret, without a trailing newline; the message never quotes it.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("--client_secret_file is required");
  }
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError("cannot open --client_secret_file");
  }
  char buffer[600];
  const size_t n = std::fread(buffer, 1, sizeof(buffer), f);
  std::fclose(f);
  std::string secret(buffer, n);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.pop_back();
  }
  if (secret.empty() || secret.size() > 512) {
    return absl::InvalidArgumentError(
        "--client_secret_file must hold 1-512 bytes");
  }
  return secret;
}

int Migrate() {
  // Opening applies whatever is pending.
  absl::StatusOr<std::unique_ptr<meshid::logging::LogStore>> store =
      meshid::logging::OpenLogStore(absl::GetFlag(FLAGS_store), {});
  if (!store.ok()) return Fail("migrate.failed", store.status());
  std::cout << "migrated: " << (*store)->dialect() << "\n";
  return 0;
}

bool Positive(int value) { return value > 0; }

}  // namespace

int main(int argc, char** argv) {
  if (!meshid::server::BlockShutdownSignals().ok()) return 1;
  // Debian's Abseil checks every mutex acquisition for deadlock cycles, a
  // debugging aid that costs about 1 us per gRPC call; the tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  meshid::server::SetLogServiceName("meshid-log");
  absl::StatusOr<std::vector<char*>> args =
      meshid::server::ParseFlagsAndEnvironment(argc, argv);
  if (!args.ok()) {
    std::cerr << "meshid-log: " << args.status().message() << "\n";
    return 2;
  }
  meshid::server::LogLevel level;
  if (!meshid::server::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    std::cerr << "meshid-log: --log_level must be debug, info, warning or "
                 "error\n";
    return 2;
  }
  meshid::server::SetMinLogLevel(level);
  meshid::server::RouteGrpcLogsToJsonLog();
  if (args->size() == 2 && std::string((*args)[1]) == "migrate") {
    return Migrate();
  }
  if (args->size() > 1) {
    std::cerr << "meshid-log: unexpected argument '" << (*args)[1]
              << "' (the only command is 'migrate')\n";
    return 2;
  }

  meshid::logging::LogServerConfig config;
  config.store_url = absl::GetFlag(FLAGS_store);
  config.grpc_address = absl::GetFlag(FLAGS_grpc_address);
  config.http_address = absl::GetFlag(FLAGS_http_address);
  config.identity_address = absl::GetFlag(FLAGS_identity_address);
  config.keyadmin_address = absl::GetFlag(FLAGS_keyadmin_address);
  config.tls = meshid::server::ServerTlsFilesFromFlags();
  config.identity_tls = meshid::server::ClientTlsFilesFromFlags();
  config.client_id = absl::GetFlag(FLAGS_client_id);
  absl::StatusOr<std::string> secret =
      ReadSecretFile(absl::GetFlag(FLAGS_client_secret_file));
  if (!secret.ok()) return Fail("config.invalid", secret.status());
  config.client_secret = *std::move(secret);
  config.issuer = absl::GetFlag(FLAGS_issuer);
  config.name = absl::GetFlag(FLAGS_name);
  config.clock_skew = absl::GetFlag(FLAGS_clock_skew);
  config.max_token_ttl = absl::GetFlag(FLAGS_max_token_ttl);
  config.retention.retention = absl::GetFlag(FLAGS_retention);
  config.retention.interval = absl::GetFlag(FLAGS_retention_sweep_interval);
  const int tail_buffer = absl::GetFlag(FLAGS_tail_buffer);
  const int max_tails = absl::GetFlag(FLAGS_max_tails);
  const int max_group = absl::GetFlag(FLAGS_max_group_entries);
  const int max_pending = absl::GetFlag(FLAGS_max_pending_entries);
  if (!Positive(tail_buffer) || !Positive(max_tails) || !Positive(max_group) ||
      !Positive(max_pending)) {
    return Fail("config.invalid",
                absl::InvalidArgumentError(
                    "--tail_buffer, --max_tails, --max_group_entries and "
                    "--max_pending_entries must be > 0"));
  }
  config.tails.buffer_entries = static_cast<size_t>(tail_buffer);
  config.tails.max_tails = static_cast<size_t>(max_tails);
  config.max_group_entries = static_cast<size_t>(max_group);
  config.max_pending_entries = static_cast<size_t>(max_pending);
  config.store_pool_size = absl::GetFlag(FLAGS_store_pool_size);
  config.store_writer_connections =
      absl::GetFlag(FLAGS_store_writer_connections);
  config.query_threads = absl::GetFlag(FLAGS_query_threads);

  absl::StatusOr<std::unique_ptr<meshid::logging::LogServer>> server =
      meshid::logging::LogServer::Start(config);
  if (!server.ok()) return Fail("log.start_failed", server.status());
  const meshid::server::ShutdownSignal signal =
      meshid::server::WaitForShutdownSignal();
  Log(LogLevel::kInfo, "log.draining",
      {{"signal", meshid::server::ShutdownSignalName(signal)}});
  (*server)->Stop(absl::GetFlag(FLAGS_drain_timeout));
  return 0;
}
