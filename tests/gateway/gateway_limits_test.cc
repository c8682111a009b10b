// Rate limits and anomaly detection through a real meshid-gateway: the
// admitted rate within 5% of the per-subject and per-route settings, a
// peer blocked after a burst of bad tokens and unblocked after its time,
// and a subject's rate spike reported.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

#include "tests/gateway/integration_test_base.h"

namespace meshid::gatewaytest {
namespace {

using Clock = std::chrono::steady_clock;

class GatewayLimitsTest : public GatewayIntegrationTest {
 protected:
  struct LoadResult {
    int ok = 0;
    int exhausted = 0;
    int other = 0;
    // Receive times of the admitted calls.
    std::vector<Clock::time_point> ok_times;

    void Add(const LoadResult& other_result) {
      ok += other_result.ok;
      exhausted += other_result.exhausted;
      other += other_result.other;
      ok_times.insert(ok_times.end(), other_result.ok_times.begin(),
                      other_result.ok_times.end());
    }

    // The steady admitted rate: admissions after the first 300 ms (the
    // initial burst and warm-up) up to the last one, per second.
    double AdmittedPerSecond() {
      std::sort(ok_times.begin(), ok_times.end());
      if (ok_times.size() < 2) return 0;
      const Clock::time_point from =
          ok_times.front() + std::chrono::milliseconds(300);
      auto first = std::lower_bound(ok_times.begin(), ok_times.end(), from);
      if (first == ok_times.end()) return 0;
      const double seconds =
          std::chrono::duration<double>(ok_times.back() - *first).count();
      const auto admitted = ok_times.end() - first - 1;
      return seconds > 0 ? admitted / seconds : 0;
    }
  };

  // `threads` callers, each calling as fast as it can for `span`.
  LoadResult Hammer(v1::Echo::Stub& echo, const std::string& method,
                    const std::string& token, int threads,
                    absl::Duration span) {
    LoadResult total;
    std::mutex mu;
    const absl::Time end = absl::Now() + span;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&] {
        LoadResult mine;
        while (absl::Now() < end) {
          v1::EchoResponse response;
          auto context = WithToken(token);
          const grpc::Status s =
              method == "Limited"
                  ? echo.Limited(context.get(), Payload("x"), &response)
                  : echo.Unary(context.get(), Payload("x"), &response);
          if (s.ok()) {
            ++mine.ok;
            mine.ok_times.push_back(Clock::now());
          } else if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
            ++mine.exhausted;
          } else {
            ++mine.other;
          }
        }
        std::lock_guard<std::mutex> lock(mu);
        total.Add(mine);
      });
    }
    for (std::thread& w : workers) w.join();
    return total;
  }
};

TEST_F(GatewayLimitsTest, PerSubjectRateIsWithinFivePercentOfItsSetting) {
  constexpr double kRate = 200;
  const std::string token = Caller("busy", {"echo:call"});
  gateway::v1::GatewayConfig config = env_.BaseConfig();
  config.mutable_limits()->mutable_per_subject()->set_rate_per_second(kRate);
  config.mutable_limits()->mutable_per_subject()->set_burst(10);
  auto gateway = Gateway(config);
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  LoadResult r = Hammer(*echo, "Unary", token, 4, absl::Seconds(1.5));
  EXPECT_EQ(r.other, 0);
  ASSERT_GT(r.exhausted, r.ok) << "the offered load must exceed the limit";
  EXPECT_NEAR(r.AdmittedPerSecond(), kRate, kRate * 0.05)
      << r.ok << " admitted, " << r.exhausted << " refused";
  EXPECT_TRUE(WaitForAccessEntry("/meshid.gatewaytest.v1.Echo/Unary",
                                 "subject_rate_limited"));
}

TEST_F(GatewayLimitsTest, PerRouteRateIsWithinFivePercentAcrossSubjects) {
  constexpr double kRate = 150;
  const std::string a = Caller("caller-a", {"echo:call"});
  const std::string b = Caller("caller-b", {"echo:call"});
  gateway::v1::GatewayConfig config = env_.BaseConfig();
  gateway::v1::Route* limited = config.add_routes();
  limited->set_method_prefix("/meshid.gatewaytest.v1.Echo/Limited");
  limited->set_upstream("echo");
  limited->mutable_rate_limit()->set_rate_per_second(kRate);
  limited->mutable_rate_limit()->set_burst(10);
  auto gateway = Gateway(config);
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  LoadResult ra, rb;
  std::thread other(
      [&] { rb = Hammer(*echo, "Limited", b, 2, absl::Seconds(1.5)); });
  ra = Hammer(*echo, "Limited", a, 2, absl::Seconds(1.5));
  other.join();
  EXPECT_EQ(ra.other + rb.other, 0);
  LoadResult both;
  both.Add(ra);
  both.Add(rb);
  EXPECT_NEAR(both.AdmittedPerSecond(), kRate, kRate * 0.05)
      << both.ok << " admitted";
  EXPECT_GT(ra.ok, 0);  // shared, not taken by one subject
  EXPECT_GT(rb.ok, 0);
  // The unlimited route next to it is untouched.
  v1::EchoResponse response;
  EXPECT_TRUE(echo->Unary(WithToken(a).get(), Payload("x"), &response).ok());
  EXPECT_TRUE(WaitForAccessEntry("/meshid.gatewaytest.v1.Echo/Limited",
                                 "route_rate_limited"));
}

TEST_F(GatewayLimitsTest, BurstOfBadTokensBlocksThePeerUntilItsTimeIsUp) {
  constexpr absl::Duration kBlock = absl::Seconds(1);
  const std::string good = Caller("caller", {"echo:call"});
  gateway::v1::GatewayConfig config = env_.BaseConfig();
  auto* anomaly = config.mutable_limits()->mutable_anomaly();
  anomaly->set_failed_validation_burst(3);
  SetDuration(anomaly->mutable_failed_validation_window(), absl::Seconds(10));
  SetDuration(anomaly->mutable_block_duration(), kBlock);
  auto gateway = Gateway(config);
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  v1::EchoResponse response;

  ASSERT_TRUE(echo->Unary(WithToken(good).get(), Payload("x"), &response).ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(
        echo->Unary(WithToken("bad.token.here").get(), Payload("x"), &response)
            .error_code(),
        grpc::StatusCode::UNAUTHENTICATED);
  }
  const absl::Time blocked_at = absl::Now();
  // Blocked: even a good token is refused, without being validated.
  grpc::Status s = echo->Unary(WithToken(good).get(), Payload("x"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(gateway->WaitForStderr("\"event\":\"gateway.peer_blocked\"",
                                     absl::Seconds(5)));

  // Unblocked once the block is over, not before.
  const absl::Time deadline = blocked_at + kBlock + absl::Seconds(5);
  do {
    absl::SleepFor(absl::Milliseconds(50));  // polling the condition
    s = echo->Unary(WithToken(good).get(), Payload("x"), &response);
  } while (!s.ok() && absl::Now() < deadline);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_GE(absl::Now() - blocked_at, kBlock - absl::Milliseconds(100));

  EXPECT_TRUE(
      WaitForAccessEntry("/meshid.gatewaytest.v1.Echo/Unary", "peer_blocked"));
  EXPECT_TRUE(env_.log().WaitFor(
      [](const std::vector<logging::v1::LogEntry>& entries) {
        for (const auto& e : entries) {
          if (e.kind() == logging::v1::LOG_KIND_AUDIT &&
              absl::StartsWith(e.message(), "peer_blocked")) {
            return e.peer() == "127.0.0.1";
          }
        }
        return false;
      },
      absl::Seconds(10)));
}

TEST_F(GatewayLimitsTest, SubjectRateSpikeIsReportedAndCounted) {
  const std::string token = Caller("spiky", {"echo:call"});
  gateway::v1::GatewayConfig config = env_.BaseConfig();
  auto* anomaly = config.mutable_limits()->mutable_anomaly();
  SetDuration(anomaly->mutable_rate_spike_window(), absl::Seconds(1));
  SetDuration(anomaly->mutable_rate_baseline_window(), absl::Seconds(20));
  anomaly->set_rate_spike_min_calls(30);
  auto gateway = Gateway(config);
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  for (int i = 0; i < 60; ++i) {
    v1::EchoResponse response;
    ASSERT_TRUE(
        echo->Unary(WithToken(token).get(), Payload("x"), &response).ok());
  }
  EXPECT_TRUE(gateway->WaitForStderr("\"event\":\"gateway.rate_spike\"",
                                     absl::Seconds(5)));
  EXPECT_TRUE(env_.log().WaitFor(
      [](const std::vector<logging::v1::LogEntry>& entries) {
        for (const auto& e : entries) {
          if (e.kind() == logging::v1::LOG_KIND_AUDIT &&
              absl::StartsWith(e.message(), "rate_spike")) {
            return e.subject() == "spiky";
          }
        }
        return false;
      },
      absl::Seconds(10)));
}

}  // namespace
}  // namespace meshid::gatewaytest
