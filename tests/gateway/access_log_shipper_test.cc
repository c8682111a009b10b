// The access-log shipper: stderr lines, batches by size and by time,
// retries and drops, and the LogEntry it ships; driven by Poll with a
// FakeClock and a fake sender.
#include "gateway/access_log_shipper.h"

#include <deque>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/json/json_reader.h"
#include "common/server/json_log.h"
#include "common/testing/fake_clock.h"
#include "gateway/access_log_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

namespace logv1 = ::meshid::logging::v1;

// Records batches; each is completed when the test says so.
class FakeSender final : public LogBatchSender {
 public:
  void Send(std::shared_ptr<const logv1::AppendRequest> batch,
            std::function<void(absl::Status)> done) override {
    batches.push_back(*batch);
    pending.push_back(std::move(done));
  }
  void CompleteNext(absl::Status status) {
    auto done = std::move(pending.front());
    pending.pop_front();
    done(std::move(status));
  }
  std::vector<logv1::AppendRequest> batches;
  std::deque<std::function<void(absl::Status)>> pending;
};

struct Counts {
  uint64_t shipped = 0;
  uint64_t dropped = 0;
};

class ShipperTest : public ::testing::Test {
 protected:
  AccessLogShipperOptions Options() {
    AccessLogShipperOptions o;
    o.ship = true;
    o.batch_size = 3;
    o.flush_interval = absl::Seconds(1);
    o.max_pending = 10;
    o.max_attempts = 2;
    o.retry_backoff = {absl::Seconds(1), absl::Seconds(1), 1.0, 0.0};
    return o;
  }
  std::unique_ptr<AccessLogShipper> Make(AccessLogShipperOptions o) {
    AccessLogShipperMetrics m;
    m.on_shipped = [this](uint64_t n) { counts.shipped += n; };
    m.on_dropped_unshipped = [this](uint64_t n) { counts.dropped += n; };
    return std::make_unique<AccessLogShipper>(
        &queue, &sender,
        [this](absl::string_view chunk) { chunks.emplace_back(chunk); }, o,
        &clock, m);
  }
  void Push(int code, absl::string_view reason = "") {
    ASSERT_TRUE(queue.TryPush([&](AccessRecord& r) {
      r.kind = RecordKind::kAccess;
      r.time = clock.Now();
      r.latency_ns = 1234567;
      r.status_code = code;
      r.method = "/careergpt.v1.Resume/Get";
      r.peer = "ipv4:10.0.0.7:5123";
      r.subject = "alice";
      r.client_id = "web";
      r.route = "/careergpt.v1.Resume/";
      r.upstream = "resume";
      r.reason = reason;
    }));
  }
  std::string AllLines() const {
    std::string all;
    for (const std::string& c : chunks) all += c;
    return all;
  }
  int LineCount() const {
    const std::string all = AllLines();
    return static_cast<int>(std::count(all.begin(), all.end(), '\n'));
  }

  FakeClock clock;
  AccessLogQueue queue{100};
  FakeSender sender;
  std::vector<std::string> chunks;
  Counts counts;
};

TEST_F(ShipperTest, EveryRecordBecomesOneJsonLine) {
  auto shipper = Make(Options());
  Push(0);
  Push(7, "missing_scope");
  shipper->Poll(clock.Now());
  const std::vector<std::string> lines =
      absl::StrSplit(AllLines(), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_THAT(lines[0], ::testing::HasSubstr("\"event\":\"access\""));
  EXPECT_THAT(lines[0], ::testing::HasSubstr("\"code\":0"));
  EXPECT_THAT(lines[0], ::testing::HasSubstr("\"latency_us\":1234"));
  EXPECT_THAT(lines[0], ::testing::HasSubstr("\"subject\":\"alice\""));
  EXPECT_THAT(lines[0], ::testing::HasSubstr("\"level\":\"info\""));
  EXPECT_THAT(lines[1], ::testing::HasSubstr("\"reason\":\"missing_scope\""));
  EXPECT_THAT(lines[1], ::testing::HasSubstr("\"level\":\"warning\""));
}

TEST_F(ShipperTest, FullBatchesGoAtOncePartialOnesAfterTheFlushInterval) {
  auto shipper = Make(Options());
  for (int i = 0; i < 4; ++i) Push(0);
  shipper->Poll(clock.Now());
  ASSERT_EQ(sender.batches.size(), 1u);
  EXPECT_EQ(sender.batches[0].entries_size(), 3);
  sender.CompleteNext(absl::OkStatus());
  shipper->Poll(clock.Now());
  EXPECT_EQ(counts.shipped, 3u);
  EXPECT_EQ(sender.batches.size(), 1u);  // one left, not due yet
  clock.Advance(absl::Milliseconds(999));
  shipper->Poll(clock.Now());
  EXPECT_EQ(sender.batches.size(), 1u);
  clock.Advance(absl::Milliseconds(1));
  shipper->Poll(clock.Now());
  ASSERT_EQ(sender.batches.size(), 2u);
  EXPECT_EQ(sender.batches[1].entries_size(), 1);
}

TEST_F(ShipperTest, OneAppendInFlightAtATime) {
  auto shipper = Make(Options());
  for (int i = 0; i < 9; ++i) Push(0);
  shipper->Poll(clock.Now());
  shipper->Poll(clock.Now());
  EXPECT_EQ(sender.batches.size(), 1u);
  sender.CompleteNext(absl::OkStatus());
  shipper->Poll(clock.Now());
  EXPECT_EQ(sender.batches.size(), 2u);
}

TEST_F(ShipperTest, RetryableFailureIsRetriedThenDroppedAndCounted) {
  auto shipper = Make(Options());
  for (int i = 0; i < 3; ++i) Push(0);
  shipper->Poll(clock.Now());
  sender.CompleteNext(absl::UnavailableError("down"));
  shipper->Poll(clock.Now());
  EXPECT_EQ(sender.batches.size(), 1u);  // waiting for the backoff
  clock.Advance(absl::Seconds(1));
  shipper->Poll(clock.Now());
  ASSERT_EQ(sender.batches.size(), 2u);  // the same batch again
  EXPECT_EQ(sender.batches[1].entries_size(), 3);
  sender.CompleteNext(absl::UnavailableError("down"));
  shipper->Poll(clock.Now());  // max_attempts = 2: dropped
  EXPECT_EQ(counts.dropped, 3u);
  EXPECT_EQ(counts.shipped, 0u);
  EXPECT_FALSE(shipper->append_in_flight());
}

TEST_F(ShipperTest, RetryThatWorksShipsTheBatch) {
  auto shipper = Make(Options());
  for (int i = 0; i < 3; ++i) Push(0);
  shipper->Poll(clock.Now());
  sender.CompleteNext(absl::DeadlineExceededError("slow"));
  shipper->Poll(clock.Now());
  clock.Advance(absl::Seconds(1));
  shipper->Poll(clock.Now());
  sender.CompleteNext(absl::OkStatus());
  shipper->Poll(clock.Now());
  EXPECT_EQ(counts.shipped, 3u);
  EXPECT_EQ(counts.dropped, 0u);
}

TEST_F(ShipperTest, NonRetryableFailureDropsAtOnce) {
  auto shipper = Make(Options());
  for (int i = 0; i < 3; ++i) Push(0);
  shipper->Poll(clock.Now());
  sender.CompleteNext(absl::PermissionDeniedError("no logs:write"));
  shipper->Poll(clock.Now());
  EXPECT_EQ(counts.dropped, 3u);
  EXPECT_EQ(sender.batches.size(), 1u);
}

TEST_F(ShipperTest, PendingEntriesAreBounded) {
  AccessLogShipperOptions o = Options();
  o.batch_size = 100;  // nothing goes out before the flush interval
  o.max_pending = 5;
  auto shipper = Make(o);
  for (int i = 0; i < 8; ++i) Push(0);
  shipper->Poll(clock.Now());
  EXPECT_EQ(shipper->pending_entries(), 5u);
  EXPECT_EQ(counts.dropped, 3u);
  // Every record still got its stderr line.
  EXPECT_EQ(LineCount(), 8);
}

TEST_F(ShipperTest, StderrOnlyWithoutALogServer) {
  AccessLogShipperOptions o = Options();
  o.ship = false;
  AccessLogShipper shipper(
      &queue, nullptr, [this](absl::string_view c) { chunks.emplace_back(c); },
      o, &clock, {});
  Push(0);
  shipper.Poll(clock.Now());
  EXPECT_EQ(LineCount(), 1);
  EXPECT_EQ(shipper.pending_entries(), 0u);
}

TEST_F(ShipperTest, LinesAreWrittenInChunksThatEndAtLineBoundaries) {
  auto shipper = Make(Options());
  for (int i = 0; i < 60; ++i) Push(0);
  shipper->Poll(clock.Now());
  ASSERT_GT(chunks.size(), 1u);
  for (const std::string& c : chunks) {
    EXPECT_LE(c.size(), kMaxLineChunkBytes);
    EXPECT_EQ(c.back(), '\n');
  }
}

TEST_F(ShipperTest, StopFlushesWhatIsLeft) {
  auto shipper = Make(Options());
  Push(0);
  shipper->Start();
  // The Append is never answered: Stop gives up after its timeout and
  // counts the entry as unshipped.
  shipper->Stop(absl::Milliseconds(100));
  ASSERT_EQ(sender.batches.size(), 1u);  // the partial batch went out
  EXPECT_EQ(sender.batches[0].entries_size(), 1);
  EXPECT_EQ(counts.dropped, 1u);
  EXPECT_EQ(LineCount(), 1);
}

TEST(AccessLogFormatTest, LogEntryCarriesTheCallAndTheStableReason) {
  AccessRecord r;
  r.time = absl::FromUnixMillis(1700000000123);
  r.latency_ns = 2'500'000'001;
  r.status_code = 16;
  r.method = "/careergpt.v1.Resume/Get";
  r.peer = "ipv4:10.0.0.7:5123";
  r.reason = "expired";
  r.route = "/careergpt.v1.Resume/";
  r.upstream = "resume";
  logv1::LogEntry e;
  FillLogEntry(r, &e);
  EXPECT_EQ(e.kind(), logv1::LOG_KIND_ACCESS);
  EXPECT_EQ(e.level(), logv1::LOG_LEVEL_WARNING);
  EXPECT_EQ(e.method(), "/careergpt.v1.Resume/Get");
  EXPECT_EQ(e.status_code(), 16);
  EXPECT_EQ(e.latency().seconds(), 2);
  EXPECT_EQ(e.latency().nanos(), 500'000'001);
  EXPECT_EQ(e.time().seconds(), 1700000000);
  EXPECT_EQ(e.time().nanos(), 123'000'000);
  EXPECT_EQ(e.peer(), "ipv4:10.0.0.7:5123");
  EXPECT_EQ(e.message(), "expired");
  EXPECT_EQ(e.attributes().at("route"), "/careergpt.v1.Resume/");
  EXPECT_EQ(e.attributes().at("upstream"), "resume");
  EXPECT_EQ(e.attributes().at("reason"), "expired");
  EXPECT_TRUE(e.subject().empty());

  r.reason = {};
  r.status_code = 0;
  FillLogEntry(r, &e);
  EXPECT_EQ(e.level(), logv1::LOG_LEVEL_INFO);
  EXPECT_EQ(e.message(), "OK");
}

TEST(AccessLogFormatTest, AccessLineIsStrictJsonInTheJsonLogFormat) {
  AccessLineFormatter formatter("meshid-gateway");
  AccessRecord r;
  r.time = absl::FromUnixMillis(1700000000123);
  r.latency_ns = 1234567;
  r.status_code = 7;
  r.method = "/a.B/C";
  r.peer = "ipv4:10.0.0.7:5123";
  r.subject = "al\"ice\\ \xff\n";  // quote, backslash, bad UTF-8, control
  r.client_id = "caf\xc3\xa9";
  r.reason = "missing_scope";
  std::string line;
  formatter.Append(r, &line);
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\n');
  line.pop_back();
  json::JsonDocument doc;
  ASSERT_EQ(doc.Parse(line, json::JsonLimits{}), json::JsonError::kNone)
      << line;
  const auto member = [&](absl::string_view key) {
    const json::JsonNode* node = doc.FindMember(doc.root(), key);
    return node == nullptr ? std::string("<absent>") : std::string(node->text);
  };
  EXPECT_EQ(member("time"), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(member("level"), "warning");
  EXPECT_EQ(member("service"), "meshid-gateway");
  EXPECT_EQ(member("event"), "access");
  EXPECT_EQ(member("method"), "/a.B/C");
  EXPECT_EQ(member("code"), "7");
  EXPECT_EQ(member("code_name"), "PERMISSION_DENIED");
  EXPECT_EQ(member("latency_us"), "1234");
  EXPECT_EQ(member("subject"), "al\"ice\\ ?\n");
  EXPECT_EQ(member("client_id"), "caf\xc3\xa9");
  EXPECT_EQ(member("reason"), "missing_scope");
  // Same time format as every other meshid line.
  const std::string reference =
      server::FormatLogLine(r.time, server::LogLevel::kWarning, "x", {});
  EXPECT_EQ(reference.substr(0, 35), line.substr(0, 35));
}

TEST(AccessLogFormatTest, StringsAreBoundedValidUtf8) {
  EXPECT_EQ(BoundedUtf8("abc", 10), "abc");
  EXPECT_EQ(BoundedUtf8("abcdef", 3), "abc");
  EXPECT_EQ(BoundedUtf8("a\xff"
                        "b",
                        10),
            "a?b");
  EXPECT_EQ(BoundedUtf8("\xc3\xa9\xc3\xa9", 3), "\xc3\xa9");  // no split é
  EXPECT_EQ(BoundedUtf8("\xed\xa0\x80", 10), "???");          // a surrogate
  AccessRecord r;
  r.method = std::string(1000, 'm');
  logv1::LogEntry e;
  FillLogEntry(r, &e);
  EXPECT_EQ(e.method().size(), 256u);
}

}  // namespace
}  // namespace meshid::gateway
