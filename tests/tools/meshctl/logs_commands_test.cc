// meshctl logs query / tail: every filter flag goes into the request, the
// Log server's address and the token travel as they should, paging follows
// tokens (--all, --limit) or hands the next one over, tail streams until
// --limit, bad flags are usage errors.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::Not;

lg::LogEntry SampleEntry(const std::string& id, const std::string& message) {
  lg::LogEntry entry;
  entry.set_id(id);
  *entry.mutable_time() = Ts(1714564800);
  entry.set_service("careergpt-backend");
  entry.set_level(lg::LOG_LEVEL_WARNING);
  entry.set_kind(lg::LOG_KIND_ACCESS);
  entry.set_subject("user-1");
  entry.set_method("/careergpt.v1.Resume/Get");
  entry.set_status_code(14);
  entry.set_message(message);
  (*entry.mutable_attributes())["route"] = "resume";
  return entry;
}

class LogsCommandsTest : public MeshctlTest {};

TEST_F(LogsCommandsTest, QueryPutsEveryFilterIntoTheRequest) {
  lg::QueryRequest seen;
  std::string authorization;
  lg::QueryResponse response;
  *response.add_entries() = SampleEntry("7", "upstream down");
  EXPECT_CALL(log_, Query(_, _, _))
      .WillOnce(Reply(&seen, response, &authorization));
  env_["MESHID_LOG_ADDR"] = "log.mesh:50053";

  RunResult r = Run({"logs",
                     "query",
                     "--since",
                     "2024-05-01T00:00:00Z",
                     "--until",
                     "2024-05-02T00:00:00Z",
                     "--service",
                     "careergpt-backend",
                     "--subject",
                     "user-1",
                     "--level",
                     "warning",
                     "--method-prefix",
                     "/careergpt.v1.Resume/",
                     "--contains",
                     "down",
                     "--kind",
                     "access",
                     "--page-size",
                     "50"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  const lg::LogFilter& f = seen.filter();
  EXPECT_EQ(f.start_time().seconds(), 1714521600);
  EXPECT_EQ(f.end_time().seconds(), 1714608000);
  EXPECT_EQ(f.service(), "careergpt-backend");
  EXPECT_EQ(f.subject(), "user-1");
  EXPECT_EQ(f.level(), lg::LOG_LEVEL_WARNING);
  EXPECT_EQ(f.method_prefix(), "/careergpt.v1.Resume/");
  EXPECT_EQ(f.text_contains(), "down");
  EXPECT_EQ(f.kind(), lg::LOG_KIND_ACCESS);
  EXPECT_EQ(seen.page_size(), 50);
  EXPECT_EQ(authorization, absl::StrCat("Bearer ", kAdminToken));
  ASSERT_EQ(transport_->endpoints.size(), 1u);
  EXPECT_EQ(transport_->endpoints[0].address, "log.mesh:50053");
  EXPECT_EQ(
      r.out,
      "TIME                  LEVEL    KIND    SERVICE            SUBJECT  "
      "METHOD                    CODE  MESSAGE        ATTRIBUTES\n"
      "2024-05-01T12:00:00Z  WARNING  ACCESS  careergpt-backend  user-1   "
      "/careergpt.v1.Resume/Get  14    upstream down  route=resume\n");
}

TEST_F(LogsCommandsTest, SinceTakesADurationAgo) {
  lg::QueryRequest seen;
  EXPECT_CALL(log_, Query(_, _, _)).WillOnce(Reply(&seen, lg::QueryResponse()));
  const absl::Time before = absl::Now();
  RunResult r = Run({"logs", "query", "--since", "15m"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const absl::Time since =
      absl::FromUnixSeconds(seen.filter().start_time().seconds());
  EXPECT_LE(since, before - absl::Minutes(15) + absl::Seconds(1));
  EXPECT_GE(since, before - absl::Minutes(15) - absl::Seconds(60));
  EXPECT_FALSE(seen.filter().has_end_time());
}

TEST_F(LogsCommandsTest, OnePageHandsTheNextTokenOverOnStderr) {
  lg::QueryResponse response;
  *response.add_entries() = SampleEntry("1", "a");
  response.set_next_page_token("NEXT-TOKEN");
  lg::QueryRequest seen;
  EXPECT_CALL(log_, Query(_, _, _)).WillOnce(Reply(&seen, response));
  RunResult r = Run({"logs", "query", "--page-token", "PREVIOUS", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.page_token(), "PREVIOUS");
  EXPECT_EQ(Count(r.out, "\n"), 1);
  EXPECT_THAT(r.out, HasSubstr("\"message\":\"a\""));
  EXPECT_THAT(r.out, Not(HasSubstr("NEXT-TOKEN")));
  EXPECT_THAT(r.err, HasSubstr("--page-token NEXT-TOKEN"));
}

TEST_F(LogsCommandsTest, AllFollowsEveryPageWithTheSameFilter) {
  int calls = 0;
  std::vector<std::string> tokens;
  EXPECT_CALL(log_, Query(_, _, _))
      .Times(3)
      .WillRepeatedly(::testing::Invoke([&](grpc::ServerContext*,
                                            const lg::QueryRequest* request,
                                            lg::QueryResponse* response) {
        ++calls;
        tokens.push_back(request->page_token());
        EXPECT_EQ(request->filter().service(), "svc");
        *response->add_entries() =
            SampleEntry(std::to_string(calls), "m" + std::to_string(calls));
        if (calls < 3)
          response->set_next_page_token("t" + std::to_string(calls));
        return grpc::Status::OK;
      }));
  RunResult r = Run({"logs", "query", "--service", "svc", "--all", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(tokens, (std::vector<std::string>{"", "t1", "t2"}));
  EXPECT_EQ(Count(r.out, "\n"), 3);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_F(LogsCommandsTest, LimitStopsPagingOnceEnough) {
  EXPECT_CALL(log_, Query(_, _, _))
      .Times(2)
      .WillRepeatedly(::testing::Invoke([](grpc::ServerContext*,
                                           const lg::QueryRequest* request,
                                           lg::QueryResponse* response) {
        EXPECT_EQ(request->page_size(), 3);
        for (int i = 0; i < 2; ++i)
          *response->add_entries() = SampleEntry("x", "m");
        response->set_next_page_token("more");
        return grpc::Status::OK;
      }));
  RunResult r = Run({"logs", "query", "--limit", "3", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.out, "\n"), 3);
}

TEST_F(LogsCommandsTest, LogAddrFlagAndServerErrors) {
  EXPECT_CALL(log_, Query(_, _, _))
      .WillOnce(Fail(grpc::StatusCode::PERMISSION_DENIED,
                     "this call needs scope 'logs:read'"));
  RunResult r = Run({"logs", "query", "--log-addr", "10.0.0.9:50053"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "meshctl: logs query: PERMISSION_DENIED: this call needs scope "
            "'logs:read'\n");
  ASSERT_EQ(transport_->endpoints.size(), 1u);
  EXPECT_EQ(transport_->endpoints[0].address, "10.0.0.9:50053");
}

TEST_F(LogsCommandsTest, BadFlagsAreUsageErrors) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"logs", "query", "--level", "loud"},
           {"logs", "query", "--kind", "metrics"},
           {"logs", "query", "--since", "yesterday"},
           {"logs", "query", "--since", "2024-05-02T00:00:00Z", "--until",
            "2024-05-01T00:00:00Z"},
           {"logs", "query", "--page-size", "0"},
           {"logs", "query", "--page-size", "1001"},
           {"logs", "query", "--all", "--limit", "5"},
           {"logs", "query", "--addr", "a:1", "--log-addr", "b:2"},
           {"logs", "tail", "--since", "15m"},
           {"logs", "tail", "--limit", "0"}}) {
    RunResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << absl::StrJoin(args, " ") << "\n" << r.err;
  }
  env_.erase("MESHID_TOKEN");
  RunResult r = Run({"logs", "query"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("aud=logging-service"));
}

TEST_F(LogsCommandsTest, TailStreamsUntilTheLimit) {
  lg::TailRequest seen;
  EXPECT_CALL(log_, Tail(_, _, _))
      .WillOnce(::testing::Invoke(
          [&](grpc::ServerContext* context, const lg::TailRequest* request,
              grpc::ServerWriter<lg::LogEntry>* writer) {
            seen = *request;
            EXPECT_EQ(Authorization(context),
                      absl::StrCat("Bearer ", kAdminToken));
            for (int i = 0; i < 5; ++i) {
              if (!writer->Write(SampleEntry(std::to_string(i),
                                             "line " + std::to_string(i)))) {
                break;
              }
            }
            return grpc::Status::OK;
          }));
  RunResult r =
      Run({"logs", "tail", "--service", "careergpt-backend", "--level", "error",
           "--kind", "audit", "--limit", "2", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.filter().service(), "careergpt-backend");
  EXPECT_EQ(seen.filter().level(), lg::LOG_LEVEL_ERROR);
  EXPECT_EQ(seen.filter().kind(), lg::LOG_KIND_AUDIT);
  EXPECT_FALSE(seen.filter().has_start_time());
  EXPECT_EQ(Count(r.out, "\n"), 2);
  EXPECT_THAT(r.out, HasSubstr("line 1"));
  EXPECT_THAT(r.out, Not(HasSubstr("line 2")));
}

TEST_F(LogsCommandsTest, TailReportsHowTheServerEndedIt) {
  EXPECT_CALL(log_, Tail(_, _, _))
      .WillOnce(
          ::testing::Invoke([](grpc::ServerContext*, const lg::TailRequest*,
                               grpc::ServerWriter<lg::LogEntry>* writer) {
            writer->Write(SampleEntry("1", "only one"));
            return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "this tail fell behind");
          }));
  RunResult r = Run({"logs", "tail"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.out, HasSubstr("only one"));
  EXPECT_THAT(r.err, HasSubstr("RESOURCE_EXHAUSTED: this tail fell behind"));
}

}  // namespace
}  // namespace meshid::meshctl::testing
