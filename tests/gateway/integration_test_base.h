// The base of the gateway's integration tests: a fresh GatewayEnv (meshid-
// identity, the echo upstream, a fake Log server) per test, so tests never
// share blocks, limits or a killed identity server.
#ifndef MESHID_TESTS_GATEWAY_INTEGRATION_TEST_BASE_H_
#define MESHID_TESTS_GATEWAY_INTEGRATION_TEST_BASE_H_

#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/gateway/testing/gateway_env.h"

namespace meshid::gatewaytest {

class GatewayIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Status started = env_.Start();
    ASSERT_TRUE(started.ok()) << started;
  }

  // Starts a gateway on `config`, failing the test when it does not come up.
  std::unique_ptr<GatewayProcess> Gateway(
      const gateway::v1::GatewayConfig& config,
      const std::vector<std::string>& extra_flags = {}) {
    absl::StatusOr<std::unique_ptr<GatewayProcess>> gateway =
        env_.StartGateway(config, extra_flags);
    EXPECT_TRUE(gateway.ok()) << gateway.status();
    return gateway.ok() ? *std::move(gateway) : nullptr;
  }

  std::string Caller(const std::string& client_id,
                     const std::vector<std::string>& scopes,
                     const std::vector<std::string>& roles = {}) {
    absl::StatusOr<std::string> token =
        env_.CallerToken(client_id, scopes, roles);
    EXPECT_TRUE(token.ok()) << token.status();
    return token.value_or("");
  }

  static v1::EchoRequest Payload(const std::string& payload) {
    v1::EchoRequest request;
    request.set_payload(payload);
    return request;
  }

  // Waits until the fake Log server holds an ACCESS entry for `method`
  // whose message is `message`.
  bool WaitForAccessEntry(const std::string& method,
                          const std::string& message) {
    return env_.log().WaitFor(
        [&](const std::vector<logging::v1::LogEntry>& entries) {
          for (const auto& e : entries) {
            if (e.kind() == logging::v1::LOG_KIND_ACCESS &&
                e.method() == method && e.message() == message) {
              return true;
            }
          }
          return false;
        },
        absl::Seconds(10));
  }

  GatewayEnv env_;
};

inline void SetDuration(google::protobuf::Duration* d, absl::Duration value) {
  d->set_seconds(absl::ToInt64Seconds(value));
  d->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(value - absl::Seconds(d->seconds()))));
}

}  // namespace meshid::gatewaytest

#endif  // MESHID_TESTS_GATEWAY_INTEGRATION_TEST_BASE_H_
