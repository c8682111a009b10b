#include "bench/logging/bench_mesh.h"

#include <unistd.h>

#include <cstdlib>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "grpcpp/grpcpp.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"

namespace meshid::bench {
namespace {

namespace ka = ::meshid::keyadmin::v1;
namespace idv1 = ::meshid::identity::v1;

constexpr char kAdminSecret[] = "bench-admin-secret-0123456789abcdefghij";
constexpr char kIssuer[] = "https://meshid.bench";

absl::Status FromGrpc(const grpc::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      absl::StrCat(what, ": ", s.error_message()));
}

std::unique_ptr<grpc::ClientContext> Bearer(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  if (!token.empty()) {
    context->AddMetadata("authorization", absl::StrCat("Bearer ", token));
  }
  context->set_deadline(std::chrono::system_clock::now() +
                        std::chrono::seconds(30));
  return context;
}

absl::StatusOr<std::string> Issue(idv1::Identity::Stub& stub,
                                  const std::string& client,
                                  const std::string& secret,
                                  const std::string& audience) {
  idv1::IssueTokenRequest request;
  request.set_client_id(client);
  request.set_client_secret(secret);
  request.set_audience(audience);
  request.mutable_ttl()->set_seconds(3600);
  idv1::TokenResponse response;
  grpc::ClientContext context;
  RETURN_IF_ERROR(
      FromGrpc(stub.IssueToken(&context, request, &response), "IssueToken"));
  return response.access_token();
}

absl::StatusOr<std::string> CreateClient(ka::KeyAdmin::Stub& stub,
                                         const std::string& admin_token,
                                         const std::string& client,
                                         const std::string& audience,
                                         const std::string& scope) {
  ka::CreateClientRequest request;
  request.set_client_id(client);
  request.mutable_policy()->add_allowed_audiences(audience);
  ka::AudienceScopes* scopes = request.mutable_policy()->add_audience_scopes();
  scopes->set_audience(audience);
  scopes->add_scopes(scope);
  ka::CreateClientResponse response;
  RETURN_IF_ERROR(
      FromGrpc(stub.CreateClient(Bearer(admin_token).get(), request, &response),
               "CreateClient"));
  return response.client_secret();
}

}  // namespace

absl::StatusOr<std::unique_ptr<BenchMesh>> BenchMesh::Start(
    const BenchMeshOptions& options) {
  std::unique_ptr<BenchMesh> mesh(new BenchMesh());
  char pattern[] = "/tmp/meshid-logbench-XXXXXX";
  if (mkdtemp(pattern) == nullptr) {
    return absl::InternalError("cannot make a temp folder");
  }
  mesh->dir_ = pattern;

  identity::IdentityServerConfig id;
  id.store_url = absl::StrCat("sqlite://", mesh->dir_, "/identity.db");
  id.options.issuer = kIssuer;
  id.options.activation_delay = absl::ZeroDuration();
  id.bootstrap.admin_secret = kAdminSecret;
  id.identity_address = "127.0.0.1:0";
  id.keyadmin_address = "127.0.0.1:0";
  id.http_address = "";
  ASSIGN_OR_RETURN(mesh->identity_, identity::IdentityServer::Start(id));
  const std::string identity_address =
      absl::StrCat("127.0.0.1:", mesh->identity_->ports().identity);
  const std::string keyadmin_address =
      absl::StrCat("127.0.0.1:", mesh->identity_->ports().keyadmin);
  auto identity_stub = idv1::Identity::NewStub(grpc::CreateChannel(
      identity_address, grpc::InsecureChannelCredentials()));
  auto keyadmin_stub = ka::KeyAdmin::NewStub(grpc::CreateChannel(
      keyadmin_address, grpc::InsecureChannelCredentials()));
  ASSIGN_OR_RETURN(std::string admin, Issue(*identity_stub, "meshid-admin",
                                            kAdminSecret, "meshid-keyadmin"));
  ASSIGN_OR_RETURN(std::string log_secret,
                   CreateClient(*keyadmin_stub, admin, "logging-service",
                                "meshid-keyadmin", "keys:watch"));
  ASSIGN_OR_RETURN(std::string writer_secret,
                   CreateClient(*keyadmin_stub, admin, "careergpt-backend",
                                "logging-service", "logs:write"));
  ASSIGN_OR_RETURN(std::string reader_secret,
                   CreateClient(*keyadmin_stub, admin, "log-reader",
                                "logging-service", "logs:read"));

  if (options.dialect == "postgresql") {
    if (options.pg_base_url.empty()) {
      return absl::InvalidArgumentError(
          "PostgreSQL needs --pg_url or MESHID_BENCH_PG_URL");
    }
    mesh->pg_base_url_ = options.pg_base_url;
    mesh->pg_database_ = absl::StrCat("meshid_logbench_", getpid());
    try {
      pqxx::connection admin_connection(options.pg_base_url);
      pqxx::nontransaction tx(admin_connection);
      tx.exec0("DROP DATABASE IF EXISTS " + mesh->pg_database_ +
               " WITH (FORCE)");
      tx.exec0("CREATE DATABASE " + mesh->pg_database_);
    } catch (const std::exception& e) {
      return absl::UnavailableError(absl::StrCat("PostgreSQL: ", e.what()));
    }
    // The base URL with its database replaced.
    std::string url = options.pg_base_url;
    const size_t slash = url.find('/', url.find("://") + 3);
    const size_t query = url.find('?');
    url = url.substr(0, slash) + "/" + mesh->pg_database_ +
          (query == std::string::npos ? "" : url.substr(query));
    mesh->log_store_url_ = url;
  } else {
    mesh->log_store_url_ = absl::StrCat("sqlite://", mesh->dir_, "/log.db");
  }

  logging::LogServerConfig log;
  log.store_url = mesh->log_store_url_;
  log.grpc_address = "127.0.0.1:0";
  log.http_address = "127.0.0.1:0";
  log.identity_address = identity_address;
  log.keyadmin_address = keyadmin_address;
  log.client_secret = log_secret;
  log.issuer = kIssuer;
  log.retention.retention = absl::ZeroDuration();  // keep the data set
  log.store_writer_connections = options.store_writer_connections;
  log.store_pool_size = options.store_pool_size;
  ASSIGN_OR_RETURN(mesh->log_, logging::LogServer::Start(log));
  if (!mesh->log_->WaitForKeys(absl::Seconds(30))) {
    return absl::DeadlineExceededError("the Log server got no key set");
  }
  ASSIGN_OR_RETURN(mesh->writer_token_,
                   Issue(*identity_stub, "careergpt-backend", writer_secret,
                         "logging-service"));
  ASSIGN_OR_RETURN(
      mesh->reader_token_,
      Issue(*identity_stub, "log-reader", reader_secret, "logging-service"));
  return mesh;
}

BenchMesh::~BenchMesh() {
  if (log_) log_->Stop(absl::Seconds(5));
  log_.reset();
  if (identity_) identity_->Stop(absl::Seconds(5));
  identity_.reset();
  if (!pg_database_.empty()) {
    try {
      pqxx::connection admin_connection(pg_base_url_);
      pqxx::nontransaction tx(admin_connection);
      tx.exec0("DROP DATABASE IF EXISTS " + pg_database_ + " WITH (FORCE)");
    } catch (const std::exception&) {
      // A leftover scratch database is harmless; its name says what it is.
    }
  }
  if (!dir_.empty()) {
    std::system(absl::StrCat("rm -rf '", dir_, "'").c_str());
  }
}

std::unique_ptr<logging::v1::Log::Stub> BenchMesh::NewLogStub() const {
  // A distinct argument per channel keeps gRPC from sharing one subchannel
  // (and so one connection) between them.
  static int next = 0;
  grpc::ChannelArguments args;
  args.SetInt("meshid.bench.channel", ++next);
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return logging::v1::Log::NewStub(
      grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", log_port()),
                                grpc::InsecureChannelCredentials(), args));
}

}  // namespace meshid::bench
