// meshctl's TLS connection flags: --tls-ca-file (alias --ca-file),
// --tls-client-cert-file, --tls-client-key-file and their MESHID_TLS_*
// variables, resolved by ResolveConnection.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tools/meshctl/connection.h"

namespace meshid::meshctl {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kCaPem[] =
    "-----BEGIN CERTIFICATE-----\nQ0E=\n-----END CERTIFICATE-----\n";
constexpr char kCertPem[] =
    "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n";
// Stands for a private key: must never appear in an error.
constexpr char kKeyPem[] =
    "-----BEGIN PRIVATE KEY-----\nS0VZLVNFQ1JFVA==\n-----END PRIVATE "
    "KEY-----\n";

class TlsFlagsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/meshctl-tls-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    ca_ = Write("ca.crt", kCaPem);
    cert_ = Write("admin.crt", kCertPem);
    key_ = Write("admin.key", kKeyPem);
    not_pem_ = Write("notes.txt", "not a certificate\n");
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  absl::StatusOr<ConnectionSettings> Resolve(
      const std::vector<std::string>& args) {
    absl::StatusOr<Flags> flags =
        Flags::Parse(args, ConnectionValueFlags(BearerFlag::kTokenOrAuthToken),
                     ConnectionBoolFlags());
    if (!flags.ok()) return flags.status();
    return ResolveConnection(
        *flags, ConnectionRequest{},
        [this](const std::string& name) {
          auto it = env_.find(name);
          return it == env_.end() ? std::nullopt
                                  : std::optional<std::string>(it->second);
        },
        absl::UnixEpoch());
  }

  std::string dir_, ca_, cert_, key_, not_pem_;
  std::map<std::string, std::string> env_;
};

TEST_F(TlsFlagsTest, NoTlsFlagsIsPlaintext) {
  absl::StatusOr<ConnectionSettings> s = Resolve({});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->endpoint.tls);
  EXPECT_TRUE(s->endpoint.client_cert_pem.empty());
}

TEST_F(TlsFlagsTest, CaAndClientCertificateAreReadAndTurnTlsOn) {
  absl::StatusOr<ConnectionSettings> s =
      Resolve({"--tls-ca-file", ca_, "--tls-client-cert-file", cert_,
               "--tls-client-key-file", key_});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->endpoint.tls);
  EXPECT_EQ(s->endpoint.ca_pem, kCaPem);
  EXPECT_EQ(s->endpoint.client_cert_pem, kCertPem);
  EXPECT_EQ(s->endpoint.client_key_pem, kKeyPem);
}

TEST_F(TlsFlagsTest, ClientCertificateAloneUsesSystemRoots) {
  absl::StatusOr<ConnectionSettings> s =
      Resolve({"--tls-client-cert-file", cert_, "--tls-client-key-file", key_});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->endpoint.tls);
  EXPECT_TRUE(s->endpoint.ca_pem.empty());
}

TEST_F(TlsFlagsTest, OldCaFileFlagStillWorksButNotTogetherWithTheNewOne) {
  absl::StatusOr<ConnectionSettings> s = Resolve({"--ca-file", ca_});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->endpoint.tls);
  EXPECT_EQ(s->endpoint.ca_pem, kCaPem);
  s = Resolve({"--ca-file", ca_, "--tls-ca-file", ca_});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("not both"));
}

TEST_F(TlsFlagsTest, EnvironmentSuppliesTheFilesAndFlagsWin) {
  env_["MESHID_TLS_CA_FILE"] = ca_;
  env_["MESHID_TLS_CLIENT_CERT_FILE"] = cert_;
  env_["MESHID_TLS_CLIENT_KEY_FILE"] = key_;
  absl::StatusOr<ConnectionSettings> s = Resolve({});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->endpoint.tls);
  EXPECT_EQ(s->endpoint.client_cert_pem, kCertPem);
  // The flag wins: its (missing) file is the one reported.
  s = Resolve({"--tls-ca-file", dir_ + "/other.crt"});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("--tls-ca-file"));
  EXPECT_THAT(s.status().message(), HasSubstr("other.crt"));
}

TEST_F(TlsFlagsTest, CertificateWithoutKeyIsRefused) {
  absl::StatusOr<ConnectionSettings> s =
      Resolve({"--tls-client-cert-file", cert_});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(),
              HasSubstr("--tls-client-cert-file and --tls-client-key-file go "
                        "together"));
  s = Resolve({"--tls-client-key-file", key_});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("go together"));
}

TEST_F(TlsFlagsTest, MissingFileNamesFlagAndPath) {
  absl::StatusOr<ConnectionSettings> s =
      Resolve({"--tls-client-cert-file", cert_, "--tls-client-key-file",
               dir_ + "/missing.key"});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              AllOf(HasSubstr("cannot open --tls-client-key-file"),
                    HasSubstr("missing.key")));
}

TEST_F(TlsFlagsTest, NonPemFileNamesFlagAndPathButNotContents) {
  absl::StatusOr<ConnectionSettings> s = Resolve({"--tls-ca-file", not_pem_});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(
      s.status().message(),
      AllOf(HasSubstr("--tls-ca-file"), HasSubstr("notes.txt"),
            HasSubstr("no PEM block"), Not(HasSubstr("not a certificate"))));
  env_["MESHID_TLS_CLIENT_CERT_FILE"] = cert_;
  env_["MESHID_TLS_CLIENT_KEY_FILE"] = not_pem_;
  s = Resolve({});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(),
              AllOf(HasSubstr("MESHID_TLS_CLIENT_KEY_FILE"),
                    HasSubstr("no PEM block")));
}

TEST_F(TlsFlagsTest, EmptyKeyFileIsNamedByPathOnly) {
  const std::string empty = Write("empty.key", "");
  absl::StatusOr<ConnectionSettings> s = Resolve(
      {"--tls-client-cert-file", cert_, "--tls-client-key-file", empty});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("empty.key"));
  EXPECT_THAT(s.status().message(), Not(HasSubstr("S0VZLVNFQ1JFVA")));
}

}  // namespace
}  // namespace meshid::meshctl
