// The gateway's config is JSON in the protobuf JSON mapping: the sample
// config parses, camelCase names are accepted, and unknown fields and
// mistyped values are refused (meshid-gateway --config relies on it).
#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "meshid/gateway/v1/config.pb.h"

namespace meshid::proto {
namespace {

constexpr char kSampleGatewayConfig[] = R"json({
  "listen_address": "0.0.0.0:50050",
  "http_listen_address": "0.0.0.0:9100",
  "name": "careergpt-backend",
  "identity": {"address": "identity:50051",
               "keyadmin_address": "identity:50052"},
  "validation": {"issuer": "https://meshid.internal", "clock_skew": "30s",
                 "max_token_lifetime": "3600s"},
  "credentials": {"client_id": "careergpt-backend",
                  "client_secret_file": "/run/secrets/gateway",
                  "refresh_before_expiry": "60s"},
  "access_log": {"log_address": "log:50053", "queue_bound": 10000,
                 "batch_size": 200, "flush_interval": "1s"},
  "upstreams": [
    {"name": "logs", "address": "log:50053", "audience": "logging-service",
     "scopes": ["logs:read"]},
    {"name": "resume", "address": "resume:7000", "audience": "resume-service"}
  ],
  "routes": [
    {"method_prefix": "/meshid.logging.v1.Log/", "upstream": "logs",
     "required_scopes": ["logs:read"], "required_roles": ["admin"]},
    {"method_prefix": "/careergpt.v1.Resume/", "upstream": "resume",
     "rate_limit": {"rate_per_second": 50, "burst": 100}}
  ],
  "limits": {
    "per_subject": {"rate_per_second": 10, "burst": 20},
    "anomaly": {"failed_validation_burst": 20,
                "failed_validation_window": "10s", "block_duration": "60s",
                "rate_spike_factor": 5, "rate_spike_window": "10s",
                "rate_baseline_window": "600s", "rate_spike_min_calls": 20}
  },
  "tls": {}
})json";

TEST(ProtoContractsTest, SampleGatewayConfigParses) {
  gateway::v1::GatewayConfig config;
  const auto status = google::protobuf::util::JsonStringToMessage(
      kSampleGatewayConfig, &config);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(config.name(), "careergpt-backend");
  EXPECT_EQ(config.identity().keyadmin_address(), "identity:50052");
  EXPECT_EQ(config.validation().clock_skew().seconds(), 30);
  EXPECT_EQ(config.credentials().client_secret_file(), "/run/secrets/gateway");
  EXPECT_EQ(config.access_log().batch_size(), 200u);
  ASSERT_EQ(config.upstreams_size(), 2);
  EXPECT_EQ(config.upstreams(0).audience(), "logging-service");
  ASSERT_EQ(config.routes_size(), 2);
  EXPECT_THAT(config.routes(0).required_scopes(),
              ::testing::ElementsAre("logs:read"));
  EXPECT_DOUBLE_EQ(config.routes(1).rate_limit().rate_per_second(), 50);
  EXPECT_EQ(config.limits().per_subject().burst(), 20u);
  EXPECT_EQ(config.limits().anomaly().block_duration().seconds(), 60);
  EXPECT_FALSE(config.has_tls() && config.tls().cert_file() != "");
}

TEST(ProtoContractsTest, CamelCaseNamesAreAccepted) {
  gateway::v1::GatewayConfig config;
  const auto status = google::protobuf::util::JsonStringToMessage(
      R"({"listenAddress": ":1", "credentials": {"clientSecretFile": "/f"}})",
      &config);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(config.listen_address(), ":1");
  EXPECT_EQ(config.credentials().client_secret_file(), "/f");
}

TEST(ProtoContractsTest, UnknownGatewayConfigFieldsAreRejected) {
  for (const char* json : {
           R"({"name": "gw", "listen_adress": ":1"})",
           R"({"credentials": {"client_id": "gw", "client_secret": "s3cr3t"}})",
           R"({"routes": [{"method_prefix": "/a/", "required_scope": ["x"]}]})",
           R"({"limits": {"anomaly": {"block": "1s"}}})",
       }) {
    gateway::v1::GatewayConfig config;
    EXPECT_FALSE(
        google::protobuf::util::JsonStringToMessage(json, &config).ok())
        << json;
  }
}

TEST(ProtoContractsTest, MistypedGatewayConfigValuesAreRejected) {
  for (const char* json : {
           R"({"access_log": {"queue_bound": -1}})",
           R"({"validation": {"clock_skew": 30}})",
           R"({"name": 5})",
           R"({"routes": "x"})",
           R"({"upstreams": [{"name": ["x"]}]})",
           R"({"limits": {"per_subject": {"rate_per_second": "fast"}}})",
       }) {
    gateway::v1::GatewayConfig config;
    EXPECT_FALSE(
        google::protobuf::util::JsonStringToMessage(json, &config).ok())
        << json;
  }
}

}  // namespace
}  // namespace meshid::proto
