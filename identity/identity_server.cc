#include "identity/identity_server.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/server/grpc_server_util.h"
#include "common/server/http_server.h"
#include "common/server/json_log.h"
#include "common/status_macros.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "identity/audit/audit_log_client.h"
#include "identity/audit/audit_publishing_store.h"
#include "identity/identity_grpc_service.h"
#include "identity/identity_metrics.h"
#include "identity/keyadmin_grpc_service.h"
#include "identity/store/pg_change_listener.h"
#include "identity/watch/watch_hub.h"
#include "prometheus/registry.h"

namespace meshid::identity {

using server::Log;
using server::LogLevel;

// Declared in dependency order; destroyed in reverse, servers first.
struct IdentityServer::Parts {
  // Stopped explicitly in Stop(), before what its token source uses goes.
  std::unique_ptr<AuditShipper> audit_shipper;
  std::unique_ptr<Store> store;
  std::unique_ptr<MasterKey> master_key;
  std::unique_ptr<IdentityViews> views;
  IdentityContext ctx;
  std::shared_ptr<prometheus::Registry> registry;
  std::unique_ptr<IdentityMetrics> metrics;
  std::unique_ptr<KeyService> keys;
  std::unique_ptr<ClientService> clients;
  std::unique_ptr<PrincipalService> principals;
  std::unique_ptr<TokenService> tokens;
  std::unique_ptr<WatchHub> hub;
  // PostgreSQL only: changes from other replicas, as they commit.
  std::unique_ptr<PgChangeListener> listener;
  std::unique_ptr<IdentityGrpcService> identity_service;
  std::unique_ptr<KeyAdminGrpcService> keyadmin_service;
  std::unique_ptr<server::HttpServer> http;
  std::unique_ptr<grpc::Server> identity_server;
  std::unique_ptr<grpc::Server> keyadmin_server;
};

namespace {

// "sqlite:///data/meshid.db" -> "/data/master.key".
std::string DefaultMasterKeyPath(absl::string_view store_url) {
  absl::string_view path = store_url;
  if (!absl::ConsumePrefix(&path, "sqlite://")) return "";
  const size_t slash = path.rfind('/');
  if (slash == absl::string_view::npos) return "";
  return absl::StrCat(path.substr(0, slash), "/master.key");
}

absl::StatusOr<std::unique_ptr<MasterKey>> LoadMasterKey(
    const IdentityServerConfig& config) {
  std::string path = config.master_key_file;
  const bool embedded = path.empty();
  if (embedded) {
    path = DefaultMasterKeyPath(config.store_url);
    if (path.empty()) {
      return absl::InvalidArgumentError(
          "--master_key_file is required with a PostgreSQL store");
    }
  }
  absl::StatusOr<MasterKey::LoadResult> loaded =
      MasterKey::LoadOrCreate(path, /*create_if_missing=*/embedded);
  if (!loaded.ok()) return loaded.status();
  if (loaded->created) {
    Log(LogLevel::kWarning, "master_key.created",
        {{"path", path},
         {"note",
          "a new master key was generated; back it up with the "
          "database, which is unreadable without it"}});
  }
  return std::make_unique<MasterKey>(std::move(loaded->key));
}

// How long Stop() keeps shipping queued audit events.
constexpr absl::Duration kAuditFlushDeadline = absl::Seconds(2);

// The shipper of committed audit events to the Log server, minting its
// tokens in-process for the bootstrap audit client. `parts->tokens` is
// read only when a batch is sent, after Start finished.
std::unique_ptr<AuditShipper> MakeAuditShipper(
    const IdentityServerConfig& config, const Clock* clock,
    std::shared_ptr<grpc::ChannelCredentials> credentials,
    IdentityServer::Parts* parts) {
  AuditLogClientOptions options;
  options.address = config.audit_log_address;
  options.channel_credentials = std::move(credentials);
  options.clock = clock;
  TokenRequest request;
  request.audience = config.bootstrap.audit_audience;
  request.scopes = {"logs:write"};
  auto sender = std::make_unique<AuditLogClient>(
      options,
      [parts, client = config.bootstrap.audit_client,
       request]() -> absl::StatusOr<ShippingToken> {
        ASSIGN_OR_RETURN(IssuedToken issued,
                         parts->tokens->IssueOwnToken(client, request));
        return ShippingToken{std::move(issued.access_token),
                             absl::Seconds(issued.expires_in)};
      });
  return std::make_unique<AuditShipper>(std::move(sender),
                                        config.audit_shipper);
}

absl::StatusOr<std::unique_ptr<grpc::Server>> StartOne(
    const std::string& address, grpc::Service* service,
    const std::shared_ptr<grpc::ServerCredentials>& credentials, int* port) {
  grpc::ServerBuilder builder;
  server::ConfigureServerBuilder(builder, server::GrpcServerOptions{});
  builder.RegisterService(service);
  return server::StartGrpcServer(builder, address, credentials, port);
}

}  // namespace

absl::StatusOr<std::unique_ptr<IdentityServer>> IdentityServer::Start(
    const IdentityServerConfig& config) {
  auto p = std::make_unique<Parts>();
  const Clock* clock = config.clock ? config.clock : SystemClock::Get();
  // TLS files are read before anything else opens, so a wrong path fails
  // the start at once, naming the flag and the file.
  ASSIGN_OR_RETURN(std::shared_ptr<grpc::ServerCredentials> server_credentials,
                   server::MakeServerCredentials(config.tls));
  std::shared_ptr<grpc::ChannelCredentials> audit_credentials;
  if (!config.audit_log_address.empty() || config.audit_log_tls.enabled()) {
    ASSIGN_OR_RETURN(audit_credentials,
                     server::MakeChannelCredentials(config.audit_log_tls));
  }
  StoreOptions store_options;
  store_options.pool_size = config.store_pool_size;
  ASSIGN_OR_RETURN(p->store, OpenStore(config.store_url, store_options));
  if (!config.audit_log_address.empty()) {
    if (config.bootstrap.audit_client.empty()) {
      return absl::InvalidArgumentError(
          "shipping audit events needs the audit client's name");
    }
    p->audit_shipper =
        MakeAuditShipper(config, clock, std::move(audit_credentials), p.get());
    // Every service writes through ctx.store, so every committed audit
    // event reaches the shipper.
    p->store = std::make_unique<AuditPublishingStore>(std::move(p->store),
                                                      p->audit_shipper.get());
  }
  ASSIGN_OR_RETURN(p->master_key, LoadMasterKey(config));
  p->views = std::make_unique<IdentityViews>(p->store.get(),
                                             p->master_key.get(), clock);
  p->hub = std::make_unique<WatchHub>(clock, config.heartbeat_interval);
  WatchHub* hub = p->hub.get();
  p->views->SetListener(
      [hub](const std::shared_ptr<const IdentitySnapshot>& snapshot,
            const std::vector<ChangeEvent>& changes,
            bool full_load) { hub->Publish(snapshot, changes, full_load); });
  RETURN_IF_ERROR(p->views->Load());
  p->ctx = IdentityContext{p->store.get(), p->master_key.get(), clock,
                           p->views.get(), config.options};
  p->registry = std::make_shared<prometheus::Registry>();
  p->metrics = std::make_unique<IdentityMetrics>(*p->registry);
  p->keys = std::make_unique<KeyService>(p->ctx);
  p->clients = std::make_unique<ClientService>(p->ctx);
  p->principals = std::make_unique<PrincipalService>(p->ctx);
  p->tokens = std::make_unique<TokenService>(p->ctx, p->principals.get(),
                                             p->metrics.get());
  ASSIGN_OR_RETURN(std::vector<std::string> bootstrapped,
                   Bootstrap(p->ctx, *p->keys, *p->clients, config.bootstrap));
  for (const std::string& what : bootstrapped) {
    Log(LogLevel::kInfo, "bootstrap", {{"did", what}});
  }
  p->metrics->ObserveSnapshot(*p->views->Current());

  BoundPorts ports;
  p->identity_service = std::make_unique<IdentityGrpcService>(
      p->ctx, p->tokens.get(), p->principals.get(), p->metrics.get());
  p->keyadmin_service = std::make_unique<KeyAdminGrpcService>(
      p->ctx, p->keys.get(), p->clients.get(), p->principals.get(),
      p->metrics.get(), p->hub.get());
  if (!config.identity_address.empty()) {
    ASSIGN_OR_RETURN(
        p->identity_server,
        StartOne(config.identity_address, p->identity_service.get(),
                 server_credentials, &ports.identity));
  }
  if (!config.keyadmin_address.empty()) {
    ASSIGN_OR_RETURN(
        p->keyadmin_server,
        StartOne(config.keyadmin_address, p->keyadmin_service.get(),
                 server_credentials, &ports.keyadmin));
  }
  if (!config.http_address.empty()) {
    server::HttpServerOptions http_options;
    http_options.address = config.http_address;
    http_options.metrics = p->registry;
    p->http = std::make_unique<server::HttpServer>(std::move(http_options));
    IdentityViews* views = p->views.get();
    RETURN_IF_ERROR(p->http->Handle(
        "/.well-known/jwks.json", [views](const server::HttpRequest&) {
          return server::HttpResponse{200, "application/jwk-set+json",
                                      "max-age=60",
                                      views->Current()->jwks_json()};
        }));
    RETURN_IF_ERROR(p->http->Start());
    ports.http = p->http->port();
  }
  if (p->store->dialect() == "postgresql") {
    IdentityViews* views_for_listener = p->views.get();
    p->listener = std::make_unique<PgChangeListener>(
        config.store_url, [views_for_listener](int64_t) {
          // The payload is only a hint: Refresh reads every change after
          // the view's version, so nothing is skipped or applied twice.
          (void)views_for_listener->Refresh();
        });
  }
  if (p->audit_shipper) p->audit_shipper->Start();
  std::unique_ptr<IdentityServer> server(new IdentityServer(std::move(p)));
  server->ports_ = ports;
  server->ticker_ = std::thread([s = server.get(),
                                 interval = config.tick_interval] {
    while (!s->stop_ticker_.WaitForNotificationWithTimeout(interval)) {
      absl::Status status = s->TickNow();
      if (!status.ok()) {
        Log(LogLevel::kWarning, "ticker.failed", {{"error", status.message()}});
      }
    }
  });
  Log(LogLevel::kInfo, "identity.started",
      {{"store", server->parts_->store->dialect()},
       {"identity_port", ports.identity},
       {"keyadmin_port", ports.keyadmin},
       {"http_port", ports.http},
       {"grpc_tls", server::ServerTlsMode(config.tls)}});
  return server;
}

IdentityServer::IdentityServer(std::unique_ptr<Parts> parts)
    : parts_(std::move(parts)) {}

IdentityServer::~IdentityServer() { Stop(); }

const IdentityContext& IdentityServer::context() const { return parts_->ctx; }

absl::Status IdentityServer::TickNow() {
  absl::Status refreshed = parts_->views->Refresh();
  if (!refreshed.ok()) {
    parts_->metrics->OnStoreError("refresh");
    return refreshed;
  }
  absl::StatusOr<int> moved = parts_->keys->Tick();
  if (!moved.ok()) {
    parts_->metrics->OnStoreError("key_tick");
    return moved.status();
  }
  parts_->metrics->ObserveSnapshot(*parts_->views->Current());
  return absl::OkStatus();
}

void IdentityServer::Stop(absl::Duration deadline) {
  if (stopped_) return;
  stopped_ = true;
  stop_ticker_.Notify();
  if (ticker_.joinable()) ticker_.join();
  parts_->listener.reset();
  server::DrainOptions drain;
  drain.shutdown_deadline = deadline;
  if (parts_->http) parts_->http->SetServing(false);
  // Streams first: an open WatchKeys would hold the drain to its deadline.
  parts_->hub->Shutdown();
  for (grpc::Server* s :
       {parts_->identity_server.get(), parts_->keyadmin_server.get()}) {
    if (s != nullptr) server::DrainGrpcServer(*s, drain);
  }
  if (parts_->http) parts_->http->Stop();
  if (parts_->audit_shipper) parts_->audit_shipper->Stop(kAuditFlushDeadline);
  Log(LogLevel::kInfo, "identity.stopped", {});
}

}  // namespace meshid::identity
