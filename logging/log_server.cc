#include "logging/log_server.h"

#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/keyset/key_set_watcher.h"
#include "common/keyset/token_validator.h"
#include "common/server/grpc_server_util.h"
#include "common/server/http_server.h"
#include "common/server/json_log.h"
#include "common/status_macros.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "logging/blocking_executor.h"
#include "logging/log_authorizer.h"
#include "logging/log_grpc_service.h"
#include "logging/log_metrics.h"
#include "logging/log_reader.h"
#include "logging/store/open_log_store.h"
#include "logging/tail_feeder.h"
#include "prometheus/registry.h"
#include "storage/store_url.h"

namespace meshid::logging {

using server::Log;
using server::LogLevel;

// Declared in dependency order; destroyed in reverse, servers first.
struct LogServer::Parts {
  const Clock* clock = nullptr;
  std::unique_ptr<LogStore> store;
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<LogMetrics> metrics;
  std::unique_ptr<keyset::KeySetWatcher> watcher;
  std::unique_ptr<keyset::TokenValidator> validator;
  std::unique_ptr<LogAuthorizer> authorizer;
  std::unique_ptr<TailHub> tails;
  std::unique_ptr<TailFeeder> tail_feeder;
  std::unique_ptr<GroupCommitWriter> writer;
  std::unique_ptr<LogReader> reader;
  std::unique_ptr<BlockingExecutor> query_executor;
  std::unique_ptr<RetentionSweeper> sweeper;
  std::unique_ptr<LogGrpcService> service;
  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<grpc::Server> grpc_server;
  // Turns health SERVING once the first key set arrived.
  absl::Notification stop_readiness;
  std::thread readiness;

  // Also reached when Start fails half way (a port in use, say).
  ~Parts() {
    if (!stop_readiness.HasBeenNotified()) stop_readiness.Notify();
    if (readiness.joinable()) readiness.join();
  }
};

namespace {

absl::Status CheckConfig(const LogServerConfig& config) {
  if (config.identity_address.empty() || config.keyadmin_address.empty()) {
    return absl::InvalidArgumentError(
        "the identity and keyadmin addresses are required (the Log server "
        "validates tokens with keys from WatchKeys)");
  }
  if (config.client_id.empty() || config.client_secret.empty()) {
    return absl::InvalidArgumentError(
        "the Log server's own client id and secret are required");
  }
  if (config.name.empty() || config.issuer.empty()) {
    return absl::InvalidArgumentError("the name and issuer are required");
  }
  if (config.retention.retention < absl::ZeroDuration() ||
      config.retention.interval <= absl::ZeroDuration() ||
      config.clock_skew < absl::ZeroDuration() ||
      config.max_token_ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "retention and skew must be >= 0; the sweep interval and max token "
        "ttl > 0");
  }
  if (config.tails.buffer_entries == 0 || config.tails.max_tails == 0 ||
      config.max_group_entries == 0 || config.max_pending_entries == 0 ||
      config.store_pool_size < 1 || config.store_writer_connections < 1 ||
      config.query_threads < 1 || config.max_queued_queries == 0) {
    return absl::InvalidArgumentError(
        "buffer, queue, pool and thread sizes must be > 0");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<LogServer>> LogServer::Start(
    const LogServerConfig& config) {
  RETURN_IF_ERROR(CheckConfig(config));
  // TLS files first: a wrong path fails the start at once, naming the flag
  // and the file.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> server_credentials,
                   server::MakeServerCredentials(config.tls));
  ASSIGN_OR_RETURN(
      std::shared_ptr<grpc::ChannelCredentials> identity_credentials,
      server::MakeChannelCredentials(config.identity_tls));
  auto p = std::make_unique<Parts>();
  p->clock = config.clock != nullptr ? config.clock : SystemClock::Get();

  LogStoreOptions store_options;
  store_options.pool_size = config.store_pool_size;
  store_options.writer_connections = config.store_writer_connections;
  ASSIGN_OR_RETURN(p->store, OpenLogStore(config.store_url, store_options));
  p->registry = std::make_shared<prometheus::Registry>();
  p->metrics = std::make_unique<LogMetrics>(*p->registry);

  keyset::KeySetWatcherOptions watch;
  watch.identity_address = config.identity_address;
  watch.keyadmin_address = config.keyadmin_address;
  watch.client_id = config.client_id;
  watch.client_secret = crypto::SecretBytes(config.client_secret);
  watch.channel_credentials = std::move(identity_credentials);
  watch.backoff = config.watch_backoff;
  watch.resync_min_interval = config.resync_min_interval;
  watch.clock = p->clock;
  watch.registry = p->registry.get();
  p->watcher = std::make_unique<keyset::KeySetWatcher>(std::move(watch));
  RETURN_IF_ERROR(p->watcher->Start());
  VerifyPolicy policy;
  policy.issuer = config.issuer;
  policy.audience = config.name;
  policy.clock_skew = config.clock_skew;
  policy.max_lifetime = config.max_token_ttl;
  p->validator = std::make_unique<keyset::TokenValidator>(
      p->watcher.get(), policy, p->clock, p->registry.get());
  p->authorizer = std::make_unique<LogAuthorizer>(p->validator.get());

  p->tails = std::make_unique<TailHub>(config.tails, p->metrics.get());
  GroupCommitOptions commit;
  // SQLite has one writer; PostgreSQL one per writer connection.
  commit.writers =
      p->store->dialect() == "sqlite" ? 1 : config.store_writer_connections;
  commit.max_group_entries = config.max_group_entries;
  commit.max_pending_entries = config.max_pending_entries;
  p->tail_feeder =
      std::make_unique<TailFeeder>(p->tails.get(), TailFeederOptions{});
  TailFeeder* feeder = p->tail_feeder.get();
  p->writer = std::make_unique<GroupCommitWriter>(
      p->store.get(),
      [feeder](std::vector<LogRecord> committed) {
        feeder->Offer(std::move(committed));
      },
      commit, p->metrics.get());
  p->reader = std::make_unique<LogReader>(p->store.get());
  p->query_executor = std::make_unique<BlockingExecutor>(
      config.query_threads, config.max_queued_queries);
  p->sweeper = std::make_unique<RetentionSweeper>(
      p->store.get(), p->clock, config.retention, p->metrics.get());
  p->sweeper->Start();

  LogServiceDeps deps;
  deps.authorizer = p->authorizer.get();
  deps.writer = p->writer.get();
  deps.reader = p->reader.get();
  deps.query_executor = p->query_executor.get();
  deps.tails = p->tails.get();
  deps.metrics = p->metrics.get();
  deps.clock = p->clock;
  p->service = std::make_unique<LogGrpcService>(deps);

  LogServerPorts ports;
  if (!config.grpc_address.empty()) {
    grpc::ServerBuilder builder;
    server::ConfigureServerBuilder(builder, server::GrpcServerOptions{});
    builder.RegisterService(p->service.get());
    ASSIGN_OR_RETURN(p->grpc_server,
                     server::StartGrpcServer(builder, config.grpc_address,
                                             server_credentials, &ports.grpc));
    // Ready once tokens can be checked; see the header.
    server::SetGrpcServing(*p->grpc_server, false);
    Parts* parts = p.get();
    p->readiness = std::thread([parts] {
      while (!parts->stop_readiness.HasBeenNotified()) {
        if (parts->watcher->WaitForVersion(1, absl::Milliseconds(200))) {
          if (!parts->stop_readiness.HasBeenNotified()) {
            server::SetGrpcServing(*parts->grpc_server, true);
            Log(LogLevel::kInfo, "log.keys_ready",
                {{"key_set_version", parts->watcher->Current()->version()}});
          }
          return;
        }
      }
    });
  }
  if (!config.http_address.empty()) {
    server::HttpServerOptions http_options;
    http_options.address = config.http_address;
    http_options.metrics = p->registry;
    p->http = std::make_unique<server::HttpServer>(std::move(http_options));
    RETURN_IF_ERROR(p->http->Start());
    ports.http = p->http->port();
  }
  Log(LogLevel::kInfo, "log.started",
      {{"store", p->store->dialect()},
       {"grpc_port", ports.grpc},
       {"http_port", ports.http},
       {"name", config.name},
       {"grpc_tls", server::ServerTlsMode(config.tls)},
       {"retention_seconds",
        absl::ToInt64Seconds(config.retention.retention)}});
  std::unique_ptr<LogServer> server(new LogServer(std::move(p)));
  server->ports_ = ports;
  return server;
}

LogServer::LogServer(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}

LogServer::~LogServer() { Stop(); }

absl::string_view LogServer::store_dialect() const {
  return parts_->store->dialect();
}

bool LogServer::WaitForKeys(absl::Duration timeout) const {
  return parts_->watcher->WaitForVersion(1, timeout);
}

void LogServer::Stop(absl::Duration deadline) {
  if (stopped_) return;
  stopped_ = true;
  Parts& p = *parts_;
  p.stop_readiness.Notify();
  if (p.readiness.joinable()) p.readiness.join();
  if (p.http) p.http->SetServing(false);
  // Tails first: an open stream would hold the drain to its deadline.
  p.tails->Shutdown();
  if (p.grpc_server) {
    server::DrainOptions drain;
    drain.shutdown_deadline = deadline;
    // Appends in flight finish here, once the writer committed them.
    server::DrainGrpcServer(*p.grpc_server, drain);
  }
  p.writer->Shutdown();
  p.tail_feeder->Stop();
  p.query_executor->Shutdown();
  p.sweeper->Stop();
  p.watcher->Stop();
  if (p.http) p.http->Stop();
  Log(LogLevel::kInfo, "log.stopped", {});
}

}  // namespace meshid::logging
