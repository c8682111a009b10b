// The mesh over mutual TLS: a client with a certificate from the mesh's CA
// gets a token and calls through the gateway into the Log server; clients
// without a certificate, without TLS, or with another CA's certificate are
// refused at the handshake by every server; the validators got their keys
// over the mTLS WatchKeys stream; meshctl works with its TLS flags and
// fails clearly without a client certificate.
#include "tests/tls/tls_mesh.h"

#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/logging/v1/log.grpc.pb.h"
#include "tests/common/server/test_http_client.h"

namespace meshid::tlstest {
namespace {

namespace lg = ::meshid::logging::v1;
using ::testing::HasSubstr;

class TlsMeshTest : public ::testing::Test {
 protected:
  // One mesh for the suite: starting it (two CAs, three servers) is the
  // expensive part, and no test changes it.
  static void SetUpTestSuite() {
    absl::StatusOr<std::unique_ptr<TlsMesh>> mesh = TlsMesh::Start();
    ASSERT_TRUE(mesh.ok()) << mesh.status();
    mesh_ = mesh->release();
  }
  static void TearDownTestSuite() {
    delete mesh_;
    mesh_ = nullptr;
  }
  void SetUp() override { ASSERT_NE(mesh_, nullptr); }

  static std::unique_ptr<grpc::ClientContext> With(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    if (!token.empty()) {
      context->AddMetadata("authorization", "Bearer " + token);
    }
    context->set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(10));
    return context;
  }

  // A unary health check (empty request) on `target`: the handshake is
  // what is tested, so the method only needs to exist on every server.
  static grpc::Status HealthCheck(const std::string& target, TlsClient client) {
    grpc::GenericStub stub(mesh_->Channel(target, client));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::chrono::seconds(10));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    grpc::Status result;
    absl::Notification done;
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check",
                   grpc::StubOptions(), &request, &response,
                   [&](grpc::Status status) {
                     result = std::move(status);
                     done.Notify();
                   });
    done.WaitForNotification();
    return result;
  }

  static std::vector<std::pair<std::string, std::string>> Servers() {
    return {{"identity", mesh_->identity_target()},
            {"keyadmin", mesh_->keyadmin_target()},
            {"log", mesh_->log_target()},
            {"gateway", mesh_->gateway_target()}};
  }

  // The value of an unlabelled gauge on a /metrics page; -1 when absent.
  static double Gauge(int http_port, absl::string_view name) {
    absl::StatusOr<server::TestHttpResponse> page =
        server::HttpGet(http_port, "/metrics");
    if (!page.ok()) return -1;
    for (absl::string_view line : absl::StrSplit(page->body, '\n')) {
      if (!absl::ConsumePrefix(&line, name)) continue;
      if (line.empty() || (line[0] != ' ' && line[0] != '{')) continue;
      double value = 0;
      const size_t space = line.rfind(' ');
      if (absl::SimpleAtod(line.substr(space + 1), &value)) return value;
    }
    return -1;
  }

  static TlsMesh* mesh_;
};

TlsMesh* TlsMeshTest::mesh_ = nullptr;

TEST_F(TlsMeshTest, ClientWithCertificateCallsThroughTheGatewayIntoTheLog) {
  absl::StatusOr<std::string> token =
      mesh_->Issue(kCallerClient, kGatewayName, {"logs:write"});
  ASSERT_TRUE(token.ok()) << token.status() << "\n" << mesh_->Logs();
  auto log = lg::Log::NewStub(
      mesh_->Channel(mesh_->gateway_target(), TlsClient::kAdmin));

  lg::AppendRequest append;
  lg::LogEntry* entry = append.add_entries();
  entry->set_message("over mutual TLS");
  entry->set_level(lg::LOG_LEVEL_INFO);
  entry->set_kind(lg::LOG_KIND_APP);
  entry->set_subject("user-1");
  lg::AppendResponse appended;
  grpc::Status status = log->Append(With(*token).get(), append, &appended);
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message() << "\n"
                           << mesh_->Logs();

  lg::QueryRequest query;
  query.mutable_filter()->set_subject("user-1");
  lg::QueryResponse found;
  status = log->Query(With(*token).get(), query, &found);
  ASSERT_TRUE(status.ok()) << status.error_code() << " "
                           << status.error_message();
  bool seen = false;
  for (const lg::LogEntry& e : found.entries()) {
    seen = seen || e.message() == "over mutual TLS";
  }
  EXPECT_TRUE(seen) << found.DebugString();
}

TEST_F(TlsMeshTest, ClientWithCertificatePassesTheHandshakeOfEveryServer) {
  for (const auto& [name, target] : Servers()) {
    const grpc::Status status = HealthCheck(target, TlsClient::kAdmin);
    EXPECT_NE(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << name << ": " << status.error_message();
  }
}

TEST_F(TlsMeshTest, ClientWithoutCertificateIsRefusedByEveryServer) {
  for (const auto& [name, target] : Servers()) {
    const grpc::Status status = HealthCheck(target, TlsClient::kNoCertificate);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << name << ": " << status.error_message();
  }
  // Also for a real call with a valid token: no token is even read.
  absl::StatusOr<std::string> token =
      mesh_->Issue(kCallerClient, kGatewayName, {"logs:write"});
  ASSERT_TRUE(token.ok()) << token.status();
  auto log = lg::Log::NewStub(
      mesh_->Channel(mesh_->gateway_target(), TlsClient::kNoCertificate));
  lg::QueryResponse found;
  const grpc::Status status =
      log->Query(With(*token).get(), lg::QueryRequest(), &found);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsMeshTest, PlaintextClientIsRefusedByEveryServer) {
  for (const auto& [name, target] : Servers()) {
    const grpc::Status status = HealthCheck(target, TlsClient::kPlaintext);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << name << ": " << status.error_message();
  }
}

TEST_F(TlsMeshTest, CertificateFromAnotherCaIsRefusedByEveryServer) {
  for (const auto& [name, target] : Servers()) {
    const grpc::Status status = HealthCheck(target, TlsClient::kOtherCa);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << name << ": " << status.error_message();
  }
}

TEST_F(TlsMeshTest, ValidatorsHoldKeysFromTheMtlsWatchStream) {
  EXPECT_GE(Gauge(mesh_->log_http_port(), "meshid_keyset_version"), 1)
      << "meshid-log";
  EXPECT_GE(Gauge(mesh_->gateway_http_port(), "meshid_keyset_version"), 1)
      << "meshid-gateway";
}

TEST_F(TlsMeshTest, MeshctlWorksWithItsTlsFlagsAndFailsClearlyWithout) {
  absl::StatusOr<std::string> admin =
      mesh_->Issue("meshid-admin", "meshid-keyadmin", {});
  ASSERT_TRUE(admin.ok()) << admin.status();
  const std::vector<std::string> env = {"MESHID_TOKEN=" + *admin};
  const std::vector<std::string> base = {"clients",   "list",
                                         "--addr",    mesh_->keyadmin_target(),
                                         "--timeout", "10s"};

  std::vector<std::string> args = base;
  for (const std::string& flag :
       {std::string("--tls-ca-file"), mesh_->Cert("ca.crt"),
        std::string("--tls-client-cert-file"), mesh_->Cert("admin.crt"),
        std::string("--tls-client-key-file"), mesh_->Cert("admin.key")}) {
    args.push_back(flag);
  }
  auto [code, output] =
      RunToExit(MESHCTL_BINARY, args, mesh_->dir().File("meshctl-ok.out"), env);
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, HasSubstr(kGatewayName));

  // The same files from the environment.
  std::tie(code, output) = RunToExit(
      MESHCTL_BINARY, base, mesh_->dir().File("meshctl-env.out"),
      {"MESHID_TOKEN=" + *admin, "MESHID_TLS_CA_FILE=" + mesh_->Cert("ca.crt"),
       "MESHID_TLS_CLIENT_CERT_FILE=" + mesh_->Cert("admin.crt"),
       "MESHID_TLS_CLIENT_KEY_FILE=" + mesh_->Cert("admin.key")});
  EXPECT_EQ(code, 0) << output;

  args = base;
  args.push_back("--tls-ca-file");
  args.push_back(mesh_->Cert("ca.crt"));
  std::tie(code, output) = RunToExit(
      MESHCTL_BINARY, args, mesh_->dir().File("meshctl-nocert.out"), env);
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(output, HasSubstr("--tls-client-cert-file"));
  EXPECT_THAT(output, ::testing::Not(HasSubstr(*admin)));

  std::tie(code, output) = RunToExit(
      MESHCTL_BINARY, base, mesh_->dir().File("meshctl-plain.out"), env);
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(output, HasSubstr("--tls-ca-file"));
}

}  // namespace
}  // namespace meshid::tlstest
