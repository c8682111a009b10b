// meshid-gateway: the authenticating generic gRPC proxy (DESIGN.md
// "Gateway"). main reads flags and the JSON config, wires the pieces
// together, serves until SIGTERM/SIGINT, and drains.
//
//   meshid-gateway --config /etc/meshid/gateway.json
//   meshid-gateway --config gateway.json --check_config   # validate, exit
//
// Exit status: 0 after a drain (or a config that checks out), 1 when the
// start failed, 2 for a bad command line or config.
//
// Readiness: the gRPC health status is NOT_SERVING until the key set's
// first snapshot and a token for every upstream (and the Log server) are
// in; calls that arrive earlier are still answered (UNAUTHENTICATED for an
// unknown key, UNAVAILABLE without an upstream token).
#include <algorithm>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/keyset/key_set_watcher.h"
#include "common/keyset/token_validator.h"
#include "common/server/env_flags.h"
#include "common/server/grpc_log_bridge.h"
#include "common/server/grpc_server_util.h"
#include "common/server/http_server.h"
#include "common/server/json_log.h"
#include "common/server/signals.h"
#include "gateway/access_log_queue.h"
#include "gateway/access_log_shipper.h"
#include "gateway/anomaly_reporter.h"
#include "gateway/call_admission.h"
#include "gateway/call_recorder.h"
#include "gateway/config_loader.h"
#include "gateway/gateway_metrics.h"
#include "gateway/gateway_service.h"
#include "gateway/gateway_tls.h"
#include "gateway/housekeeper.h"
#include "gateway/identity_token_service.h"
#include "gateway/log_append_service.h"
#include "gateway/peer_blocker.h"
#include "gateway/router.h"
#include "gateway/subject_tracker.h"
#include "gateway/upstream_token_cache.h"
#include "gateway/verified_token_cache.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "prometheus/registry.h"

ABSL_FLAG(std::string, config, "",
          "Path of the gateway's JSON config (schema: "
          "proto/meshid/gateway/v1/config.proto). Required");
ABSL_FLAG(bool, check_config, false,
          "Validate the config (and read the secret and TLS files), print "
          "the outcome and exit");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warning or error");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "Graceful shutdown deadline on SIGTERM: calls in flight may run "
          "this long");
ABSL_FLAG(absl::Duration, drain_not_serving_delay, absl::ZeroDuration(),
          "How long NOT_SERVING is announced, still serving, before the "
          "gateway stops accepting calls on SIGTERM");
ABSL_FLAG(int, upstream_channels, 1,
          "HTTP/2 connections per upstream (calls are spread round-robin)");
ABSL_FLAG(absl::Duration, identity_rpc_timeout, absl::Seconds(5),
          "Deadline of the gateway's own IssueToken calls");

namespace meshid::gateway {
namespace {

using server::Log;
using server::LogLevel;

constexpr int kExitStartFailed = 1;
constexpr int kExitBadInput = 2;

int Fail(absl::string_view event, const absl::Status& status, int code) {
  Log(LogLevel::kError, event, {{"error", status.message()}});
  return code;
}

// The tokens the gateway needs: one per distinct (audience, scopes) of the
// upstreams, then the Log server's. Fills each upstream's slot index.
std::vector<TokenRequestSpec> TokenSpecs(const GatewaySettings& settings,
                                         std::vector<size_t>* upstream_slots,
                                         size_t* log_slot) {
  std::vector<TokenRequestSpec> specs;
  const auto slot_for = [&](const std::string& audience,
                            const std::vector<std::string>& scopes) {
    for (size_t i = 0; i < specs.size(); ++i) {
      if (specs[i].audience == audience && specs[i].scopes == scopes) return i;
    }
    specs.push_back({audience, scopes});
    return specs.size() - 1;
  };
  for (const UpstreamSettings& upstream : settings.upstreams) {
    upstream_slots->push_back(slot_for(upstream.audience, upstream.scopes));
  }
  if (settings.access_log.shipping()) {
    *log_slot = slot_for(settings.access_log.log_audience, {"logs:write"});
  }
  return specs;
}

// How often the housekeeper runs: often enough to notice a spike within a
// fraction of its window, at most once a second.
absl::Duration HousekeepingInterval(const GatewaySettings& settings) {
  return std::clamp(settings.anomaly.rate_spike_window / 8,
                    absl::Milliseconds(50), absl::Seconds(1));
}

// The validated config and the client secret and TLS files it names.
struct Inputs {
  GatewaySettings settings;
  crypto::SecretBytes secret;
  GatewayCredentials credentials;
};

absl::StatusOr<Inputs> LoadInputs(const std::string& config_path) {
  if (config_path.empty()) {
    return absl::InvalidArgumentError("--config is required");
  }
  absl::StatusOr<GatewaySettings> settings = LoadGatewayConfig(config_path);
  if (!settings.ok()) return settings.status();
  for (const std::string& warning : settings->warnings) {
    Log(LogLevel::kWarning, "config.warning", {{"warning", warning}});
  }
  absl::StatusOr<ClientSecret> secret =
      ReadClientSecretFile(settings->client_secret_file);
  if (!secret.ok()) return secret.status();
  if (secret->too_permissive) {
    Log(LogLevel::kWarning, "config.warning",
        {{"warning", absl::StrCat("credentials.client_secret_file: ",
                                  settings->client_secret_file,
                                  " is readable by group or others; it "
                                  "should be mode 0600")}});
  }
  absl::StatusOr<GatewayCredentials> credentials =
      MakeGatewayCredentials(settings->tls);
  if (!credentials.ok()) return credentials.status();
  return Inputs{*std::move(settings), std::move(secret->secret),
                *std::move(credentials)};
}

int Serve(const GatewaySettings& settings, crypto::SecretBytes secret,
          const GatewayCredentials& credentials);

int Run() {
  const std::string config_path = absl::GetFlag(FLAGS_config);
  absl::StatusOr<Inputs> inputs = LoadInputs(config_path);
  if (!inputs.ok()) {
    return Fail("config.invalid", inputs.status(), kExitBadInput);
  }
  if (absl::GetFlag(FLAGS_check_config)) {
    std::cout << "config " << config_path << ": ok\n";
    return 0;
  }
  return Serve(inputs->settings, std::move(inputs->secret),
               inputs->credentials);
}

// Wires every piece together, serves until SIGTERM/SIGINT, drains.
int Serve(const GatewaySettings& settings, crypto::SecretBytes secret,
          const GatewayCredentials& credentials) {
  auto registry = std::make_shared<prometheus::Registry>();
  const Clock* clock = SystemClock::Get();

  // Keys: the watcher fetches and follows the key set; the validator
  // checks callers' tokens against it for our own audience.
  keyset::KeySetWatcherOptions watch;
  watch.identity_address = settings.identity_address;
  watch.keyadmin_address = settings.keyadmin_address;
  watch.client_id = settings.client_id;
  watch.client_secret = secret;
  watch.token_audience = settings.keyadmin_audience;
  watch.channel_credentials = credentials.channel;
  watch.registry = registry.get();
  keyset::KeySetWatcher watcher(std::move(watch));
  if (absl::Status s = watcher.Start(); !s.ok()) {
    return Fail("gateway.start_failed", s, kExitStartFailed);
  }
  VerifyPolicy policy;
  policy.issuer = settings.issuer;
  policy.audience = settings.name;
  policy.clock_skew = settings.clock_skew;
  policy.max_lifetime = settings.max_token_lifetime;
  keyset::TokenValidator validator(&watcher, policy, clock, registry.get());

  // The gateway's own tokens.
  std::vector<size_t> upstream_slots;
  size_t log_slot = 0;
  std::vector<TokenRequestSpec> specs =
      TokenSpecs(settings, &upstream_slots, &log_slot);
  std::vector<std::string> audiences;
  for (const TokenRequestSpec& spec : specs) audiences.push_back(spec.audience);
  auto metrics =
      std::make_shared<GatewayMetrics>(*registry, settings, audiences);
  IdentityTokenService fetcher(
      grpc::CreateChannel(settings.identity_address, credentials.channel),
      settings.client_id, std::move(secret),
      absl::GetFlag(FLAGS_identity_rpc_timeout));
  UpstreamTokenCacheOptions token_options;
  token_options.refresh_before_expiry = settings.refresh_before_expiry;
  token_options.on_fetch = [&metrics](size_t slot, bool ok) {
    metrics->OnUpstreamTokenFetch(slot, ok);
  };
  UpstreamTokenCache tokens(specs, &fetcher, std::move(token_options), clock);

  // The access log.
  AccessLogQueue queue(settings.access_log.queue_bound);
  std::unique_ptr<LogAppendService> log_sender;
  if (settings.access_log.shipping()) {
    log_sender = std::make_unique<LogAppendService>(
        grpc::CreateChannel(settings.access_log.log_address,
                            credentials.channel),
        &tokens, log_slot, clock, absl::Seconds(10));
  }
  AccessLogShipperOptions ship;
  ship.ship = settings.access_log.shipping();
  ship.batch_size = settings.access_log.batch_size;
  ship.flush_interval = settings.access_log.flush_interval;
  ship.max_pending = settings.access_log.queue_bound;
  AccessLogShipperMetrics ship_metrics;
  ship_metrics.on_shipped = [&metrics](uint64_t n) {
    metrics->OnAccessLogShipped(n);
  };
  ship_metrics.on_dropped_unshipped = [&metrics](uint64_t n) {
    metrics->OnAccessLogDropped(AccessLogDrop::kUnshipped, n);
  };
  ship_metrics.on_queue_depth = [&metrics](size_t n) {
    metrics->SetAccessLogQueueDepth(n);
  };
  AccessLogShipper shipper(&queue, log_sender.get(), WriteToStderr, ship, clock,
                           std::move(ship_metrics));

  // Per-call decisions.
  AnomalyReporter reporter(&queue, metrics.get(), clock);
  PeerBlocker peers(PeerBlockerOptions::From(settings.anomaly));
  SubjectTracker subjects(SubjectTrackerOptions::From(settings));
  const Router router(settings.routes);
  VerifiedTokenCache token_cache(
      VerifiedTokenCache::Options{settings.clock_skew});
  CallAdmission admission({&settings, &router, &validator, &watcher,
                           &token_cache, &peers, &subjects, &reporter,
                           metrics.get()});
  CallRecorder recorder(&settings, &queue, metrics.get());
  Housekeeper housekeeper({&peers, &subjects, &reporter, metrics.get(), clock},
                          HousekeepingInterval(settings));

  GatewayService::Deps service_deps;
  service_deps.settings = &settings;
  service_deps.admission = &admission;
  service_deps.tokens = &tokens;
  service_deps.upstream_token_slots = upstream_slots;
  service_deps.recorder = &recorder;
  service_deps.clock = clock;
  service_deps.channels_per_upstream = absl::GetFlag(FLAGS_upstream_channels);
  service_deps.upstream_credentials = credentials.channel;
  GatewayService service(std::move(service_deps));

  shipper.Start();
  tokens.Start();
  housekeeper.Start();

  grpc::ServerBuilder builder;
  server::ConfigureServerBuilder(builder, server::GrpcServerOptions{});
  builder.RegisterCallbackGenericService(&service);
  int grpc_port = 0;
  absl::StatusOr<std::unique_ptr<grpc::Server>> started =
      server::StartGrpcServer(builder, settings.listen_address,
                              credentials.server, &grpc_port);
  if (!started.ok()) {
    return Fail("gateway.start_failed", started.status(), kExitStartFailed);
  }
  std::unique_ptr<grpc::Server> grpc_server = *std::move(started);
  server::SetGrpcServing(*grpc_server, false);

  server::HttpServerOptions http_options;
  http_options.address = settings.http_listen_address;
  http_options.metrics = std::make_shared<CombinedCollectable>(
      std::vector<std::shared_ptr<const prometheus::Collectable>>{registry,
                                                                  metrics});
  server::HttpServer http(std::move(http_options));
  if (absl::Status s = http.Start(); !s.ok()) {
    grpc_server->Shutdown();
    return Fail("gateway.start_failed", s, kExitStartFailed);
  }
  Log(LogLevel::kInfo, "gateway.started",
      {{"name", settings.name},
       {"grpc_port", grpc_port},
       {"http_port", http.port()},
       {"routes", settings.routes.size()},
       {"upstreams", settings.upstreams.size()},
       {"access_log_shipping", settings.access_log.shipping()},
       {"grpc_tls", !settings.tls.serves_tls()         ? "plaintext"
                    : settings.tls.require_client_cert ? "mtls"
                                                       : "tls"},
       {"upstream_tls", settings.tls.dials_tls()}});

  // Serve; flip to SERVING once keys and tokens are in.
  bool ready = false;
  absl::optional<server::ShutdownSignal> signal;
  while (!signal.has_value()) {
    if (!ready && watcher.Current()->version() > 0 &&
        tokens.AllValid(clock->Now())) {
      ready = true;
      server::SetGrpcServing(*grpc_server, true);
      metrics->SetReady(true);
      Log(LogLevel::kInfo, "gateway.ready",
          {{"key_set_version", watcher.Current()->version()}});
    }
    signal = server::WaitForShutdownSignalFor(ready ? absl::Hours(1)
                                                    : absl::Milliseconds(20));
  }

  Log(LogLevel::kInfo, "gateway.draining",
      {{"signal", server::ShutdownSignalName(*signal)}});
  http.SetServing(false);
  server::DrainOptions drain;
  drain.not_serving_delay = absl::GetFlag(FLAGS_drain_not_serving_delay);
  drain.shutdown_deadline = absl::GetFlag(FLAGS_drain_timeout);
  server::DrainGrpcServer(*grpc_server, drain);
  grpc_server->Wait();
  housekeeper.Stop();
  shipper.Stop(absl::Seconds(2));
  tokens.Stop();
  watcher.Stop();
  http.Stop();
  Log(LogLevel::kInfo, "gateway.stopped", {});
  return 0;
}

}  // namespace
}  // namespace meshid::gateway

int main(int argc, char** argv) {
  if (!meshid::server::BlockShutdownSignals().ok()) return 1;
  // Debian's Abseil checks every mutex acquisition for deadlock cycles, a
  // debugging aid that costs about 1 us per lock; the tests keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  meshid::server::SetLogServiceName("meshid-gateway");
  absl::StatusOr<std::vector<char*>> args =
      meshid::server::ParseFlagsAndEnvironment(argc, argv);
  if (!args.ok()) {
    std::cerr << "meshid-gateway: " << args.status().message() << "\n";
    return 2;
  }
  if (args->size() > 1) {
    std::cerr << "meshid-gateway: unexpected argument '" << (*args)[1] << "'\n";
    return 2;
  }
  meshid::server::LogLevel level;
  if (!meshid::server::ParseLogLevel(absl::GetFlag(FLAGS_log_level), &level)) {
    std::cerr << "meshid-gateway: --log_level must be debug, info, warning "
                 "or error\n";
    return 2;
  }
  meshid::server::SetMinLogLevel(level);
  meshid::server::RouteGrpcLogsToJsonLog();
  return meshid::gateway::Run();
}
