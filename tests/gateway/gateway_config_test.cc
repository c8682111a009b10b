// meshid-gateway refuses a bad config at start, naming the field and the
// reason, and exits 2; --check_config accepts a good one.
#include "google/protobuf/util/json_util.h"
#include "tests/gateway/integration_test_base.h"

namespace meshid::gatewaytest {
namespace {

class GatewayConfigTest : public GatewayIntegrationTest {};

std::string Json(const gateway::v1::GatewayConfig& config) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  EXPECT_TRUE(
      google::protobuf::util::MessageToJsonString(config, &json, options).ok());
  return json;
}

TEST_F(GatewayConfigTest, BadConfigsAreRefusedWithFieldAndReason) {
  struct Case {
    std::string name;
    std::function<void(gateway::v1::GatewayConfig&)> patch;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"unknown upstream",
       [](auto& c) { c.mutable_routes(1)->set_upstream("logz"); },
       R"(routes[1].upstream: unknown upstream \"logz\")"},
      {"no name", [](auto& c) { c.clear_name(); }, "name: required"},
      {"skew too large",
       [](auto& c) {
         SetDuration(c.mutable_validation()->mutable_clock_skew(),
                     absl::Seconds(301));
       },
       "validation.clock_skew: must be at most 5m"},
      {"tls cert without key",
       [](auto& c) { c.mutable_tls()->set_cert_file("/etc/gw.pem"); },
       "tls.key_file: required with tls.cert_file"},
      {"missing tls file",
       [](auto& c) {
         c.mutable_tls()->set_cert_file("/nonexistent/gw.crt");
         c.mutable_tls()->set_key_file("/nonexistent/gw.key");
       },
       "tls.cert_file: cannot open"},
      {"batch too large",
       [](auto& c) { c.mutable_access_log()->set_batch_size(5000); },
       "access_log.batch_size: must be at most 1000"},
      {"duplicate prefix",
       [](auto& c) {
         c.mutable_routes(1)->set_method_prefix(c.routes(0).method_prefix());
       },
       "routes[1].method_prefix: duplicate prefix"},
      {"missing secret file",
       [](auto& c) {
         c.mutable_credentials()->set_client_secret_file("/nonexistent/s");
       },
       "cannot open /nonexistent/s"},
  };
  for (const Case& c : cases) {
    gateway::v1::GatewayConfig config = env_.BaseConfig();
    c.patch(config);
    const auto [code, stderr_text] = env_.RunGatewayToExit(Json(config));
    EXPECT_EQ(code, 2) << c.name << "\n" << stderr_text;
    EXPECT_TRUE(absl::StrContains(stderr_text, "\"event\":\"config.invalid\""))
        << c.name << "\n"
        << stderr_text;
    EXPECT_TRUE(absl::StrContains(stderr_text, c.expected)) << c.name << "\n"
                                                            << stderr_text;
  }
}

TEST_F(GatewayConfigTest, UnknownFieldsAndBrokenJsonAreRefused) {
  for (const std::string& json :
       {std::string(R"({"name": "gw", "listen_adress": "x"})"),
        std::string("{not json")}) {
    const auto [code, stderr_text] = env_.RunGatewayToExit(json);
    EXPECT_EQ(code, 2) << stderr_text;
    EXPECT_TRUE(absl::StrContains(stderr_text,
                                  "not a valid GatewayConfig JSON document"))
        << stderr_text;
  }
}

TEST_F(GatewayConfigTest, CheckConfigAcceptsAGoodConfig) {
  const auto [code, stderr_text] =
      env_.RunGatewayToExit(Json(env_.BaseConfig()), {"--check_config"});
  EXPECT_EQ(code, 0) << stderr_text;
}

}  // namespace
}  // namespace meshid::gatewaytest
