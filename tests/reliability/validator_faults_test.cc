// The validators under faults, with every process real (MeshProcesses):
//
//   - meshid-identity SIGKILLed: meshid-gateway and meshid-log keep
//     validating with the last key set they received (valid tokens pass,
//     forged ones are refused) for the whole outage, and once identity is
//     back on the same store and ports they resume their key watch by
//     themselves: a key rotated after the restart is picked up, without
//     restarting either validator.
//   - meshid-log SIGKILLed: the gateway keeps proxying, queues its access
//     records up to the configured bound, counts what does not fit, and
//     delivers the queued records once the Log server is back.
#include <signal.h>

#include <iostream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/reliability/mesh_processes.h"

namespace meshid::reliability {
namespace {

namespace lv1 = ::meshid::logging::v1;
namespace ev1 = ::meshid::gatewaytest::v1;

// How long the validators are exercised with identity down. Long enough to
// cover several of the watchers' reconnect attempts (they back off from
// tens of milliseconds upwards) and the Log server's and gateway's
// periodic work; short enough for the test to stay well under a minute.
constexpr absl::Duration kIdentityOutage = absl::Seconds(3);

std::string Forge(const std::string& token) {
  // Same header and claims, another signature of the same length: what an
  // attacker who knows the format but not the key can send.
  std::string forged = token;
  const size_t dot = forged.rfind('.');
  for (size_t i = dot + 1; i < forged.size(); ++i) {
    forged[i] = forged[i] == 'A' ? 'B' : 'A';
  }
  return forged;
}

std::string JwtHeader(const std::string& token) {
  std::string header;
  absl::WebSafeBase64Unescape(token.substr(0, token.find('.')), &header);
  return header;
}

grpc::Status CallEcho(ev1::Echo::Stub& echo, const std::string& token) {
  ev1::EchoRequest request;
  request.set_payload("ping");
  ev1::EchoResponse response;
  return echo.Unary(BearerContext(token).get(), request, &response);
}

grpc::Status AppendOne(lv1::Log::Stub& log, const std::string& token,
                       const std::string& message) {
  lv1::AppendRequest request;
  lv1::LogEntry* entry = request.add_entries();
  entry->set_message(message);
  entry->set_level(lv1::LOG_LEVEL_INFO);
  entry->set_kind(lv1::LOG_KIND_APP);
  lv1::AppendResponse response;
  grpc::Status status = log.Append(BearerContext(token).get(), request,
                                   &response);
  if (status.ok() && response.accepted() != 1) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "entry not accepted");
  }
  return status;
}

// Retries `call` until it returns OK or `timeout` passes; the last status.
// The condition (a key reaching another process over WatchKeys) has no
// signal the test can wait on, so it is polled with a short pause.
template <typename Call>
grpc::Status UntilOk(Call call, absl::Duration timeout = absl::Seconds(20)) {
  const absl::Time deadline = absl::Now() + timeout;
  grpc::Status status = call();
  while (!status.ok() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
    status = call();
  }
  return status;
}

// ACCESS entries of the gateway for the Echo service held by the Log
// server; -1 when the query fails.
int CountAccessEntries(lv1::Log::Stub& log, const std::string& token) {
  int count = 0;
  lv1::QueryRequest request;
  request.mutable_filter()->set_kind(lv1::LOG_KIND_ACCESS);
  request.mutable_filter()->set_method_prefix("/meshid.gatewaytest.v1.Echo/");
  request.set_page_size(500);
  for (;;) {
    lv1::QueryResponse response;
    if (!log.Query(BearerContext(token).get(), request, &response).ok()) {
      return -1;
    }
    count += response.entries_size();
    if (response.next_page_token().empty()) return count;
    request.set_page_token(response.next_page_token());
  }
}

class ValidatorFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto mesh = MeshProcesses::Create();
    ASSERT_TRUE(mesh.ok()) << mesh.status();
    mesh_ = *std::move(mesh);
  }

  std::unique_ptr<MeshProcesses> mesh_;
};

TEST_F(ValidatorFaultsTest, IdentityDownValidatorsKeepLastKeySetThenResume) {
  const absl::Status started = mesh_->StartAll();
  ASSERT_TRUE(started.ok()) << started;
  auto echo = mesh_->GatewayEcho();
  auto log = mesh_->LogStub();
  absl::StatusOr<std::string> gateway_token = mesh_->CallerToken();
  ASSERT_TRUE(gateway_token.ok()) << gateway_token.status();
  absl::StatusOr<std::string> log_token = mesh_->CallerLogToken();
  ASSERT_TRUE(log_token.ok()) << log_token.status();
  // The caller's pair keys were made at CreateClient; the validators have
  // them once these pass.
  ASSERT_TRUE(UntilOk([&] { return CallEcho(*echo, *gateway_token); }).ok());
  ASSERT_TRUE(
      UntilOk([&] { return AppendOne(*log, *log_token, "before"); }).ok());
  const pid_t gateway_pid = mesh_->gateway_process()->pid();
  const pid_t log_pid = mesh_->log_process()->pid();
  size_t gateway_offset = mesh_->gateway_process()->ReadLog().size();
  size_t log_offset = mesh_->log_process()->ReadLog().size();

  mesh_->identity().Kill(SIGKILL);
  // Both watchers see their stream break...
  ASSERT_TRUE(mesh_->gateway_process()->WaitForLogLine(
      "keyset.watch_disconnect", absl::Seconds(10), &gateway_offset))
      << mesh_->gateway_process()->ReadLog();
  ASSERT_TRUE(mesh_->log_process()->WaitForLogLine(
      "keyset.watch_disconnect", absl::Seconds(10), &log_offset))
      << mesh_->log_process()->ReadLog();

  // ...and keep judging tokens with the keys they hold, for the whole
  // outage: valid ones pass, forged ones are refused (the key set is kept,
  // not dropped or opened up).
  const absl::Time outage_end = absl::Now() + kIdentityOutage;
  int rounds = 0;
  while (absl::Now() < outage_end) {
    ++rounds;
    const grpc::Status valid = CallEcho(*echo, *gateway_token);
    ASSERT_TRUE(valid.ok()) << rounds << ": " << valid.error_message();
    EXPECT_EQ(CallEcho(*echo, Forge(*gateway_token)).error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
    const grpc::Status appended =
        AppendOne(*log, *log_token, absl::StrCat("outage ", rounds));
    ASSERT_TRUE(appended.ok()) << rounds << ": " << appended.error_message();
    EXPECT_EQ(AppendOne(*log, Forge(*log_token), "forged").error_code(),
              grpc::StatusCode::UNAUTHENTICATED);
  }
  EXPECT_GT(rounds, 5);
  std::cout << "identity outage: " << rounds
            << " rounds of valid+forged calls to gateway and Log server in "
            << kIdentityOutage << ", all judged right\n";

  // Identity returns on the same store and ports.
  ASSERT_TRUE(mesh_->identity().Start().ok());
  // Keys rotated after the restart exist only in the new process: the
  // validators can accept tokens signed with them only by resuming their
  // watch.
  absl::StatusOr<std::string> gateway_kid =
      mesh_->RotatePair(kCallerClient, kGatewayName);
  ASSERT_TRUE(gateway_kid.ok()) << gateway_kid.status();
  absl::StatusOr<std::string> log_kid =
      mesh_->RotatePair(kCallerClient, kLogName);
  ASSERT_TRUE(log_kid.ok()) << log_kid.status();
  absl::StatusOr<std::string> new_gateway_token = mesh_->CallerToken();
  ASSERT_TRUE(new_gateway_token.ok());
  absl::StatusOr<std::string> new_log_token = mesh_->CallerLogToken();
  ASSERT_TRUE(new_log_token.ok());
  ASSERT_TRUE(absl::StrContains(JwtHeader(*new_gateway_token), *gateway_kid));
  ASSERT_TRUE(absl::StrContains(JwtHeader(*new_log_token), *log_kid));

  const grpc::Status gateway_resumed =
      UntilOk([&] { return CallEcho(*echo, *new_gateway_token); });
  EXPECT_TRUE(gateway_resumed.ok()) << gateway_resumed.error_message() << "\n"
                                    << mesh_->gateway_process()->ReadLog();
  const grpc::Status log_resumed =
      UntilOk([&] { return AppendOne(*log, *new_log_token, "after"); });
  EXPECT_TRUE(log_resumed.ok()) << log_resumed.error_message() << "\n"
                                << mesh_->log_process()->ReadLog();
  // The same processes did it: nothing was restarted but identity.
  EXPECT_EQ(mesh_->gateway_process()->pid(), gateway_pid);
  EXPECT_EQ(mesh_->log_process()->pid(), log_pid);
  EXPECT_TRUE(mesh_->gateway_process()->Running());
  EXPECT_TRUE(mesh_->log_process()->Running());
  EXPECT_TRUE(mesh_->gateway_process()->WaitForLogLine(
      "keyset.watch_connect", absl::Seconds(1), &gateway_offset));
  EXPECT_TRUE(mesh_->log_process()->WaitForLogLine(
      "keyset.watch_connect", absl::Seconds(1), &log_offset));
  // Forged tokens of the new keys are refused too.
  EXPECT_EQ(CallEcho(*echo, Forge(*new_gateway_token)).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(ValidatorFaultsTest, LogServerDownGatewayServesQueuesAndCountsDrops) {
  // The gateway holds access records in two bounded places: the lock-free
  // queue of the request path (queue_bound slots) and the shipper's
  // pending list (queue_bound entries), plus one batch in flight. Each
  // batch is retried 3 times with backoff (0.5 s, 1 s, ...) before it is
  // dropped, so a pending list of 10 batches outlives the outage below.
  constexpr int kQueueBound = 100;
  constexpr int kBatchSize = 10;
  constexpr int kOutageCalls = 300;
  gateway::v1::GatewayConfig config = mesh_->BaseGatewayConfig();
  config.mutable_access_log()->set_queue_bound(kQueueBound);
  config.mutable_access_log()->set_batch_size(kBatchSize);
  const absl::Status started = mesh_->StartAll(config);
  ASSERT_TRUE(started.ok()) << started;
  auto echo = mesh_->GatewayEcho();
  auto log = mesh_->LogStub();
  absl::StatusOr<std::string> token = mesh_->CallerToken();
  ASSERT_TRUE(token.ok());
  absl::StatusOr<std::string> reader = mesh_->CallerLogToken();
  ASSERT_TRUE(reader.ok());

  // Before the outage: calls until three succeeded (every call, allowed
  // or denied, is one access record), all of them shipped.
  int before = 0;
  for (int ok = 0; ok < 3;) {
    ASSERT_LT(before, 1000) << "the gateway does not accept the caller";
    ++before;
    if (CallEcho(*echo, *token).ok()) {
      ++ok;
    } else {
      absl::SleepFor(absl::Milliseconds(20));  // the key still on its way
    }
  }
  ASSERT_TRUE(UntilOk([&] {
                return CountAccessEntries(*log, *reader) == before
                           ? grpc::Status::OK
                           : grpc::Status(grpc::StatusCode::UNAVAILABLE, "");
              }).ok());
  EXPECT_EQ(MetricValue(mesh_->GatewayMetrics(),
                        "meshid_gateway_access_log_dropped_total"),
            0);

  mesh_->KillLog(SIGKILL);
  // The gateway keeps proxying: every call succeeds.
  for (int i = 0; i < kOutageCalls; ++i) {
    const grpc::Status status = CallEcho(*echo, *token);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
  }
  EXPECT_TRUE(mesh_->gateway_process()->WaitForLogLine(
      "gateway.access_log_retry", absl::Seconds(10)));

  // What did not fit was dropped and counted: at most queue + pending +
  // one batch can be held, the rest must show as drops.
  const std::string during = mesh_->GatewayMetrics();
  const double dropped_during =
      MetricValue(during, "meshid_gateway_access_log_dropped_total");
  EXPECT_GE(dropped_during, kOutageCalls - 2 * kQueueBound - kBatchSize)
      << during;
  std::cout << "Log server outage: " << kOutageCalls
            << " calls proxied (all OK), queue_bound=" << kQueueBound
            << " batch=" << kBatchSize << ", dropped while down="
            << dropped_during << "\n";

  // The Log server returns (same port, same store): what was kept arrives,
  // exactly once, and every record is accounted for as shipped or dropped.
  ASSERT_TRUE(mesh_->StartLog().ok());
  const int total = before + kOutageCalls;
  double shipped = 0;
  double dropped = 0;
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    const std::string page = mesh_->GatewayMetrics();
    shipped = MetricValue(page, "meshid_gateway_access_log_shipped_total");
    dropped = MetricValue(page, "meshid_gateway_access_log_dropped_total");
    if (shipped + dropped >= total) break;
    // The shipper reconnects on its own backoff; poll its counters.
    absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_EQ(shipped + dropped, total);
  EXPECT_GT(shipped, before) << "nothing queued during the outage arrived";
  EXPECT_EQ(CountAccessEntries(*log, *reader), shipped);
  std::cout << "after the Log server returned: shipped=" << shipped
            << " (" << before << " before the outage) dropped=" << dropped
            << " total=" << total << "\n";
}

}  // namespace
}  // namespace meshid::reliability
