// A broken TLS setting stops each binary at start with a message that names
// the flag (or config field) and the file, and never a file's contents.
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/tls/tls_mesh.h"

namespace meshid::tlstest {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

// Stands for key material: must never be echoed.
constexpr char kNotPem[] = "SECRET-KEY-MATERIAL-NOT-PEM\n";

class TlsMisconfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<test_process::TempDir>> dir =
        test_process::TempDir::Create("meshid-tls-bad");
    ASSERT_TRUE(dir.ok()) << dir.status();
    dir_ = *std::move(dir);
    ASSERT_TRUE(MakeCertificates(dir_->File("certs")).ok());
    ASSERT_TRUE(
        test_process::WritePrivateFile(dir_->File("not.pem"), kNotPem).ok());
    ASSERT_TRUE(test_process::WritePrivateFile(
                    dir_->File("client.secret"),
                    "a-client-secret-for-the-misconfig-tests")
                    .ok());
  }

  std::string Cert(const std::string& name) const {
    return dir_->File("certs/" + name);
  }

  // meshid-identity on SQLite in the temp folder, plus `flags`.
  std::pair<int, std::string> Identity(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {"--store=sqlite://" + dir_->File("id.db"),
                                     "--identity_address=127.0.0.1:0",
                                     "--keyadmin_address=127.0.0.1:0",
                                     "--http_address="};
    args.insert(args.end(), flags.begin(), flags.end());
    return RunToExit(MESHID_IDENTITY_BINARY, args,
                     dir_->File("identity-" + std::to_string(++runs_)));
  }

  std::pair<int, std::string> LogServer(const std::vector<std::string>& flags) {
    std::vector<std::string> args = {
        "--store=sqlite://" + dir_->File("log.db"),
        "--grpc_address=127.0.0.1:0", "--http_address=",
        "--client_secret_file=" + dir_->File("client.secret")};
    args.insert(args.end(), flags.begin(), flags.end());
    return RunToExit(MESHID_LOG_BINARY, args,
                     dir_->File("log-" + std::to_string(++runs_)));
  }

  // meshid-gateway on a minimal config with `tls` as its tls section.
  std::pair<int, std::string> Gateway(const std::string& tls,
                                      const std::vector<std::string>& flags) {
    const std::string path = dir_->File("gw-" + std::to_string(++runs_));
    std::ofstream(path + ".json")
        << R"({"name": "gw", "listen_address": "127.0.0.1:0",
               "http_listen_address": "127.0.0.1:0",
               "identity": {"address": "127.0.0.1:1",
                            "keyadmin_address": "127.0.0.1:2"},
               "validation": {"issuer": "https://i"},
               "credentials": {"client_secret_file": ")"
        << dir_->File("client.secret") << R"("},
               "upstreams": [{"name": "u", "address": "127.0.0.1:3",
                              "audience": "u"}],
               "routes": [{"method_prefix": "/", "upstream": "u"}],
               "tls": )"
        << tls << "}";
    std::vector<std::string> args = {"--config=" + path + ".json"};
    args.insert(args.end(), flags.begin(), flags.end());
    return RunToExit(MESHID_GATEWAY_BINARY, args, path + ".out");
  }

  std::unique_ptr<test_process::TempDir> dir_;
  int runs_ = 0;
};

TEST_F(TlsMisconfigTest, IdentityRefusesCertificateWithoutKey) {
  const auto [code, output] =
      Identity({"--tls_cert_file=" + Cert("identity.crt")});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output,
              HasSubstr("--tls_cert_file and --tls_key_file go together"));
}

TEST_F(TlsMisconfigTest, IdentityRefusesClientCaWithoutCertificate) {
  const auto [code, output] =
      Identity({"--tls_client_ca_file=" + Cert("ca.crt")});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, HasSubstr("--tls_client_ca_file needs --tls_cert_file"));
}

TEST_F(TlsMisconfigTest, IdentityRefusesANonPemKeyWithoutQuotingIt) {
  const auto [code, output] =
      Identity({"--tls_cert_file=" + Cert("identity.crt"),
                "--tls_key_file=" + dir_->File("not.pem")});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, AllOf(HasSubstr("--tls_key_file"), HasSubstr("not.pem"),
                            HasSubstr("holds no PEM block"),
                            Not(HasSubstr("SECRET-KEY-MATERIAL"))));
}

TEST_F(TlsMisconfigTest, IdentityRefusesAMissingAuditClientCertificate) {
  const auto [code, output] = Identity(
      {"--audit_log_address=127.0.0.1:1", "--tls_ca_file=" + Cert("ca.crt"),
       "--tls_client_cert_file=" + dir_->File("missing.crt"),
       "--tls_client_key_file=" + Cert("identity.key")});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, AllOf(HasSubstr("--tls_client_cert_file: cannot open"),
                            HasSubstr("missing.crt")));
}

TEST_F(TlsMisconfigTest, LogRefusesAMissingCertificateFile) {
  const auto [code, output] =
      LogServer({"--tls_cert_file=" + dir_->File("missing.crt"),
                 "--tls_key_file=" + Cert("log.key")});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, AllOf(HasSubstr("--tls_cert_file: cannot open"),
                            HasSubstr("missing.crt")));
}

TEST_F(TlsMisconfigTest, LogRefusesANonPemClientCaAndHalfAClientPair) {
  auto [code, output] =
      LogServer({"--tls_cert_file=" + Cert("log.crt"),
                 "--tls_key_file=" + Cert("log.key"),
                 "--tls_client_ca_file=" + dir_->File("not.pem")});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, AllOf(HasSubstr("--tls_client_ca_file"),
                            HasSubstr("holds no PEM block"),
                            Not(HasSubstr("SECRET-KEY-MATERIAL"))));
  std::tie(code, output) =
      LogServer({"--tls_client_cert_file=" + Cert("log.crt")});
  EXPECT_EQ(code, 1) << output;
  EXPECT_THAT(output, HasSubstr("--tls_client_cert_file and "
                                "--tls_client_key_file go together"));
}

TEST_F(TlsMisconfigTest, GatewayRefusesBadTlsSettings) {
  // A combination the validator refuses.
  auto [code, output] = Gateway(R"({"require_client_cert": true})", {});
  EXPECT_EQ(code, 2) << output;
  EXPECT_THAT(output, HasSubstr("tls.require_client_cert: needs "
                                "tls.client_ca_file"));
  // A non-PEM key, found by --check_config too.
  const std::string tls = R"({"cert_file": ")" + Cert("gateway.crt") +
                          R"(", "key_file": ")" + dir_->File("not.pem") +
                          R"("})";
  std::tie(code, output) = Gateway(tls, {"--check_config"});
  EXPECT_EQ(code, 2) << output;
  EXPECT_THAT(output, AllOf(HasSubstr("tls.key_file"), HasSubstr("not.pem"),
                            HasSubstr("holds no PEM block"),
                            Not(HasSubstr("SECRET-KEY-MATERIAL"))));
  // Good files pass --check_config.
  const std::string good = R"({"cert_file": ")" + Cert("gateway.crt") +
                           R"(", "key_file": ")" + Cert("gateway.key") +
                           R"(", "client_ca_file": ")" + Cert("ca.crt") +
                           R"(", "require_client_cert": true})";
  std::tie(code, output) = Gateway(good, {"--check_config"});
  EXPECT_EQ(code, 0) << output;
}

TEST_F(TlsMisconfigTest, MeshctlRefusesACertificateWithoutKey) {
  const auto [code, output] = RunToExit(
      MESHCTL_BINARY,
      {"clients", "list", "--tls-client-cert-file", Cert("admin.crt")},
      dir_->File("meshctl.out"), {"MESHID_TOKEN=t"});
  EXPECT_EQ(code, 2) << output;
  EXPECT_THAT(output, HasSubstr("--tls-client-cert-file and "
                                "--tls-client-key-file go together"));
}

}  // namespace
}  // namespace meshid::tlstest
