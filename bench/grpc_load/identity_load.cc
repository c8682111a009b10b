// identity_load: IssueToken throughput over gRPC on loopback, next to an
// empty unary RPC on the same kind of server, in one run (issue 3).
//
// Targets, all in this process on 127.0.0.1:
//   empty        a sync meshid.identity.v1.Identity service whose IssueToken
//                returns an empty TokenResponse at once, built exactly like
//                meshid-identity's servers (ConfigureServerBuilder defaults,
//                RegisterService, StartGrpcServer): the gRPC floor.
//   issue/sqlite the real meshid-identity (IdentityServer::Start) on a SQLite
//                store in a temp dir.
//   issue/pg     the same on a scratch PostgreSQL database, when
//                MESHID_BENCH_PG_URL (or --pg_url) names a server.
// Every target gets the same request bytes (a real client's id, secret and
// audience), the same load client and the same concurrency. The targets are
// measured in turn, `--rounds` times, in ABBA order (drift of a shared
// machine hits all of them alike), and the medians are compared. Besides
// calls/s and latency, each sample reports this process's CPU time per call
// (client + servers), which other tenants of the machine disturb less.
//
// The load client uses the callback API: `--concurrency` calls in flight,
// spread over `--channels` channels that do not share a connection; each
// completion records its latency and starts the next call. Any non-OK
// response (or an IssueToken reply without a token) fails the run.
//
//   export MESHID_BENCH_PG_URL=postgresql://postgres@127.0.0.1:5432/postgres
//   build-load/bench/grpc_load/identity_load --seconds=2 --warmup_seconds=0.5
//       --rounds=12
//
// Diagnostics (not part of the verdict): --canned (a reply of IssueToken's
// size with no work), --sync_min_pollers/--sync_max_pollers and
// --mutex_deadlock_detection=false (process-wide experiments), --only.
//
// Exit status: 0 = every ratio >= --target, 1 = a ratio missed it,
// 2 = the run itself failed (errors, setup).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <random>
#include <sys/resource.h>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/server/grpc_server_util.h"
#include "common/server/json_log.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/impl/server_builder_plugin.h"
#include "grpcpp/server_builder.h"
#include "identity/identity_metrics.h"
#include "identity/identity_server.h"
#include "identity/master_key.h"
#include "identity/token_service.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "pqxx/pqxx"
#include "prometheus/registry.h"

ABSL_FLAG(double, seconds, 5, "Measured seconds per target per round");
ABSL_FLAG(double, warmup_seconds, 1, "Unmeasured load before each measurement");
ABSL_FLAG(int, concurrency, 64, "Calls in flight");
ABSL_FLAG(int, channels, 4, "Channels (separate connections) to spread them on");
ABSL_FLAG(int, rounds, 3, "How often the targets are measured, interleaved");
ABSL_FLAG(double, target, 0.8, "Required IssueToken/empty throughput ratio");
ABSL_FLAG(int64_t, max_calls, 20'000'000,
          "Cap on calls per measurement (a bound besides --seconds)");
ABSL_FLAG(std::string, pg_url, "",
          "PostgreSQL server for the issue/pg target (a scratch database is "
          "made there and dropped); default: $MESHID_BENCH_PG_URL");
ABSL_FLAG(std::string, signing_alg, "hs256",
          "The bench client's signing algorithm: hs256 (the default policy), "
          "eddsa or es256");
ABSL_FLAG(int, handler_iterations, 200000,
          "In-process TokenService::IssueToken calls (no gRPC) timed on the "
          "SQLite server's context before the load, to show the handler's own "
          "cost; 0 skips it");
ABSL_FLAG(bool, canned, false,
          "Also measure 'canned': an empty-like server replying with a fixed "
          "real token response (diagnostic: reply size vs handler work)");
ABSL_FLAG(bool, callback, false,
          "Also measure the callback API (diagnostic): 'cb-empty', an empty "
          "Identity::CallbackService, and 'cb-issue', a CallbackService whose "
          "IssueToken runs the same TokenService (on the SQLite server's "
          "context) inline; cb-issue is compared with cb-empty");
ABSL_FLAG(int, sync_min_pollers, 0,
          "Experiment, NOT the production setting: when > 0, every gRPC "
          "server in this process (empty and meshid-identity alike) gets this "
          "SyncServerOption::MIN_POLLERS (gRPC default 1)");
ABSL_FLAG(int, sync_max_pollers, 0,
          "Experiment, as --sync_min_pollers, for MAX_POLLERS (gRPC default "
          "2; a sync server thread that finds more idle pollers than this "
          "exits, so a small value means thread churn under load)");
ABSL_FLAG(bool, mutex_deadlock_detection, true,
          "Experiment when false: absl::SetMutexDeadlockDetectionMode(kIgnore) "
          "for the whole process. Debian's Abseil is built without NDEBUG, so "
          "deadlock detection is on in meshid's binaries (and here) by "
          "default");
ABSL_FLAG(std::string, only, "",
          "Comma-separated targets to run (empty, sqlite, pg); default all. "
          "For profiling one of them.");

namespace meshid::bench {
namespace {

using Clock = std::chrono::steady_clock;
namespace v1 = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;

constexpr char kAdminSecret[] = "bench-admin-secret-0123456789abcdef-0123";
constexpr char kBenchClient[] = "bench-client";
constexpr char kBenchAudience[] = "bench-api";

void DropDatabase(const std::string& base_url, const std::string& name) {
  try {
    pqxx::connection admin(base_url);
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(name) + " WITH (FORCE)");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "identity_load: cannot drop %s: %s\n", name.c_str(),
                 e.what());
  }
}

// Scratch databases and temp dirs made so far, so that Die() removes them
// too. Touched by the main thread only.
struct Leftovers {
  std::vector<std::pair<std::string, std::string>> databases;  // url, name
  std::vector<std::string> dirs;
};
Leftovers& leftovers() {
  static Leftovers* l = new Leftovers;
  return *l;
}

// Fails the run loudly: exit status 2, without unwinding (gRPC callbacks
// may still be running), after removing scratch databases and temp dirs.
[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "identity_load: FATAL: %s\n", what.c_str());
  std::fflush(stderr);
  for (const auto& [url, name] : leftovers().databases) DropDatabase(url, name);
  for (const std::string& dir : leftovers().dirs) {
    std::system(absl::StrCat("rm -rf '", dir, "'").c_str());
  }
  std::_Exit(2);
}

// --- the empty server --------------------------------------------------------

// Same base class, same sync machinery and message types as
// IdentityGrpcService; only the handler body differs.
class EmptyIdentityService final : public v1::Identity::Service {
 public:
  grpc::Status IssueToken(grpc::ServerContext*, const v1::IssueTokenRequest*,
                          v1::TokenResponse*) override {
    return grpc::Status::OK;
  }
};

// Diagnostic (--canned): like the empty service but replies with a fixed,
// real token response, so the reply has IssueToken's size. Separates the
// cost of the bigger reply from the cost of the handler's work.
class CannedIdentityService final : public v1::Identity::Service {
 public:
  explicit CannedIdentityService(v1::TokenResponse reply)
      : reply_(std::move(reply)) {}
  grpc::Status IssueToken(grpc::ServerContext*, const v1::IssueTokenRequest*,
                          v1::TokenResponse* response) override {
    *response = reply_;
    return grpc::Status::OK;
  }

 private:
  const v1::TokenResponse reply_;
};

// --callback: what the Identity service would cost on gRPC's callback API,
// where a unary handler runs inline on a gRPC thread instead of being handed
// to the sync server's thread pool. cb-issue does what IdentityGrpcService::
// IssueToken does for the bench's request (no scopes, no ttl), with the same
// TokenService and metrics observer.
class CallbackEmptyService final : public v1::Identity::CallbackService {
 public:
  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* context,
                                       const v1::IssueTokenRequest*,
                                       v1::TokenResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class CallbackIssueService final : public v1::Identity::CallbackService {
 public:
  explicit CallbackIssueService(const identity::IdentityContext& ctx)
      : metrics_(registry_), tokens_(ctx, /*principals=*/nullptr, &metrics_) {}

  grpc::ServerUnaryReactor* IssueToken(grpc::CallbackServerContext* context,
                                       const v1::IssueTokenRequest* request,
                                       v1::TokenResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    identity::TokenRequest req;
    req.audience = request->audience();
    req.scopes.assign(request->scopes().begin(), request->scopes().end());
    absl::StatusOr<identity::IssuedToken> token = tokens_.IssueToken(
        request->client_id(), request->client_secret(), req);
    if (!token.ok()) {
      reactor->Finish(grpc::Status(
          static_cast<grpc::StatusCode>(token.status().code()),
          std::string(token.status().message())));
      return reactor;
    }
    response->set_access_token(token->access_token);
    response->set_token_type("Bearer");
    response->set_expires_in(token->expires_in);
    response->set_scope(token->scope);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

 private:
  prometheus::Registry registry_;
  identity::IdentityMetrics metrics_;
  identity::TokenService tokens_;
};

std::unique_ptr<grpc::Server> StartLocalServer(grpc::Service* service,
                                               int* port) {
  grpc::ServerBuilder builder;
  server::ConfigureServerBuilder(builder, server::GrpcServerOptions{});
  builder.RegisterService(service);
  absl::StatusOr<std::unique_ptr<grpc::Server>> started =
      server::StartGrpcServer(builder, "127.0.0.1:0",
                              grpc::InsecureServerCredentials(), port);
  if (!started.ok()) Die(started.status().ToString());
  return *std::move(started);
}

// --sync_min_pollers/--sync_max_pollers: a builder plugin, so that the
// servers IdentityServer builds (identity/ is not this bench's to change)
// get the same setting as the empty one. Registered before any builder.
class SyncPollersPlugin final : public grpc::ServerBuilderPlugin {
 public:
  std::string name() override { return "meshid_bench_sync_pollers"; }
  void UpdateServerBuilder(grpc::ServerBuilder* builder) override {
    if (absl::GetFlag(FLAGS_sync_min_pollers) > 0) {
      builder->SetSyncServerOption(grpc::ServerBuilder::MIN_POLLERS,
                                   absl::GetFlag(FLAGS_sync_min_pollers));
    }
    if (absl::GetFlag(FLAGS_sync_max_pollers) > 0) {
      builder->SetSyncServerOption(grpc::ServerBuilder::MAX_POLLERS,
                                   absl::GetFlag(FLAGS_sync_max_pollers));
    }
  }
  void InitServer(grpc::ServerInitializer*) override {}
  void Finish(grpc::ServerInitializer*) override {}
  void ChangeArguments(const std::string&, void*) override {}
};

// --- the real server ---------------------------------------------------------

struct RealServer {
  std::string name;
  std::string data_dir;
  std::string pg_base_url;  // non-empty: drop pg_database at the end
  std::string pg_database;
  std::unique_ptr<identity::IdentityServer> server;

  ~RealServer() {
    if (server) server->Stop(absl::Seconds(2));
    server.reset();
    if (!pg_database.empty()) DropDatabase(pg_base_url, pg_database);
    if (!data_dir.empty()) {
      std::system(absl::StrCat("rm -rf '", data_dir, "'").c_str());
    }
  }
};

// `url` with its database name replaced (as tests/testing does).
std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t scheme = url.find("://");
  const size_t path =
      url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  const size_t query = url.find('?');
  const std::string head = path == std::string::npos ? url : url.substr(0, path);
  const std::string tail = query == std::string::npos ? "" : url.substr(query);
  return absl::StrCat(head, "/", database, tail);
}

std::string MakeTempDir() {
  char pattern[] = "/tmp/meshid-load-XXXXXX";
  if (mkdtemp(pattern) == nullptr) Die("mkdtemp failed");
  leftovers().dirs.push_back(pattern);
  return pattern;
}

ka::KeyAlgorithm SigningAlg() {
  const std::string alg = absl::GetFlag(FLAGS_signing_alg);
  if (alg == "hs256") return ka::KEY_ALGORITHM_HS256;
  if (alg == "eddsa") return ka::KEY_ALGORITHM_EDDSA;
  if (alg == "es256") return ka::KEY_ALGORITHM_ES256;
  Die(absl::StrCat("--signing_alg: hs256, eddsa or es256, not '", alg, "'"));
}

grpc::ClientContext* WithDeadline(grpc::ClientContext* ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

// Starts meshid-identity on `store_url`, bootstraps the admin, creates the
// bench client through KeyAdmin (as an operator would) and waits until it
// can get a token. Returns the server and fills `request`.
std::unique_ptr<RealServer> StartRealServer(const std::string& name,
                                            const std::string& pg_base_url,
                                            v1::IssueTokenRequest* request,
                                            v1::TokenResponse* sample_reply) {
  auto real = std::make_unique<RealServer>();
  real->name = name;
  real->data_dir = MakeTempDir();
  identity::IdentityServerConfig config;
  if (pg_base_url.empty()) {
    config.store_url = absl::StrCat("sqlite://", real->data_dir, "/meshid.db");
    // Empty master_key_file: the SQLite default makes <dir>/master.key.
  } else {
    std::random_device rd;
    real->pg_base_url = pg_base_url;
    const std::string db = absl::StrCat("meshid_bench_", rd(), "_", rd() % 100000);
    try {
      pqxx::connection admin(pg_base_url);
      pqxx::nontransaction tx(admin);
      tx.exec0("CREATE DATABASE " + tx.quote_name(db));
    } catch (const std::exception& e) {
      Die(absl::StrCat("cannot create scratch database: ", e.what()));
    }
    real->pg_database = db;
    leftovers().databases.emplace_back(pg_base_url, db);
    config.store_url = WithDatabase(pg_base_url, db);
    // PostgreSQL never creates the master key: make one like an operator.
    config.master_key_file = absl::StrCat(real->data_dir, "/master.key");
    absl::StatusOr<identity::MasterKey::LoadResult> key =
        identity::MasterKey::LoadOrCreate(config.master_key_file, true);
    if (!key.ok()) Die(absl::StrCat("master key: ", key.status().ToString()));
  }
  config.options.issuer = "https://meshid.bench";
  config.options.activation_delay = absl::ZeroDuration();
  config.bootstrap.admin_secret = kAdminSecret;
  config.identity_address = "127.0.0.1:0";
  config.keyadmin_address = "127.0.0.1:0";
  config.http_address = "127.0.0.1:0";
  // tick_interval, store_pool_size: the production defaults.
  absl::StatusOr<std::unique_ptr<identity::IdentityServer>> started =
      identity::IdentityServer::Start(config);
  if (!started.ok()) {
    Die(absl::StrCat(name, ": IdentityServer::Start: ",
                     started.status().ToString()));
  }
  real->server = *std::move(started);

  auto identity_stub = v1::Identity::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", real->server->ports().identity),
      grpc::InsecureChannelCredentials()));
  auto keyadmin_stub = ka::KeyAdmin::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", real->server->ports().keyadmin),
      grpc::InsecureChannelCredentials()));

  // The bootstrap admin's token for KeyAdmin.
  v1::IssueTokenRequest admin_request;
  admin_request.set_client_id("meshid-admin");
  admin_request.set_client_secret(kAdminSecret);
  admin_request.set_audience("meshid-keyadmin");
  v1::TokenResponse admin_token;
  absl::Time give_up = absl::Now() + absl::Seconds(15);
  for (;;) {
    grpc::ClientContext ctx;
    const grpc::Status s =
        identity_stub->IssueToken(WithDeadline(&ctx), admin_request, &admin_token);
    if (s.ok()) break;
    if (absl::Now() > give_up) {
      Die(absl::StrCat(name, ": admin token: ", s.error_message()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }

  ka::CreateClientRequest create;
  create.set_client_id(kBenchClient);
  create.set_display_name("identity_load bench client");
  create.mutable_policy()->add_allowed_audiences(kBenchAudience);
  auto* scopes = create.mutable_policy()->add_audience_scopes();
  scopes->set_audience(kBenchAudience);
  scopes->add_scopes("read");
  scopes->add_scopes("write");
  create.mutable_policy()->set_signing_alg(SigningAlg());
  ka::CreateClientResponse created;
  {
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization",
                    absl::StrCat("Bearer ", admin_token.access_token()));
    const grpc::Status s =
        keyadmin_stub->CreateClient(WithDeadline(&ctx), create, &created);
    if (!s.ok()) Die(absl::StrCat(name, ": CreateClient: ", s.error_message()));
  }

  request->set_client_id(kBenchClient);
  request->set_client_secret(created.client_secret());
  request->set_audience(kBenchAudience);
  // Scopes empty: every scope the policy allows (the common call).

  // The pair key is PENDING until the ticker activates it (delay 0).
  give_up = absl::Now() + absl::Seconds(15);
  for (;;) {
    grpc::ClientContext ctx;
    v1::TokenResponse token;
    const grpc::Status s =
        identity_stub->IssueToken(WithDeadline(&ctx), *request, &token);
    if (s.ok() && !token.access_token().empty()) {
      if (sample_reply != nullptr) *sample_reply = token;
      break;
    }
    if (absl::Now() > give_up) {
      Die(absl::StrCat(name, ": bench client never got a token: ",
                       s.error_message()));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return real;
}

// --- the load client ---------------------------------------------------------

struct Sample {
  std::string target;
  int round = 0;
  int64_t calls = 0;       // completed OK inside the measured window
  double seconds = 0;      // measured window
  double calls_per_sec = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0, max_us = 0;
  // This process's CPU (user + sys, all threads: client and servers) in the
  // window per completed call. Other tenants of the machine do not count
  // here, so it is steadier than calls/s on a shared box.
  double cpu_us_per_call = 0;
};

double ProcessCpuSeconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

class LoadRun {
 public:
  LoadRun(const std::string& address, const v1::IssueTokenRequest& request,
          bool expect_token)
      : request_(request), expect_token_(expect_token) {
    const int channels = absl::GetFlag(FLAGS_channels);
    for (int i = 0; i < channels; ++i) {
      grpc::ChannelArguments args;
      // A distinct argument (and a local pool) keeps channels from sharing a
      // subchannel, so `channels` really are that many TCP connections.
      args.SetInt("meshid.bench.channel", i);
      args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
      auto channel = grpc::CreateCustomChannel(
          address, grpc::InsecureChannelCredentials(), args);
      if (!channel->WaitForConnected(std::chrono::system_clock::now() +
                                     std::chrono::seconds(10))) {
        Die(absl::StrCat("cannot connect to ", address));
      }
      stubs_.push_back(v1::Identity::NewStub(channel));
    }
  }

  Sample Run(const std::string& target, int round) {
    const int concurrency = absl::GetFlag(FLAGS_concurrency);
    const auto measure = std::chrono::duration<double>(absl::GetFlag(FLAGS_seconds));
    const auto warmup =
        std::chrono::duration<double>(absl::GetFlag(FLAGS_warmup_seconds));
    max_calls_ = absl::GetFlag(FLAGS_max_calls);
    slots_.clear();
    for (int i = 0; i < concurrency; ++i) {
      auto slot = std::make_unique<Slot>();
      slot->stub = stubs_[i % stubs_.size()].get();
      slot->latencies_ns.reserve(1 << 16);
      slots_.push_back(std::move(slot));
    }
    phase_.store(kWarmup);
    in_flight_ = concurrency;
    for (auto& slot : slots_) Issue(slot.get());

    std::this_thread::sleep_for(warmup);
    const double cpu0 = ProcessCpuSeconds();
    const Clock::time_point t0 = Clock::now();
    phase_.store(kMeasure);
    // Wakes early when --max_calls is reached.
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_until(lock, t0 + std::chrono::duration_cast<Clock::duration>(measure),
                     [&] { return measured_.load() >= max_calls_; });
    }
    phase_.store(kStop);
    const Clock::time_point t1 = Clock::now();
    const double cpu1 = ProcessCpuSeconds();
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_for(lock, std::chrono::seconds(40),
                        [&] { return in_flight_ == 0; })) {
        Die(absl::StrCat(target, ": calls still in flight 40 s after stop"));
      }
    }
    if (errors_.load() > 0) {
      Die(absl::StrCat(target, " round ", round, ": ", errors_.load(),
                       " failed calls; first: ", first_error_));
    }

    std::vector<int64_t> all;
    for (auto& slot : slots_) {
      all.insert(all.end(), slot->latencies_ns.begin(), slot->latencies_ns.end());
    }
    std::sort(all.begin(), all.end());
    Sample s;
    s.target = target;
    s.round = round;
    s.calls = static_cast<int64_t>(all.size());
    s.seconds = std::chrono::duration<double>(t1 - t0).count();
    s.calls_per_sec = s.calls / s.seconds;
    auto pct = [&](double q) {
      if (all.empty()) return 0.0;
      size_t i = static_cast<size_t>(q * (all.size() - 1) + 0.5);
      return all[std::min(i, all.size() - 1)] / 1000.0;
    };
    s.p50_us = pct(0.50);
    s.p90_us = pct(0.90);
    s.p99_us = pct(0.99);
    s.max_us = all.empty() ? 0 : all.back() / 1000.0;
    s.cpu_us_per_call = s.calls > 0 ? (cpu1 - cpu0) * 1e6 / s.calls : 0;
    measured_.store(0);
    return s;
  }

 private:
  enum Phase { kWarmup, kMeasure, kStop };
  struct Slot {
    v1::Identity::Stub* stub = nullptr;
    std::unique_ptr<grpc::ClientContext> ctx;
    v1::TokenResponse response;
    Clock::time_point started;
    // Written only by this slot's completions, which never overlap (one
    // call per slot at a time); read after every call has ended.
    std::vector<int64_t> latencies_ns;
  };

  void Issue(Slot* slot) {
    slot->ctx = std::make_unique<grpc::ClientContext>();
    slot->ctx->set_deadline(std::chrono::system_clock::now() +
                            std::chrono::seconds(30));
    slot->response.Clear();
    slot->started = Clock::now();
    slot->stub->async()->IssueToken(
        slot->ctx.get(), &request_, &slot->response,
        [this, slot](grpc::Status status) { Done(slot, status); });
  }

  void Done(Slot* slot, const grpc::Status& status) {
    const Clock::time_point now = Clock::now();
    const int phase = phase_.load(std::memory_order_acquire);
    bool ok = status.ok();
    if (ok && expect_token_ && slot->response.access_token().empty()) {
      ok = false;
    }
    if (!ok) {
      if (errors_.fetch_add(1) == 0) {
        std::lock_guard<std::mutex> lock(mu_);
        first_error_ =
            status.ok() ? std::string("OK reply without an access_token")
                        : absl::StrCat("code ", status.error_code(), ": ",
                                       status.error_message());
      }
    } else if (phase == kMeasure) {
      slot->latencies_ns.push_back(
          std::chrono::duration_cast<std::chrono::nanoseconds>(now - slot->started)
              .count());
      if (measured_.fetch_add(1) + 1 == max_calls_) {
        std::lock_guard<std::mutex> lock(mu_);
        cv_.notify_all();
      }
    }
    if (phase != kStop && ok && measured_.load() < max_calls_) {
      Issue(slot);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (--in_flight_ == 0) cv_.notify_all();
  }

  const v1::IssueTokenRequest request_;
  const bool expect_token_;
  std::vector<std::unique_ptr<v1::Identity::Stub>> stubs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  std::atomic<int> phase_{kWarmup};
  std::atomic<int64_t> measured_{0};
  std::atomic<int64_t> errors_{0};
  int64_t max_calls_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  int in_flight_ = 0;  // guarded by mu_
  std::string first_error_;  // guarded by mu_
};

// --- the handler alone ------------------------------------------------------

// What IdentityGrpcService::IssueToken runs per call, minus gRPC: the
// TokenService (secret HMAC, snapshot lookups, claims, signing) with the
// same metrics observer, on the running server's context. Single thread.
double HandlerMicrosPerCall(const identity::IdentityServer& server,
                            const v1::IssueTokenRequest& request, int iterations,
                            double* fresh_thread_us) {
  prometheus::Registry registry;
  identity::IdentityMetrics metrics(registry);
  identity::TokenService tokens(server.context(), /*principals=*/nullptr,
                                &metrics);
  identity::TokenRequest req;
  req.audience = request.audience();
  auto once = [&] {
    absl::StatusOr<identity::IssuedToken> t = tokens.IssueToken(
        request.client_id(), request.client_secret(), req);
    if (!t.ok() || t->access_token.empty()) {
      Die(absl::StrCat("in-process IssueToken: ", t.status().ToString()));
    }
    v1::TokenResponse response;  // as the gRPC handler's ToProto
    response.set_access_token(t->access_token);
    response.set_token_type("Bearer");
    response.set_expires_in(t->expires_in);
    response.set_scope(t->scope);
  };
  for (int i = 0; i < std::min(iterations, 2000); ++i) once();
  const Clock::time_point start = Clock::now();
  for (int i = 0; i < iterations; ++i) once();
  const double warm =
      std::chrono::duration<double, std::micro>(Clock::now() - start).count() /
      iterations;
  // The first call on a new thread: what a handler pays on each of the
  // threads a sync server keeps creating (per-thread state such as
  // OpenSSL's thread-local DRBGs is made on first use).
  constexpr int kFreshThreads = 300;
  double fresh_total = 0;
  for (int i = 0; i < kFreshThreads; ++i) {
    double us = 0;
    std::thread([&] {
      const Clock::time_point t = Clock::now();
      once();
      us = std::chrono::duration<double, std::micro>(Clock::now() - t).count();
    }).join();
    fresh_total += us;
  }
  *fresh_thread_us = fresh_total / kFreshThreads;
  return warm;
}

// --- the run -----------------------------------------------------------------

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  if (n == 0) return 0;
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string ReadFirstLine(const char* path, const char* prefix) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return "?";
  char line[512];
  std::string out = "?";
  while (std::fgets(line, sizeof line, f)) {
    std::string l(line);
    if (prefix == nullptr || l.rfind(prefix, 0) == 0) {
      if (prefix != nullptr) {
        const size_t colon = l.find(':');
        if (colon != std::string::npos) l = l.substr(colon + 2);
      }
      while (!l.empty() && (l.back() == '\n' || l.back() == ' ')) l.pop_back();
      out = l;
      break;
    }
  }
  std::fclose(f);
  return out;
}

int Main() {
  if (absl::GetFlag(FLAGS_concurrency) < 1 || absl::GetFlag(FLAGS_channels) < 1 ||
      absl::GetFlag(FLAGS_rounds) < 1 || absl::GetFlag(FLAGS_seconds) <= 0 ||
      absl::GetFlag(FLAGS_max_calls) < 1) {
    Die("--concurrency, --channels, --rounds, --seconds, --max_calls must be > 0");
  }
  // The servers' JSON logs: warnings and errors only, so the table stays
  // readable (IssueToken logs nothing per call either way).
  server::SetMinLogLevel(server::LogLevel::kWarning);
  if (!absl::GetFlag(FLAGS_mutex_deadlock_detection)) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  if (absl::GetFlag(FLAGS_sync_min_pollers) > 0 ||
      absl::GetFlag(FLAGS_sync_max_pollers) > 0) {
    grpc::ServerBuilder::InternalAddPluginFactory(
        [] { return std::unique_ptr<grpc::ServerBuilderPlugin>(
                 new SyncPollersPlugin()); });
  }

  std::string pg_url = absl::GetFlag(FLAGS_pg_url);
  if (pg_url.empty()) {
    const char* env = std::getenv("MESHID_BENCH_PG_URL");
    if (env != nullptr) pg_url = env;
  }
  std::vector<std::string> only;
  if (!absl::GetFlag(FLAGS_only).empty()) {
    only = absl::StrSplit(absl::GetFlag(FLAGS_only), ',');
  }
  auto wanted = [&](const std::string& t) {
    return only.empty() || std::find(only.begin(), only.end(), t) != only.end();
  };

  // Setup: the real servers first (they make the bench client whose
  // credentials every target receives), then the empty one.
  v1::IssueTokenRequest request;
  v1::TokenResponse sample_reply;
  std::unique_ptr<RealServer> sqlite =
      StartRealServer("issue/sqlite", "", &request, &sample_reply);
  std::unique_ptr<RealServer> pg;
  v1::IssueTokenRequest pg_request;
  if (!pg_url.empty() && wanted("pg")) {
    pg = StartRealServer("issue/pg", pg_url, &pg_request, nullptr);
  }

  // The same builder steps as IdentityServer's StartOne.
  EmptyIdentityService empty_service;
  int empty_port = 0;
  std::unique_ptr<grpc::Server> empty_server =
      StartLocalServer(&empty_service, &empty_port);

  CannedIdentityService canned_service(sample_reply);
  std::unique_ptr<grpc::Server> canned_server;
  int canned_port = 0;
  if (absl::GetFlag(FLAGS_canned)) {
    canned_server = StartLocalServer(&canned_service, &canned_port);
  }
  CallbackEmptyService cb_empty_service;
  CallbackIssueService cb_issue_service(sqlite->server->context());
  std::unique_ptr<grpc::Server> cb_empty_server, cb_issue_server;
  int cb_empty_port = 0, cb_issue_port = 0;
  if (absl::GetFlag(FLAGS_callback)) {
    cb_empty_server = StartLocalServer(&cb_empty_service, &cb_empty_port);
    cb_issue_server = StartLocalServer(&cb_issue_service, &cb_issue_port);
  }

  struct Target {
    std::string name;
    std::unique_ptr<LoadRun> load;
    std::string baseline;  // compared with this target; empty: none
    bool verdict = false;  // counts for PASS/FAIL and the exit status
  };
  auto load_on = [&](int port, const v1::IssueTokenRequest& req,
                     bool expect_token) {
    return std::make_unique<LoadRun>(absl::StrCat("127.0.0.1:", port), req,
                                     expect_token);
  };
  std::vector<Target> targets;
  if (wanted("empty")) {
    targets.push_back({"empty", load_on(empty_port, request, false), "", false});
  }
  if (canned_server) {
    targets.push_back(
        {"canned", load_on(canned_port, request, true), "empty", false});
  }
  if (wanted("sqlite")) {
    targets.push_back({"issue/sqlite",
                       load_on(sqlite->server->ports().identity, request, true),
                       "empty", true});
  }
  if (pg) {
    targets.push_back({"issue/pg",
                       load_on(pg->server->ports().identity, pg_request, true),
                       "empty", true});
  }
  if (cb_empty_server) {
    targets.push_back(
        {"cb-empty", load_on(cb_empty_port, request, false), "", false});
    targets.push_back(
        {"cb-issue", load_on(cb_issue_port, request, true), "cb-empty", false});
  }
  if (targets.empty()) Die("--only selected no target");

  double handler_us = 0, handler_fresh_us = 0;
  if (absl::GetFlag(FLAGS_handler_iterations) > 0) {
    handler_us = HandlerMicrosPerCall(*sqlite->server, request,
                                      absl::GetFlag(FLAGS_handler_iterations),
                                      &handler_fresh_us);
  }
  const std::string cpu = ReadFirstLine("/proc/cpuinfo", "model name");
  const std::string load = ReadFirstLine("/proc/loadavg", nullptr);
  std::printf(
      "identity_load: %u cpus (%s), loadavg %s\n"
      "  %g s measured after %g s warmup per target and round, %d rounds, "
      "concurrency %d over %d channels, signing %s, gRPC %s\n"
      "  PostgreSQL: %s\n"
      "  IssueToken handler alone (TokenService + metrics, no gRPC, 1 "
      "thread): %.2f us/call warm; first call on a fresh thread %.1f us\n"
      "  sync server pollers: %s; absl mutex deadlock detection: %s\n\n",
      std::thread::hardware_concurrency(), cpu.c_str(), load.c_str(),
      absl::GetFlag(FLAGS_seconds), absl::GetFlag(FLAGS_warmup_seconds),
      absl::GetFlag(FLAGS_rounds), absl::GetFlag(FLAGS_concurrency),
      absl::GetFlag(FLAGS_channels), absl::GetFlag(FLAGS_signing_alg).c_str(),
      grpc::Version().c_str(),
      pg ? "yes (scratch database)"
         : (wanted("pg") ? "skipped (MESHID_BENCH_PG_URL unset)" : "skipped"),
      handler_us, handler_fresh_us,
      absl::GetFlag(FLAGS_sync_min_pollers) > 0 ||
              absl::GetFlag(FLAGS_sync_max_pollers) > 0
          ? absl::StrFormat("EXPERIMENT min %d max %d (0 = gRPC default)",
                            absl::GetFlag(FLAGS_sync_min_pollers),
                            absl::GetFlag(FLAGS_sync_max_pollers))
                .c_str()
          : "gRPC defaults (min 1, max 2), as in production",
      absl::GetFlag(FLAGS_mutex_deadlock_detection)
          ? "on (Debian Abseil default, as in production)"
          : "EXPERIMENT off");
  std::printf("%-13s %5s %10s %10s %9s %9s %9s %9s %9s\n", "target", "round",
              "calls", "calls/s", "p50 us", "p90 us", "p99 us", "max us",
              "cpu us/c");
  std::fflush(stdout);

  std::vector<Sample> samples;
  const int rounds = absl::GetFlag(FLAGS_rounds);
  for (int r = 1; r <= rounds; ++r) {
    // ABBA: even rounds run the targets in reverse order, so a machine
    // getting busier or quieter during the run does not favour one target.
    std::vector<Target*> order;
    for (Target& t : targets) order.push_back(&t);
    if (r % 2 == 0) std::reverse(order.begin(), order.end());
    for (Target* tp : order) {
      Target& t = *tp;
      Sample s = t.load->Run(t.name, r);
      std::printf("%-13s %5d %10lld %10.0f %9.0f %9.0f %9.0f %9.0f %9.1f\n",
                  s.target.c_str(), s.round, static_cast<long long>(s.calls),
                  s.calls_per_sec, s.p50_us, s.p90_us, s.p99_us, s.max_us,
                  s.cpu_us_per_call);
      std::fflush(stdout);
      samples.push_back(std::move(s));
    }
  }

  struct Summary {
    std::string name;
    double cps = 0, p50 = 0, p99 = 0, cpu = 0;
    // Median [min, max] over rounds of cps / the baseline's cps that round.
    double paired = 0, paired_min = 0, paired_max = 0;
  };
  auto cps_in_round = [&](const std::string& target, int round) {
    for (const Sample& s : samples) {
      if (s.target == target && s.round == round) return s.calls_per_sec;
    }
    return 0.0;
  };
  std::vector<Summary> summaries;
  for (const Target& t : targets) {
    std::vector<double> cps, p50, p99, cpu, paired;
    for (const Sample& s : samples) {
      if (s.target != t.name) continue;
      cps.push_back(s.calls_per_sec);
      p50.push_back(s.p50_us);
      p99.push_back(s.p99_us);
      cpu.push_back(s.cpu_us_per_call);
      const double b = t.baseline.empty() ? 0 : cps_in_round(t.baseline, s.round);
      if (b > 0) paired.push_back(s.calls_per_sec / b);
    }
    Summary sum{t.name, Median(cps), Median(p50), Median(p99), Median(cpu)};
    if (!paired.empty()) {
      sum.paired = Median(paired);
      sum.paired_min = *std::min_element(paired.begin(), paired.end());
      sum.paired_max = *std::max_element(paired.begin(), paired.end());
    }
    summaries.push_back(sum);
  }
  auto summary_of = [&](const std::string& name) -> const Summary* {
    for (const Summary& s : summaries) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  std::printf(
      "\nmedians of %d rounds (ratio = median calls/s / the baseline's median "
      "calls/s; paired = median [min-max] of per-round ratios; cpu = "
      "baseline cpu/call / target cpu/call)\n"
      "%-13s %10s %9s %9s %9s %-9s %7s %19s %7s  %s\n",
      rounds, "target", "calls/s", "p50 us", "p99 us", "cpu us/c", "baseline",
      "ratio", "paired", "cpu", "verdict");
  const double target_ratio = absl::GetFlag(FLAGS_target);
  bool all_pass = true;
  for (size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    const Summary& s = summaries[i];
    const Summary* base = t.baseline.empty() ? nullptr : summary_of(t.baseline);
    std::string ratio = "-", paired = "-", cpu_ratio = "-", verdict = "";
    if (base != nullptr && base->cps > 0) {
      const double r = s.cps / base->cps;
      ratio = absl::StrFormat("%.2fx", r);
      paired = absl::StrFormat("%.2fx [%.2f-%.2f]", s.paired, s.paired_min,
                               s.paired_max);
      if (s.cpu > 0) cpu_ratio = absl::StrFormat("%.2fx", base->cpu / s.cpu);
      if (t.verdict) {
        const bool pass = r >= target_ratio;
        all_pass = all_pass && pass;
        verdict = absl::StrFormat("%s (target >= %.2fx)",
                                  pass ? "PASS" : "FAIL", target_ratio);
      } else {
        verdict = "(diagnostic)";
      }
    }
    std::printf("%-13s %10.0f %9.0f %9.0f %9.1f %-9s %7s %19s %7s  %s\n",
                s.name.c_str(), s.cps, s.p50, s.p99, s.cpu,
                t.baseline.empty() ? "-" : t.baseline.c_str(), ratio.c_str(),
                paired.c_str(), cpu_ratio.c_str(), verdict.c_str());
  }
  std::fflush(stdout);

  if (canned_server) {
    canned_server->Shutdown(std::chrono::system_clock::now() +
                            std::chrono::seconds(2));
  }
  for (grpc::Server* srv : {empty_server.get(), cb_empty_server.get(),
                            cb_issue_server.get()}) {
    if (srv != nullptr) {
      srv->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    }
  }
  targets.clear();
  pg.reset();
  sqlite.reset();
  return all_pass ? 0 : 1;
}

}  // namespace
}  // namespace meshid::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return meshid::bench::Main();
}
