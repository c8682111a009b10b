// meshid-identity: the issuer. main only reads flags and runs an
// IdentityServer until SIGTERM/SIGINT; `meshid-identity migrate` applies the
// store's migrations and exits.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/server/env_flags.h"
#include "common/server/grpc_log_bridge.h"
#include "common/server/json_log.h"
#include "common/server/signals.h"
#include "common/server/tls_flags.h"
#include "identity/identity_server.h"

ABSL_FLAG(std::string, store, "sqlite:///var/lib/meshid/meshid.db",
          "Store URL: sqlite:///abs/path.db (embedded default) or "
          "postgresql://user@host:port/db");
ABSL_FLAG(std::string, master_key_file, "",
          "Master key file (32 bytes base64url, mode 0600). Empty with "
          "SQLite: <db folder>/master.key, created on first start. Required "
          "with PostgreSQL");
ABSL_FLAG(std::string, bootstrap_admin_secret_file, "",
          "File holding the bootstrap admin client's secret (32-512 bytes); "
          "the client is created on first start only");
ABSL_FLAG(std::string, bootstrap_admin_client, "meshid-admin",
          "client_id of the bootstrap admin");
ABSL_FLAG(std::string, issuer, "https://meshid.local",
          "The iss claim of every token");
ABSL_FLAG(std::string, identity_address, "0.0.0.0:50051",
          "Identity (token plane) gRPC address; empty disables it");
ABSL_FLAG(std::string, keyadmin_address, "0.0.0.0:50052",
          "KeyAdmin (admin plane) gRPC address; empty disables it");
ABSL_FLAG(std::string, http_address, "0.0.0.0:9101",
          "HTTP address for /metrics, /healthz, /.well-known/jwks.json; "
          "empty disables it");
ABSL_FLAG(std::string, identity_audience, "meshid-identity",
          "Audience of tokens for the Identity plane's own calls");
ABSL_FLAG(std::string, keyadmin_audience, "meshid-keyadmin",
          "Audience of tokens for KeyAdmin calls");
ABSL_FLAG(std::string, login_client, "meshid-login",
          "Service client whose policy and keys issue users' tokens");
ABSL_FLAG(absl::Duration, max_token_ttl, absl::Hours(1),
          "Longest token lifetime; client policies are capped by it");
ABSL_FLAG(absl::Duration, default_token_ttl, absl::Minutes(15),
          "Lifetime of a token requested without a ttl");
ABSL_FLAG(absl::Duration, clock_skew, absl::Seconds(30),
          "Tolerated clock difference for exp/nbf/iat");
ABSL_FLAG(absl::Duration, activation_delay, absl::Seconds(2),
          "How long a new key is published before it signs (0 = at once)");
ABSL_FLAG(absl::Duration, rotation_period, absl::Hours(24),
          "Automatic rotation of each slot's key (0 = never)");
ABSL_FLAG(absl::Duration, tick_interval, absl::Seconds(1),
          "How often views refresh and timed key moves run");
ABSL_FLAG(int, store_pool_size, 4, "PostgreSQL connections");
ABSL_FLAG(std::string, audit_log_address, "",
          "Log server (meshid-log) to ship committed audit events to, e.g. "
          "127.0.0.1:50053; empty ships none");
ABSL_FLAG(std::string, audit_log_client, "meshid-audit",
          "Client whose tokens ship audit events (made on first start with "
          "--audit_log_address; its secret is never shown)");
ABSL_FLAG(std::string, audit_log_audience, "logging-service",
          "The Log server's name: audience of the shipping tokens");
ABSL_FLAG(absl::Duration, audit_log_retry_max, absl::Seconds(10),
          "Longest wait between attempts to ship audit events while the Log "
          "server fails");
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

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  if (path.empty()) return std::string();
  FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return absl::NotFoundError("cannot open --bootstrap_admin_secret_file");
  }
  char buffer[600];
  const size_t n = std::fread(buffer, 1, sizeof(buffer), f);
  std::fclose(f);
  std::string secret(buffer, n);
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) {
    secret.pop_back();
  }
  if (secret.size() < 32 || secret.size() > 512) {
    return absl::InvalidArgumentError(
        "--bootstrap_admin_secret_file must hold 32-512 bytes");
  }
  return secret;
}

int Migrate() {
  absl::StatusOr<meshid::identity::MigrationStatus> status =
      meshid::identity::GetMigrationStatus(absl::GetFlag(FLAGS_store));
  if (!status.ok()) return Fail("migrate.failed", status.status());
  // Opening applies whatever is pending.
  auto store = meshid::identity::OpenStore(absl::GetFlag(FLAGS_store), {});
  if (!store.ok()) return Fail("migrate.failed", store.status());
  status = meshid::identity::GetMigrationStatus(absl::GetFlag(FLAGS_store));
  if (!status.ok()) return Fail("migrate.failed", status.status());
  std::cout << "applied: " << absl::StrJoin(status->applied, " ") << "\n"
            << "available: " << absl::StrJoin(status->available, " ") << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!meshid::server::BlockShutdownSignals().ok()) return 1;
  // Debian's Abseil checks every mutex acquisition for deadlock cycles, a
  // debugging aid that costs about 1 us per gRPC call; the tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  meshid::server::SetLogServiceName("meshid-identity");
  absl::StatusOr<std::vector<char*>> args =
      meshid::server::ParseFlagsAndEnvironment(argc, argv);
  if (!args.ok()) {
    std::cerr << "meshid-identity: " << args.status().message() << "\n";
    return 2;
  }
  meshid::server::LogLevel level;
  if (!meshid::server::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    std::cerr << "meshid-identity: --log_level must be debug, info, warning "
                 "or error\n";
    return 2;
  }
  meshid::server::SetMinLogLevel(level);
  meshid::server::RouteGrpcLogsToJsonLog();
  if (args->size() == 2 && std::string((*args)[1]) == "migrate") {
    return Migrate();
  }
  if (args->size() > 1) {
    std::cerr << "meshid-identity: unexpected argument '" << (*args)[1]
              << "' (the only command is 'migrate')\n";
    return 2;
  }

  meshid::identity::IdentityServerConfig config;
  config.store_url = absl::GetFlag(FLAGS_store);
  config.master_key_file = absl::GetFlag(FLAGS_master_key_file);
  absl::StatusOr<std::string> admin_secret =
      ReadSecretFile(absl::GetFlag(FLAGS_bootstrap_admin_secret_file));
  if (!admin_secret.ok()) return Fail("config.invalid", admin_secret.status());
  config.bootstrap.admin_secret = *std::move(admin_secret);
  config.bootstrap.admin_client = absl::GetFlag(FLAGS_bootstrap_admin_client);
  meshid::identity::IdentityOptions& o = config.options;
  o.issuer = absl::GetFlag(FLAGS_issuer);
  o.identity_audience = absl::GetFlag(FLAGS_identity_audience);
  o.keyadmin_audience = absl::GetFlag(FLAGS_keyadmin_audience);
  o.login_client = absl::GetFlag(FLAGS_login_client);
  o.max_token_ttl = absl::GetFlag(FLAGS_max_token_ttl);
  o.default_token_ttl = absl::GetFlag(FLAGS_default_token_ttl);
  o.clock_skew = absl::GetFlag(FLAGS_clock_skew);
  o.activation_delay = absl::GetFlag(FLAGS_activation_delay);
  o.rotation_period = absl::GetFlag(FLAGS_rotation_period);
  config.identity_address = absl::GetFlag(FLAGS_identity_address);
  config.keyadmin_address = absl::GetFlag(FLAGS_keyadmin_address);
  config.http_address = absl::GetFlag(FLAGS_http_address);
  config.tick_interval = absl::GetFlag(FLAGS_tick_interval);
  config.store_pool_size = absl::GetFlag(FLAGS_store_pool_size);
  config.tls = meshid::server::ServerTlsFilesFromFlags();
  config.audit_log_tls = meshid::server::ClientTlsFilesFromFlags();
  config.audit_log_address = absl::GetFlag(FLAGS_audit_log_address);
  if (!config.audit_log_address.empty()) {
    config.bootstrap.audit_client = absl::GetFlag(FLAGS_audit_log_client);
    config.bootstrap.audit_audience = absl::GetFlag(FLAGS_audit_log_audience);
    const absl::Duration retry_max = absl::GetFlag(FLAGS_audit_log_retry_max);
    if (retry_max <= absl::ZeroDuration()) {
      return Fail(
          "config.invalid",
          absl::InvalidArgumentError("--audit_log_retry_max must be positive"));
    }
    config.audit_shipper.backoff.max = retry_max;
    config.audit_shipper.backoff.initial =
        std::min(config.audit_shipper.backoff.initial, retry_max);
  }
  if (o.max_token_ttl <= absl::ZeroDuration() ||
      o.default_token_ttl <= absl::ZeroDuration() ||
      o.clock_skew < absl::ZeroDuration() ||
      o.activation_delay < absl::ZeroDuration() ||
      o.rotation_period < absl::ZeroDuration() ||
      config.tick_interval <= absl::ZeroDuration()) {
    return Fail("config.invalid",
                absl::InvalidArgumentError(
                    "durations must be positive (skew, activation delay and "
                    "rotation period may be 0)"));
  }

  absl::StatusOr<std::unique_ptr<meshid::identity::IdentityServer>> server =
      meshid::identity::IdentityServer::Start(config);
  if (!server.ok()) return Fail("identity.start_failed", server.status());
  const meshid::server::ShutdownSignal signal =
      meshid::server::WaitForShutdownSignal();
  Log(LogLevel::kInfo, "identity.draining",
      {{"signal", meshid::server::ShutdownSignalName(signal)}});
  (*server)->Stop(absl::GetFlag(FLAGS_drain_timeout));
  return 0;
}
