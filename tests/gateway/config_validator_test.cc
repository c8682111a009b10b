// Config validation: every rule config.proto states, the documented
// defaults, and refusal messages that name the field path and the reason.
#include "gateway/config_validator.h"

#include <string>

#include "absl/strings/str_replace.h"
#include "gateway/config_loader.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

using ::testing::HasSubstr;

// A minimal valid config; tests patch it by text replacement.
constexpr char kMinimal[] = R"json({
  "name": "careergpt-backend",
  "identity": {"address": "identity:50051",
               "keyadmin_address": "identity:50052"},
  "validation": {"issuer": "https://meshid.internal"},
  "credentials": {"client_secret_file": "/run/secrets/gateway"},
  "upstreams": [{"name": "logs", "address": "log:50053",
                 "audience": "logging-service"},
                {"name": "resume", "address": "resume:7000",
                 "audience": "resume-service", "scopes": ["resume:read"]}],
  "routes": [{"method_prefix": "/meshid.logging.v1.Log/", "upstream": "logs",
              "required_scopes": ["logs:read"]},
             {"method_prefix": "/careergpt.v1.Resume/", "upstream": "resume",
              "required_roles": ["subscriber"],
              "rate_limit": {"rate_per_second": 2.5}},
             ROUTE3]
})json";

std::string Config(const std::string& third_route =
                       R"({"method_prefix": "/x.Y/", "upstream": "logs"})") {
  return absl::StrReplaceAll(kMinimal, {{"ROUTE3", third_route}});
}

std::string ErrorOf(const std::string& json) {
  absl::StatusOr<GatewaySettings> s = ParseGatewayConfig(json);
  EXPECT_FALSE(s.ok()) << json;
  return s.ok() ? "" : std::string(s.status().message());
}

TEST(ConfigValidatorTest, MinimalConfigGetsTheDocumentedDefaults) {
  absl::StatusOr<GatewaySettings> s = ParseGatewayConfig(Config());
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->listen_address, "0.0.0.0:50050");
  EXPECT_EQ(s->http_listen_address, "0.0.0.0:9100");
  EXPECT_EQ(s->keyadmin_audience, "meshid-keyadmin");
  EXPECT_EQ(s->clock_skew, absl::Seconds(30));
  EXPECT_EQ(s->max_token_lifetime, absl::Hours(1));
  EXPECT_EQ(s->client_id, "careergpt-backend");  // = name
  EXPECT_EQ(s->refresh_before_expiry, absl::Seconds(60));
  EXPECT_FALSE(s->access_log.shipping());
  EXPECT_EQ(s->access_log.log_audience, "logging-service");
  EXPECT_EQ(s->access_log.queue_bound, 10000u);
  EXPECT_EQ(s->access_log.batch_size, 200u);
  EXPECT_EQ(s->access_log.flush_interval, absl::Seconds(1));
  EXPECT_FALSE(s->per_subject.limited());
  EXPECT_EQ(s->anomaly.failed_validation_burst, 20u);
  EXPECT_EQ(s->anomaly.failed_validation_window, absl::Seconds(10));
  EXPECT_EQ(s->anomaly.block_duration, absl::Seconds(60));
  EXPECT_EQ(s->anomaly.rate_spike_factor, 5);
  EXPECT_EQ(s->anomaly.rate_spike_window, absl::Seconds(10));
  EXPECT_EQ(s->anomaly.rate_baseline_window, absl::Minutes(10));
  EXPECT_EQ(s->anomaly.rate_spike_min_calls, 20u);
  ASSERT_EQ(s->routes.size(), 3u);
  EXPECT_EQ(s->routes[1].upstream_index, 1u);
  EXPECT_EQ(s->routes[1].required_roles,
            std::vector<std::string>{"subscriber"});
  // burst 0 means max(1, ceil(rate)).
  EXPECT_TRUE(s->routes[1].rate_limit.limited());
  EXPECT_EQ(s->routes[1].rate_limit.burst, 3u);
  EXPECT_FALSE(s->routes[0].rate_limit.limited());
  EXPECT_EQ(s->upstreams[1].scopes, std::vector<std::string>{"resume:read"});
  EXPECT_TRUE(s->warnings.empty());
}

TEST(ConfigValidatorTest, UnknownUpstreamIsNamedWithItsPath) {
  EXPECT_EQ(
      ErrorOf(Config(R"({"method_prefix": "/x.Y/", "upstream": "logz"})")),
      "routes[2].upstream: unknown upstream \"logz\"");
}

TEST(ConfigValidatorTest, EveryBrokenRuleIsReportedWithPathAndReason) {
  struct Case {
    std::string from, to, expected;
  };
  const Case cases[] = {
      {R"("name": "careergpt-backend",)", "", "name: required"},
      {R"("name": "careergpt-backend",)", R"("name": "has space",)",
       "name: must be printable ASCII without whitespace"},
      {R"("identity": {"address": "identity:50051",)",
       R"("identity": {"address": "",)", "identity.address: required"},
      {R"("validation": {"issuer": "https://meshid.internal"})",
       R"("validation": {})", "validation.issuer: required"},
      {R"("validation": {"issuer": "https://meshid.internal"})",
       R"("validation": {"issuer": "i", "clock_skew": "301s"})",
       "validation.clock_skew: must be at most 5m"},
      {R"("validation": {"issuer": "https://meshid.internal"})",
       R"("validation": {"issuer": "i", "clock_skew": "-1s"})",
       "validation.clock_skew: must not be negative"},
      {R"("validation": {"issuer": "https://meshid.internal"})",
       R"("validation": {"issuer": "i", "max_token_lifetime": "0s"})",
       "validation.max_token_lifetime: must be positive"},
      {R"("credentials": {"client_secret_file": "/run/secrets/gateway"})",
       R"("credentials": {})", "credentials.client_secret_file: required"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend", "access_log": {"batch_size": 1001},)",
       "access_log.batch_size: must be at most 1000"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "access_log": {"queue_bound": 1000001},)",
       "access_log.queue_bound: must be at most 1000000"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend", "access_log": {"flush_interval": "0s"},)",
       "access_log.flush_interval: must be positive"},
      {R"({"name": "resume", "address": "resume:7000",)",
       R"({"name": "logs", "address": "resume:7000",)",
       "upstreams[1].name: duplicate upstream \"logs\""},
      {R"("address": "log:50053",)", R"("address": "",)",
       "upstreams[0].address: required"},
      {R"("audience": "logging-service"},)", R"("audience": ""},)",
       "upstreams[0].audience: required"},
      {R"("scopes": ["resume:read"])", R"("scopes": ["a b"])",
       "upstreams[1].scopes[0]: must be a scope-token"},
      {R"({"method_prefix": "/careergpt.v1.Resume/",)",
       R"({"method_prefix": "/meshid.logging.v1.Log/",)",
       "routes[1].method_prefix: duplicate prefix "
       "\"/meshid.logging.v1.Log/\" (also routes[0])"},
      {R"({"method_prefix": "/careergpt.v1.Resume/",)",
       R"({"method_prefix": "careergpt.v1.Resume/",)",
       "routes[1].method_prefix: must start with \"/\""},
      {R"({"method_prefix": "/careergpt.v1.Resume/",)",
       R"({"method_prefix": "",)", "routes[1].method_prefix: required"},
      {R"("upstream": "resume",)", R"("upstream": "",)",
       "routes[1].upstream: required"},
      {R"("required_roles": ["subscriber"])", R"("required_roles": ["Admin"])",
       "routes[1].required_roles[0]: must be 1 to 64 characters"},
      {R"("required_scopes": ["logs:read"])", R"("required_scopes": [""])",
       "routes[0].required_scopes[0]: must be a scope-token"},
      {R"("rate_limit": {"rate_per_second": 2.5})",
       R"("rate_limit": {"rate_per_second": -1})",
       "routes[1].rate_limit.rate_per_second: must be a number from 0"},
      {R"("rate_limit": {"rate_per_second": 2.5})",
       R"("rate_limit": {"burst": 10})",
       "routes[1].rate_limit.burst: set without rate_per_second"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "limits": {"anomaly": {"rate_spike_window": "60s",
                                 "rate_baseline_window": "30s"}},)",
       "limits.anomaly.rate_baseline_window: must be longer than "
       "rate_spike_window"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "limits": {"anomaly": {"rate_spike_factor": 0.5}},)",
       "limits.anomaly.rate_spike_factor: must be above 1"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "limits": {"anomaly": {"block_duration": "0s"}},)",
       "limits.anomaly.block_duration: must be positive"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "limits": {"per_subject": {"rate_per_second": 1e12}},)",
       "limits.per_subject.rate_per_second: must be a number from 0"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend", "tls": {"cert_file": "/c.pem"},)",
       "tls.key_file: required with tls.cert_file"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend", "tls": {"key_file": "/k.pem"},)",
       "tls.cert_file: required with tls.key_file"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend", "tls": {"client_ca_file": "/ca.pem"},)",
       "tls.client_ca_file: needs tls.cert_file and tls.key_file"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "tls": {"cert_file": "/c.pem", "key_file": "/k.pem",
                  "require_client_cert": true},)",
       "tls.require_client_cert: needs tls.client_ca_file"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "tls": {"client_cert_file": "/gw.pem"},)",
       "tls.client_key_file: required with tls.client_cert_file"},
      {R"("name": "careergpt-backend",)",
       R"("name": "careergpt-backend",
          "tls": {"upstream_ca_file": "/ca.pem", "client_key_file": "/k"},)",
       "tls.client_cert_file: required with tls.client_key_file"},
  };
  for (const Case& c : cases) {
    const std::string json = absl::StrReplaceAll(Config(), {{c.from, c.to}});
    ASSERT_NE(json, Config()) << "patch did not apply: " << c.from;
    EXPECT_THAT(ErrorOf(json), HasSubstr(c.expected)) << c.to;
  }
}

TEST(ConfigValidatorTest, NoRoutesIsRefused) {
  EXPECT_THAT(ErrorOf(R"json({
    "name": "gw", "identity": {"address": "a:1", "keyadmin_address": "a:2"},
    "validation": {"issuer": "i"}, "credentials": {"client_secret_file": "/s"}
  })json"),
              HasSubstr("routes: at least one route is required"));
}

TEST(ConfigValidatorTest, SeveralErrorsAreAllReported) {
  const std::string error = ErrorOf(R"json({
    "identity": {"address": "a:1"},
    "validation": {"issuer": "i"},
    "credentials": {"client_secret_file": "/s"},
    "routes": [{"method_prefix": "/a/", "upstream": "nope"}]
  })json");
  EXPECT_THAT(error, HasSubstr("name: required"));
  EXPECT_THAT(error, HasSubstr("identity.keyadmin_address: required"));
  EXPECT_THAT(error,
              HasSubstr("routes[0].upstream: unknown upstream \"nope\""));
}

TEST(ConfigValidatorTest, UnknownFieldsAndWrongTypesAreRefusedByTheParser) {
  EXPECT_THAT(ErrorOf(absl::StrReplaceAll(
                  Config(), {{R"("name":)", R"("nam": "x", "name":)"}})),
              HasSubstr("not a valid GatewayConfig JSON document"));
  EXPECT_THAT(ErrorOf(absl::StrReplaceAll(
                  Config(), {{R"("issuer": "https://meshid.internal")",
                              R"("issuer": 5)"}})),
              HasSubstr("not a valid GatewayConfig JSON document"));
}

TEST(ConfigValidatorTest, TlsSectionWithoutFieldsIsAccepted) {
  EXPECT_TRUE(
      ParseGatewayConfig(
          absl::StrReplaceAll(Config(), {{R"("name": "careergpt-backend",)",
                                          R"("name": "careergpt-backend",
                                                    "tls": {},)"}}))
          .ok());
}

TEST(ConfigValidatorTest, MutualTlsBothWaysIsAccepted) {
  absl::StatusOr<GatewaySettings> s = ParseGatewayConfig(
      absl::StrReplaceAll(Config(), {{R"("name": "careergpt-backend",)",
                                      R"("name": "careergpt-backend",
                     "tls": {"cert_file": "/tls/gw.crt",
                             "key_file": "/tls/gw.key",
                             "client_ca_file": "/tls/ca.crt",
                             "require_client_cert": true,
                             "upstream_ca_file": "/tls/ca.crt",
                             "client_cert_file": "/tls/gw.crt",
                             "client_key_file": "/tls/gw.key"},)"}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->tls.serves_tls());
  EXPECT_TRUE(s->tls.dials_tls());
  EXPECT_TRUE(s->tls.require_client_cert);
  EXPECT_EQ(s->tls.cert_file, "/tls/gw.crt");
  EXPECT_EQ(s->tls.key_file, "/tls/gw.key");
  EXPECT_EQ(s->tls.client_ca_file, "/tls/ca.crt");
  EXPECT_EQ(s->tls.upstream_ca_file, "/tls/ca.crt");
  EXPECT_EQ(s->tls.client_cert_file, "/tls/gw.crt");
  EXPECT_EQ(s->tls.client_key_file, "/tls/gw.key");
  EXPECT_TRUE(s->warnings.empty());
}

TEST(ConfigValidatorTest, TlsOneWayAndOptionalClientCertificates) {
  // Serving TLS only; dialing plaintext.
  absl::StatusOr<GatewaySettings> s = ParseGatewayConfig(
      absl::StrReplaceAll(Config(), {{R"("name": "careergpt-backend",)",
                                      R"("name": "careergpt-backend",
                     "tls": {"cert_file": "/c", "key_file": "/k"},)"}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_TRUE(s->tls.serves_tls());
  EXPECT_FALSE(s->tls.dials_tls());
  // A client CA without require_client_cert is allowed, with a warning that
  // callers without a certificate are still served.
  s = ParseGatewayConfig(
      absl::StrReplaceAll(Config(), {{R"("name": "careergpt-backend",)",
                                      R"("name": "careergpt-backend",
                     "tls": {"cert_file": "/c", "key_file": "/k",
                             "client_ca_file": "/ca"},)"}}));
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->warnings.size(), 1u);
  EXPECT_THAT(s->warnings[0], HasSubstr("tls.require_client_cert"));
  // Dialing TLS only, verifying with a private CA.
  s = ParseGatewayConfig(
      absl::StrReplaceAll(Config(), {{R"("name": "careergpt-backend",)",
                                      R"("name": "careergpt-backend",
                     "tls": {"upstream_ca_file": "/ca"},)"}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_FALSE(s->tls.serves_tls());
  EXPECT_TRUE(s->tls.dials_tls());
}

TEST(ConfigValidatorTest, ShouldRulesBecomeWarnings) {
  absl::StatusOr<GatewaySettings> s = ParseGatewayConfig(absl::StrReplaceAll(
      Config(R"({"method_prefix": "/x.Y/", "upstream": "logs"})"),
      {{R"("client_secret_file")",
        R"("client_id": "other", "client_secret_file")"},
       {R"({"method_prefix": "/careergpt.v1.Resume/", "upstream": "resume",)",
        R"({"method_prefix": "/careergpt.v1.Resume/", "upstream": "logs",)"}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->client_id, "other");
  ASSERT_EQ(s->warnings.size(), 2u);
  EXPECT_THAT(s->warnings[0], HasSubstr("credentials.client_id: differs"));
  EXPECT_THAT(s->warnings[1], HasSubstr("\"resume\" is not used by any route"));
}

TEST(ConfigValidatorTest, ExplicitValuesOverrideDefaults) {
  absl::StatusOr<GatewaySettings> s = ParseGatewayConfig(absl::StrReplaceAll(
      Config(),
      {{R"("name": "careergpt-backend",)", R"(
        "name": "careergpt-backend",
        "listen_address": "127.0.0.1:7000",
        "validation": {"issuer": "i", "clock_skew": "0s",
                       "max_token_lifetime": "600s"},
        "access_log": {"log_address": "log:50053", "queue_bound": 5,
                       "batch_size": 2, "flush_interval": "0.25s"},
        "limits": {"per_subject": {"rate_per_second": 10, "burst": 20},
                   "anomaly": {"failed_validation_burst": 3,
                               "block_duration": "2s"}},)"},
       {R"("validation": {"issuer": "https://meshid.internal"},)", ""}}));
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->listen_address, "127.0.0.1:7000");
  EXPECT_EQ(s->clock_skew, absl::ZeroDuration());  // set: not the default
  EXPECT_EQ(s->max_token_lifetime, absl::Minutes(10));
  EXPECT_TRUE(s->access_log.shipping());
  EXPECT_EQ(s->access_log.queue_bound, 5u);
  EXPECT_EQ(s->access_log.batch_size, 2u);
  EXPECT_EQ(s->access_log.flush_interval, absl::Milliseconds(250));
  EXPECT_EQ(s->per_subject.rate_per_second, 10);
  EXPECT_EQ(s->per_subject.burst, 20u);
  EXPECT_EQ(s->anomaly.failed_validation_burst, 3u);
  EXPECT_EQ(s->anomaly.block_duration, absl::Seconds(2));
}

TEST(ConfigLoaderTest, MissingFileIsNamed) {
  absl::StatusOr<GatewaySettings> s =
      LoadGatewayConfig("/nonexistent/gateway.json");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("/nonexistent/gateway.json"));
}

TEST(ConfigLoaderTest, SecretFileIsOneLineAndNeverQuoted) {
  char dir[] = "/tmp/meshid-gw-secret-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  const std::string path = std::string(dir) + "/secret";
  const auto write = [&](const std::string& content) {
    FILE* f = fopen(path.c_str(), "w");
    fwrite(content.data(), 1, content.size(), f);
    fclose(f);
  };
  write("s3cr3t-value\n");
  absl::StatusOr<ClientSecret> secret = ReadClientSecretFile(path);
  ASSERT_TRUE(secret.ok()) << secret.status();
  EXPECT_EQ(secret->secret.view(), "s3cr3t-value");
  write("s3cr3t-value\nsecond-line\n");
  secret = ReadClientSecretFile(path);
  ASSERT_FALSE(secret.ok());
  EXPECT_THAT(secret.status().message(), ::testing::Not(HasSubstr("s3cr3t")));
  write("\n");
  EXPECT_FALSE(ReadClientSecretFile(path).ok());
  std::remove(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace meshid::gateway
