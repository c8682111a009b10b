// The notes' flow with real processes: careergpt-backend gets a token for
// logging-service from meshid-identity and appends entries to meshid-log;
// a reader queries them (gRPC and meshctl) and tails new ones; identity's
// own audit events arrive through its shipper; SIGTERM drains the Log
// server. On SQLite and on PostgreSQL.
#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/common/server/test_http_client.h"
#include "tests/logging/log_process_fixture.h"

namespace meshid::logging::testing {
namespace {

namespace ka = ::meshid::keyadmin::v1;

// Opens a Tail and waits until the server has subscribed it (its initial
// metadata), so every entry committed afterwards reaches it.
class OpenTail {
 public:
  OpenTail(v1::Log::Stub& stub, const std::string& token,
           const v1::LogFilter& filter) {
    context_.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    context_.set_deadline(std::chrono::system_clock::now() +
                          std::chrono::seconds(30));
    v1::TailRequest request;
    *request.mutable_filter() = filter;
    reader_ = stub.Tail(&context_, request);
    reader_->WaitForInitialMetadata();
  }
  bool Read(v1::LogEntry* entry) { return reader_->Read(entry); }
  grpc::Status Finish() { return reader_->Finish(); }
  void Cancel() { context_.TryCancel(); }

 private:
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<v1::LogEntry>> reader_;
};

class LogFlowTest : public LogProcessTest {};

TEST_P(LogFlowTest, CareerGptBackendAppendsAReaderQueriesAndTails) {
  const std::string writer = WriterToken();
  const std::string reader = ReaderToken();
  v1::LogFilter mine;
  mine.set_service("careergpt-backend");
  OpenTail tail(*log_stub_, reader, mine);

  v1::AppendRequest append;
  *append.add_entries() = Entry("resume generated");
  v1::LogEntry access =
      Entry("call served", v1::LOG_LEVEL_WARNING, v1::LOG_KIND_ACCESS);
  access.set_method("/careergpt.v1.Resume/Generate");
  access.set_status_code(14);
  access.mutable_latency()->set_nanos(2500000);
  access.set_service("someone-else");  // the server sets the caller's sub
  (*access.mutable_attributes())["route"] = "resume";
  *append.add_entries() = access;
  v1::LogEntry timed = Entry("with a time");
  timed.mutable_time()->set_seconds(1700000000);
  *append.add_entries() = timed;
  *append.add_entries() = Entry("no level", v1::LOG_LEVEL_UNSPECIFIED);
  v1::AppendResponse appended;
  const grpc::Status status = AppendOnceKeysArrived(writer, append, &appended);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(appended.accepted(), 3);
  EXPECT_EQ(appended.rejected(), 1);

  // Query: newest first, the server's service, every field back.
  v1::QueryRequest query;
  *query.mutable_filter() = mine;
  v1::QueryResponse page;
  ASSERT_TRUE(Query(reader, query, &page).ok());
  ASSERT_EQ(page.entries_size(), 3);
  EXPECT_TRUE(page.next_page_token().empty());
  EXPECT_EQ(page.entries(2).message(), "with a time");  // oldest time
  for (const v1::LogEntry& e : page.entries()) {
    EXPECT_EQ(e.service(), "careergpt-backend");
    EXPECT_FALSE(e.id().empty());
  }
  v1::QueryRequest warnings = query;
  warnings.mutable_filter()->set_level(v1::LOG_LEVEL_WARNING);
  warnings.mutable_filter()->set_method_prefix("/careergpt.v1.Resume/");
  ASSERT_TRUE(Query(reader, warnings, &page).ok());
  ASSERT_EQ(page.entries_size(), 1);
  EXPECT_EQ(page.entries(0).status_code(), 14);
  EXPECT_EQ(page.entries(0).latency().nanos(), 2500000);
  EXPECT_EQ(page.entries(0).attributes().at("route"), "resume");

  // Paging.
  query.set_page_size(2);
  ASSERT_TRUE(Query(reader, query, &page).ok());
  ASSERT_EQ(page.entries_size(), 2);
  ASSERT_FALSE(page.next_page_token().empty());
  query.set_page_token(page.next_page_token());
  ASSERT_TRUE(Query(reader, query, &page).ok());
  EXPECT_EQ(page.entries_size(), 1);
  EXPECT_TRUE(page.next_page_token().empty());

  // The tail saw the three, in arrival order.
  std::vector<std::string> tailed;
  v1::LogEntry entry;
  while (tailed.size() < 3 && tail.Read(&entry)) {
    tailed.push_back(entry.message());
    EXPECT_EQ(entry.service(), "careergpt-backend");
  }
  EXPECT_EQ(tailed, (std::vector<std::string>{"resume generated", "call served",
                                              "with a time"}));
  tail.Cancel();
  tail.Finish();

  // meshctl as an operator would run it.
  MeshctlRun run = Meshctl({"logs", "query", "--service", "careergpt-backend",
                            "--level", "warning", "--json"},
                           reader);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(std::count(run.output.begin(), run.output.end(), '\n'), 1)
      << run.output;
  EXPECT_TRUE(absl::StrContains(run.output, "\"message\":\"call served\""))
      << run.output;
  EXPECT_FALSE(absl::StrContains(run.output, reader)) << "token never shown";
  run = Meshctl({"logs", "query", "--service", "careergpt-backend"}, writer);
  EXPECT_EQ(run.exit_code, 1) << run.output;
  EXPECT_TRUE(absl::StrContains(run.output, "PERMISSION_DENIED")) << run.output;

  // /metrics counts what happened.
  absl::StatusOr<server::TestHttpResponse> metrics =
      server::HttpGet(log_http_port_, "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  // (identity's audit events are accepted entries too.)
  EXPECT_TRUE(absl::StrContains(
      metrics->body, "meshid_log_entries_total{result=\"accepted\"}"))
      << metrics->body;
  EXPECT_TRUE(absl::StrContains(
      metrics->body, "meshid_log_entries_total{result=\"rejected\"} 1"));
}

TEST_P(LogFlowTest, KeyAdminAuditEventsReachTheLogServer) {
  // An admin change after the Log server is up...
  ka::CreateClientRequest create;
  create.set_client_id("audited-client");
  create.mutable_policy()->add_allowed_audiences("some-api");
  ka::CreateClientResponse created;
  ASSERT_TRUE(
      keyadmin_stub_->CreateClient(With(AdminToken()).get(), create, &created)
          .ok());
  // ...and those made before it (bootstrap, the fixture's clients) all end
  // up in its Query, shipped by identity as its audit client.
  v1::QueryRequest query;
  query.mutable_filter()->set_kind(v1::LOG_KIND_AUDIT);
  query.mutable_filter()->set_service(kAuditClient);
  query.mutable_filter()->set_text_contains("client.create");
  query.set_page_size(100);
  const std::string reader = ReaderToken();
  bool found = false;
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  v1::QueryResponse page;
  while (!found && absl::Now() < deadline) {
    ASSERT_TRUE(Query(reader, query, &page).ok());
    for (const v1::LogEntry& e : page.entries()) {
      auto target = e.attributes().find("target");
      if (target != e.attributes().end() &&
          target->second == "audited-client") {
        found = true;
        EXPECT_EQ(e.subject(), "meshid-admin");
        EXPECT_EQ(e.level(), v1::LOG_LEVEL_INFO);
        EXPECT_FALSE(e.attributes().at("audit_id").empty());
      }
    }
    if (!found) absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(found) << identity_->ReadLog();
  std::set<std::string> targets;
  for (const v1::LogEntry& e : page.entries()) {
    targets.insert(e.attributes().at("target"));
  }
  for (const char* made_earlier :
       {"meshid-admin", "logging-service", "careergpt-backend"}) {
    EXPECT_TRUE(targets.count(made_earlier)) << made_earlier;
  }
}

TEST_P(LogFlowTest, SigtermEndsTailsWithUnavailableAndExitsCleanly) {
  const std::string reader = ReaderToken();
  auto tail = std::make_unique<OpenTail>(*log_stub_, reader, v1::LogFilter());
  log_->Signal(SIGTERM);
  v1::LogEntry entry;
  while (tail->Read(&entry)) {
  }
  const grpc::Status ended = tail->Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::UNAVAILABLE)
      << ended.error_message();
  // The server's graceful GOAWAY waits for each client to answer a ping; a
  // sync client with no call in flight answers only on gRPC's 5 s backup
  // poll, so this client hangs up instead (a real one would be polling).
  tail.reset();
  log_stub_.reset();
  EXPECT_EQ(log_->WaitForExit(absl::Seconds(20)), 0);
  EXPECT_TRUE(absl::StrContains(log_->ReadLog(), "log.stopped"));
}

// A tail whose buffer holds one entry: one Append of ten overflows it.
class LogTailOverflowTest : public LogProcessTest {
 protected:
  std::vector<std::string> ExtraLogFlags() const override {
    return {"--tail_buffer=1"};
  }
};

TEST_P(LogTailOverflowTest, AFallingBehindTailEndsAndIngestionGoesOn) {
  const std::string writer = WriterToken();
  const std::string reader = ReaderToken();
  v1::AppendRequest warm;
  *warm.add_entries() = Entry("keys arrived");
  v1::AppendResponse appended;
  ASSERT_TRUE(AppendOnceKeysArrived(writer, warm, &appended).ok());

  OpenTail tail(*log_stub_, reader, v1::LogFilter());
  v1::AppendRequest ten;
  for (int i = 0; i < 10; ++i) *ten.add_entries() = Entry("burst");
  ASSERT_TRUE(Append(writer, ten, &appended).ok());
  v1::LogEntry entry;
  int received = 0;
  while (tail.Read(&entry)) ++received;
  const grpc::Status ended = tail.Finish();
  EXPECT_EQ(ended.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << ended.error_message();
  EXPECT_TRUE(absl::StrContains(ended.error_message(), "Query"))
      << ended.error_message();
  EXPECT_LE(received, 1);
  // Nothing was held back or lost on the way in.
  ASSERT_TRUE(Append(writer, ten, &appended).ok());
  v1::QueryRequest query;
  query.mutable_filter()->set_text_contains("burst");
  v1::QueryResponse page;
  ASSERT_TRUE(Query(reader, query, &page).ok());
  EXPECT_EQ(page.entries_size(), 20);
}

INSTANTIATE_TEST_SUITE_P(Backends, LogTailOverflowTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

INSTANTIATE_TEST_SUITE_P(Backends, LogFlowTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace meshid::logging::testing
