// The gateway's credentials from its tls settings: plaintext when nothing
// is set, and file errors that name the config field and the path but never
// a file's contents.
#include "gateway/gateway_tls.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kPem[] =
    "-----BEGIN CERTIFICATE-----\nQ0VSVA==\n-----END CERTIFICATE-----\n";

class GatewayTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/gateway-tls-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    pem_ = Write("gw.crt", kPem);
    not_pem_ = Write("gw.key", "SECRET-KEY-BYTES\n");
  }
  void TearDown() override { std::system(("rm -rf '" + dir_ + "'").c_str()); }

  std::string Write(const std::string& name, const std::string& contents) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  std::string dir_, pem_, not_pem_;
};

TEST_F(GatewayTlsTest, NothingSetIsPlaintextBothWays) {
  absl::StatusOr<GatewayCredentials> c = MakeGatewayCredentials({});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_NE(c->server, nullptr);
  EXPECT_NE(c->channel, nullptr);
}

TEST_F(GatewayTlsTest, PemFilesMakeCredentials) {
  TlsSettings tls;
  tls.cert_file = pem_;
  tls.key_file = pem_;
  tls.client_ca_file = pem_;
  tls.require_client_cert = true;
  tls.upstream_ca_file = pem_;
  tls.client_cert_file = pem_;
  tls.client_key_file = pem_;
  absl::StatusOr<GatewayCredentials> c = MakeGatewayCredentials(tls);
  ASSERT_TRUE(c.ok()) << c.status();
}

TEST_F(GatewayTlsTest, MissingFileNamesFieldAndPath) {
  TlsSettings tls;
  tls.upstream_ca_file = dir_ + "/missing-ca.crt";
  absl::StatusOr<GatewayCredentials> c = MakeGatewayCredentials(tls);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(c.status().message(), AllOf(HasSubstr("tls.upstream_ca_file"),
                                          HasSubstr("missing-ca.crt")));
}

TEST_F(GatewayTlsTest, NonPemKeyNamesFieldButNotContents) {
  TlsSettings tls;
  tls.cert_file = pem_;
  tls.key_file = not_pem_;
  absl::StatusOr<GatewayCredentials> c = MakeGatewayCredentials(tls);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(
      c.status().message(),
      AllOf(HasSubstr("tls.key_file"), HasSubstr("gw.key"),
            HasSubstr("no PEM block"), Not(HasSubstr("SECRET-KEY-BYTES"))));
  tls = TlsSettings();
  tls.client_cert_file = pem_;
  tls.client_key_file = not_pem_;
  c = MakeGatewayCredentials(tls);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("tls.client_key_file"));
}

TEST_F(GatewayTlsTest, HalfAPairIsRefused) {
  TlsSettings tls;
  tls.cert_file = pem_;
  EXPECT_FALSE(MakeGatewayCredentials(tls).ok());
  tls = TlsSettings();
  tls.client_cert_file = pem_;
  absl::StatusOr<GatewayCredentials> c = MakeGatewayCredentials(tls);
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(c.status().message(), HasSubstr("go together"));
}

}  // namespace
}  // namespace meshid::gateway
