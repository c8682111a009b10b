// meshctl audit list: filters, times, paging with --limit, the table.
#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::_;
using ::testing::HasSubstr;

ka::AuditEvent SampleEvent(const std::string& id) {
  ka::AuditEvent event;
  event.set_id(id);
  *event.mutable_time() = Ts(1714564800);
  event.set_actor("admin");
  event.set_action("key.revoke");
  event.set_target("svc-a");
  event.set_kid("kid-1");
  (*event.mutable_details())["slot"] = "pair:svc-a/api";
  (*event.mutable_details())["reason"] = "leaked";
  event.set_version(9);
  return event;
}

class AuditCommandsTest : public MeshctlTest {};

TEST_F(AuditCommandsTest, FiltersGoIntoTheRequest) {
  ka::ListAuditEventsRequest seen;
  ka::ListAuditEventsResponse response;
  *response.add_events() = SampleEvent("e1");
  EXPECT_CALL(keyadmin_, ListAuditEvents(_, _, _))
      .WillOnce(Reply(&seen, response));

  RunResult r =
      Run({"audit", "list", "--actor", "admin", "--action", "key.revoke",
           "--kid", "kid-1", "--target", "svc-a", "--since",
           "2024-05-01T00:00:00Z", "--until", "2024-05-02T00:00:00Z"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.actor(), "admin");
  EXPECT_EQ(seen.action(), "key.revoke");
  EXPECT_EQ(seen.kid(), "kid-1");
  EXPECT_EQ(seen.target(), "svc-a");
  EXPECT_EQ(seen.since().seconds(), 1714521600);
  EXPECT_EQ(seen.until().seconds(), 1714608000);
  EXPECT_EQ(r.out,
            "TIME                  ACTOR  ACTION      TARGET  KID    VERSION  "
            "DETAILS\n"
            "2024-05-01T12:00:00Z  admin  key.revoke  svc-a   kid-1  9        "
            "reason=leaked slot=pair:svc-a/api\n");
}

TEST_F(AuditCommandsTest, LimitCapsPagingAndJsonIsOneLinePerEvent) {
  int calls = 0;
  EXPECT_CALL(keyadmin_, ListAuditEvents(_, _, _))
      .Times(2)
      .WillRepeatedly(::testing::Invoke(
          [&](grpc::ServerContext*, const ka::ListAuditEventsRequest* request,
              ka::ListAuditEventsResponse* response) {
            ++calls;
            EXPECT_EQ(request->page_size(), 3);
            *response->add_events() = SampleEvent("a" + std::to_string(calls));
            *response->add_events() = SampleEvent("b" + std::to_string(calls));
            response->set_next_page_token("t" + std::to_string(calls));
            return grpc::Status::OK;
          }));

  RunResult r = Run({"audit", "list", "--limit", "3", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.out, "\n"), 3);
  EXPECT_THAT(r.out, HasSubstr("\"id\":\"a2\""));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("\"id\":\"b2\"")));
}

TEST_F(AuditCommandsTest, BadTimesAreUsage) {
  EXPECT_EQ(Run({"audit", "list", "--since", "2024-05-01"}).exit_code, 2);
  RunResult r = Run({"audit", "list", "--since", "2024-05-02T00:00:00Z",
                     "--until", "2024-05-01T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--since must not be after --until"));
}

TEST_F(AuditCommandsTest, PermissionDeniedIsOneLine) {
  EXPECT_CALL(keyadmin_, ListAuditEvents(_, _, _))
      .WillOnce(Fail(grpc::StatusCode::PERMISSION_DENIED,
                     "scope keys:admin required"));
  RunResult r = Run({"audit", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "meshctl: audit list: PERMISSION_DENIED: scope keys:admin "
            "required\n");
}

}  // namespace
}  // namespace meshid::meshctl::testing
