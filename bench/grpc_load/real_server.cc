#include "bench/grpc_load/real_server.h"

#include <stdlib.h>

#include <chrono>
#include <cstdlib>
#include <random>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "bench/grpc_load/fatal.h"
#include "identity/master_key.h"
#include "pqxx/pqxx"

namespace meshid::bench {
namespace {

namespace v1 = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;


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

}  // namespace

RealServer::~RealServer() {
  if (server) server->Stop(absl::Seconds(2));
  server.reset();
  if (!pg_database.empty()) DropDatabase(pg_base_url, pg_database);
  if (!data_dir.empty()) {
    std::system(absl::StrCat("rm -rf '", data_dir, "'").c_str());
  }
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
                                            ka::KeyAlgorithm signing_alg,
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
  create.mutable_policy()->set_signing_alg(signing_alg);
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

}  // namespace meshid::bench
