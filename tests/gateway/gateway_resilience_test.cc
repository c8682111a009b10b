// meshid-gateway as an operator sees it: it keeps serving with its last
// key set and cached tokens when meshid-identity is gone; it ships every
// call to the Log server with its own token and never a caller's; /metrics
// shows calls by route and code; SIGTERM drains.
#include <csignal>
#include <string>
#include <vector>

#include "tests/common/server/test_http_client.h"
#include "tests/gateway/integration_test_base.h"

namespace meshid::gatewaytest {
namespace {

class GatewayResilienceTest : public GatewayIntegrationTest {};

TEST_F(GatewayResilienceTest, KeepsServingWithTheIdentityServerDown) {
  const std::string token = Caller("caller", {"echo:call"});
  auto gateway = Gateway(env_.BaseConfig());
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  v1::EchoResponse response;
  ASSERT_TRUE(
      echo->Unary(WithToken(token).get(), Payload("x"), &response).ok());

  env_.KillIdentity();
  // The watcher notices (its stream breaks) and keeps its last key set.
  EXPECT_TRUE(
      gateway->WaitForStderr("keyset.watch_disconnect", absl::Seconds(10)));
  for (int i = 0; i < 20; ++i) {
    const grpc::Status s =
        echo->Unary(WithToken(token).get(), Payload("x"), &response);
    ASSERT_TRUE(s.ok()) << i << ": " << s.error_message();
  }
  // A forged token is still refused: the key set is kept, not dropped.
  EXPECT_EQ(echo->Unary(WithToken(token + "x").get(), Payload("x"), &response)
                .error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // And it picks up where it left off when identity returns.
  ASSERT_TRUE(env_.StartIdentity().ok());
  const std::string late = Caller("late-caller", {"echo:call"});
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  grpc::Status s;
  do {
    s = echo->Unary(WithToken(late).get(), Payload("x"), &response);
    if (!s.ok()) absl::SleepFor(absl::Milliseconds(50));  // key propagation
  } while (!s.ok() && absl::Now() < deadline);
  EXPECT_TRUE(s.ok()) << s.error_message();
}

TEST_F(GatewayResilienceTest, EveryCallIsShippedWithTheGatewaysOwnToken) {
  const std::string token = Caller("caller", {"echo:call"});
  auto gateway = Gateway(env_.BaseConfig());
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  v1::EchoResponse response;
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(
        echo->Unary(WithToken(token).get(), Payload("x"), &response).ok());
  }
  EXPECT_FALSE(echo->Unary(WithToken("").get(), Payload("x"), &response).ok());

  ASSERT_TRUE(env_.log().WaitFor(
      [](const std::vector<logging::v1::LogEntry>& entries) {
        return entries.size() >= 6;
      },
      absl::Seconds(10)));
  int allowed = 0;
  for (const auto& e : env_.log().Entries()) {
    EXPECT_EQ(e.kind(), logging::v1::LOG_KIND_ACCESS);
    EXPECT_EQ(e.method(), "/meshid.gatewaytest.v1.Echo/Unary");
    EXPECT_TRUE(absl::StartsWith(e.peer(), "ipv4:127.0.0.1:")) << e.peer();
    EXPECT_TRUE(e.has_time());
    EXPECT_TRUE(e.has_latency());
    if (e.status_code() == 0) {
      ++allowed;
      EXPECT_EQ(e.subject(), "caller");
      EXPECT_EQ(e.client_id(), "caller");
      EXPECT_EQ(e.message(), "OK");
      EXPECT_EQ(e.attributes().at("route"), kEchoPrefix);
      EXPECT_EQ(e.attributes().at("upstream"), "echo");
    } else {
      EXPECT_EQ(e.status_code(), 16);
      EXPECT_EQ(e.message(), "missing_token");
      EXPECT_TRUE(e.subject().empty());
    }
    EXPECT_FALSE(absl::StrContains(e.DebugString(), token));
  }
  EXPECT_EQ(allowed, 5);
  // Batches are sent with the gateway's token for the Log server.
  for (const std::string& auth : env_.log().Authorizations()) {
    ASSERT_TRUE(absl::StartsWith(auth, "Bearer "));
    const std::string claims = JwtPayload(auth.substr(7));
    EXPECT_TRUE(absl::StrContains(claims, "\"aud\":\"logging-service\""));
    EXPECT_TRUE(absl::StrContains(claims, "logs:write"));
  }
  // The same calls on stderr, one JSON line each, without the token.
  EXPECT_TRUE(
      gateway->WaitForStderr("\"reason\":\"missing_token\"", absl::Seconds(5)));
  const std::string stderr_text = gateway->Stderr();
  EXPECT_FALSE(absl::StrContains(stderr_text, token));
  size_t access_lines = 0;
  for (size_t at = stderr_text.find("\"event\":\"access\"");
       at != std::string::npos;
       at = stderr_text.find("\"event\":\"access\"", at + 1)) {
    ++access_lines;
  }
  EXPECT_EQ(access_lines, 6u);
}

TEST_F(GatewayResilienceTest,
       AccessLogKeepsFlowingToStderrWhenTheLogServerFails) {
  const std::string token = Caller("caller", {"echo:call"});
  env_.log().SetFailing(true);
  auto gateway = Gateway(env_.BaseConfig());
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  v1::EchoResponse response;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        echo->Unary(WithToken(token).get(), Payload("x"), &response).ok());
  }
  EXPECT_TRUE(
      gateway->WaitForStderr("gateway.access_log_retry", absl::Seconds(10)));
  EXPECT_NE(gateway->Stderr().find("\"event\":\"access\""), std::string::npos);
  env_.log().SetFailing(false);
  EXPECT_TRUE(env_.log().WaitFor(
      [](const std::vector<logging::v1::LogEntry>& e) { return e.size() >= 3; },
      absl::Seconds(15)));
}

TEST_F(GatewayResilienceTest, MetricsShowCallsByRouteAndCode) {
  const std::string token = Caller("caller", {"echo:call"});
  auto gateway = Gateway(env_.BaseConfig());
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  v1::EchoResponse response;
  ASSERT_TRUE(
      echo->Unary(WithToken(token).get(), Payload("x"), &response).ok());
  ASSERT_FALSE(echo->Unary(WithToken("").get(), Payload("x"), &response).ok());

  // The counters are bumped when a call's last event is done, which may
  // trail the caller's view of it by a moment: wait for every line (the
  // refused call's as well as the served one's), then check each.
  const std::vector<std::string> expected = {
      "meshid_gateway_calls_total{code=\"OK\",route=\"/"
      "meshid.gatewaytest.v1.Echo/\"} 1",
      "meshid_gateway_calls_total{code=\"UNAUTHENTICATED\",route=\"/"
      "meshid.gatewaytest.v1.Echo/\"} 1",
      "meshid_gateway_denied_total{reason=\"missing_token\"} 1",
      "meshid_gateway_auth_failures_total{reason=\"missing_token\"} 1",
      "meshid_gateway_call_duration_seconds_count{route=\"/"
      "meshid.gatewaytest.v1.Echo/\"} 2",
  };
  auto all_present = [&](const std::string& body) {
    for (const std::string& line : expected) {
      if (!absl::StrContains(body, line)) return false;
    }
    return true;
  };
  absl::StatusOr<server::TestHttpResponse> metrics;
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  for (;;) {
    metrics = server::HttpGet(gateway->http_port, "/metrics");
    ASSERT_TRUE(metrics.ok()) << metrics.status();
    if (all_present(metrics->body) || absl::Now() > deadline) break;
    absl::SleepFor(absl::Milliseconds(20));
  }
  const std::string& body = metrics->body;
  for (const std::string& line : expected) {
    EXPECT_TRUE(absl::StrContains(body, line)) << line << "\n" << body;
  }
  EXPECT_TRUE(
      absl::StrContains(body, "meshid_keyset_seconds_since_last_event"));
  EXPECT_TRUE(absl::StrContains(body, "meshid_keyset_version"));
  EXPECT_TRUE(absl::StrContains(body, "meshid_gateway_ready 1"));
  EXPECT_TRUE(absl::StrContains(body, "meshid_gateway_access_log_queue_depth"));
  EXPECT_TRUE(absl::StrContains(
      body,
      "meshid_gateway_access_log_dropped_total{reason=\"queue_full\"} 0"));
  EXPECT_TRUE(absl::StrContains(body, "meshid_gateway_anomalies_total"));
  EXPECT_TRUE(absl::StrContains(
      body,
      "meshid_gateway_upstream_token_fetches_total{audience=\"echo-"
      "service\",result=\"ok\"}"));
  EXPECT_TRUE(absl::StrContains(
      body, "meshid_validations_total{reason=\"ok\",result=\"accepted\"} 1"));
  EXPECT_FALSE(absl::StrContains(body, token));
}

TEST_F(GatewayResilienceTest, SigtermDrainsAndExitsCleanly) {
  const std::string token = Caller("caller", {"echo:call"});
  auto gateway = Gateway(env_.BaseConfig(), {"--drain_timeout=1s"});
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  // A stream that is still open when the drain begins.
  auto context = WithToken(token);
  auto stream = echo->Bidi(context.get());
  v1::EchoResponse response;
  ASSERT_TRUE(stream->Write(Payload("open")));
  ASSERT_TRUE(stream->Read(&response));
  gateway->process->Signal(SIGTERM);
  const std::optional<int> code =
      gateway->process->WaitForExit(absl::Seconds(15));
  ASSERT_TRUE(code.has_value());
  EXPECT_EQ(*code, 0) << gateway->Stderr();
  EXPECT_TRUE(
      absl::StrContains(gateway->Stderr(), "\"event\":\"gateway.stopped\""));
  EXPECT_FALSE(stream->Finish().ok());  // cut at the drain deadline
}

}  // namespace
}  // namespace meshid::gatewaytest
