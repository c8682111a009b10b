// Transport credentials from PEM files: TLS, mutual TLS, and every refusal.
// Certificates come from deploy/local/certs.sh, so the script operators use
// is what is tested: two runs make two unrelated CAs.
#include "common/server/tls_credentials.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "common/server/grpc_server_util.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "tests/testing/child_process.h"

namespace meshid::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kHealthCheck[] = "/grpc.health.v1.Health/Check";

class TlsCredentialsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto dir = test_process::TempDir::Create("meshid-tls-");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = dir->release();
    for (const char* ca : {"a", "b"}) {
      const std::string command =
          absl::StrCat("bash '", MESHID_SOURCE_DIR, "/deploy/local/certs.sh' '",
                       dir_->File(ca), "' >/dev/null");
      ASSERT_EQ(std::system(command.c_str()), 0) << command;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static std::string File(absl::string_view ca, absl::string_view name) {
    return dir_->File(absl::StrCat(ca, "/", name));
  }
  static ServerTlsFiles Server(bool mutual) {
    return ServerTlsFiles{File("a", "identity.crt"), File("a", "identity.key"),
                          mutual ? File("a", "ca.crt") : ""};
  }

  void StartServer(const ServerTlsFiles& files) {
    auto credentials = MakeServerCredentials(files);
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    grpc::ServerBuilder builder;
    ConfigureServerBuilder(builder, GrpcServerOptions{});
    auto server = StartGrpcServer(builder, "127.0.0.1:0", *credentials, &port_);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown(absl::ToChronoTime(absl::Now()));
  }

  // A health check over a fresh channel with `client`'s credentials.
  grpc::Status Check(const ClientTlsFiles& client) {
    auto credentials = MakeChannelCredentials(client);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    if (!credentials.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "");
    grpc::GenericStub stub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", port_), *credentials));
    grpc::ClientContext context;
    context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(20)));
    grpc::ByteBuffer request, response;
    grpc::Slice empty("", 0);
    request = grpc::ByteBuffer(&empty, 1);
    grpc::Status status;
    absl::Notification done;
    stub.UnaryCall(&context, kHealthCheck, grpc::StubOptions(), &request,
                   &response, [&](grpc::Status s) {
                     status = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();  // bounded by the deadline
    return status;
  }

  static test_process::TempDir* dir_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};
test_process::TempDir* TlsCredentialsTest::dir_ = nullptr;

TEST_F(TlsCredentialsTest, MutualTlsAcceptsAClientCertificateOfTheCa) {
  StartServer(Server(/*mutual=*/true));
  const grpc::Status status = Check(
      {File("a", "ca.crt"), File("a", "gateway.crt"), File("a", "gateway.key")});
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(TlsCredentialsTest, MutualTlsRefusesAClientWithoutCertificate) {
  StartServer(Server(/*mutual=*/true));
  EXPECT_EQ(Check({File("a", "ca.crt"), "", ""}).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsCredentialsTest, MutualTlsRefusesACertificateOfAnotherCa) {
  StartServer(Server(/*mutual=*/true));
  EXPECT_EQ(Check({File("a", "ca.crt"), File("b", "gateway.crt"),
                   File("b", "gateway.key")})
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsCredentialsTest, TlsServerRefusesPlaintextClients) {
  StartServer(Server(/*mutual=*/false));
  EXPECT_EQ(Check({}).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_TRUE(Check({File("a", "ca.crt"), "", ""}).ok());
}

TEST_F(TlsCredentialsTest, ClientRefusesAServerOfAnotherCa) {
  StartServer(Server(/*mutual=*/false));
  EXPECT_EQ(Check({File("b", "ca.crt"), "", ""}).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(TlsCredentialsTest, NoFilesMeansPlaintext) {
  StartServer(ServerTlsFiles{});
  EXPECT_TRUE(Check({}).ok());
}

TEST(ServerTlsModeTest, NamesWhatIsServed) {
  EXPECT_EQ(ServerTlsMode(ServerTlsFiles{}), "plaintext");
  EXPECT_EQ(ServerTlsMode(ServerTlsFiles{"/c", "/k", ""}), "tls");
  EXPECT_EQ(ServerTlsMode(ServerTlsFiles{"/c", "/k", "/ca"}), "mtls");
}

TEST_F(TlsCredentialsTest, HalfConfiguredSettingsAreRefused) {
  EXPECT_EQ(MakeServerCredentials({File("a", "identity.crt"), "", ""})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeServerCredentials({"", "", File("a", "ca.crt")}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MakeChannelCredentials({"", File("a", "admin.crt"), ""})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(TlsCredentialsTest, FileErrorsNameTheFlagAndNeverTheContents) {
  auto missing = MakeServerCredentials(
      {File("a", "identity.crt"), File("a", "nope.key"), ""});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("--tls_key_file"));

  // A key file that is not PEM: the error names it, and shows none of it.
  const std::string bogus = dir_->File("bogus.key");
  ASSERT_TRUE(
      test_process::WritePrivateFile(bogus, "s3cr3t-not-a-pem-key").ok());
  auto not_pem =
      MakeServerCredentials({File("a", "identity.crt"), bogus, ""});
  EXPECT_EQ(not_pem.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(not_pem.status().message(), HasSubstr("--tls_key_file"));
  EXPECT_THAT(not_pem.status().message(), Not(HasSubstr("s3cr3t")));
}

}  // namespace
}  // namespace meshid::server
