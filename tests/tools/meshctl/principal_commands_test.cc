// meshctl principals ...: filters, events, role grants, errors.
#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ka::Principal SampleUser() {
  ka::Principal p;
  p.set_id("user:42");
  p.set_kind(idv1::PRINCIPAL_KIND_USER);
  p.set_state(idv1::PRINCIPAL_STATE_SUBSCRIBER);
  p.set_username("ada");
  p.add_roles("user");
  p.add_roles("subscriber");
  p.add_roles("beta");
  p.add_granted_roles("beta");
  *p.mutable_created_at() = Ts(1714564800);
  return p;
}

class PrincipalCommandsTest : public MeshctlTest {};

TEST_F(PrincipalCommandsTest, ListFiltersAndFollowsPages) {
  std::vector<ka::ListPrincipalsRequest> seen;
  EXPECT_CALL(keyadmin_, ListPrincipals(_, _, _))
      .Times(2)
      .WillRepeatedly(::testing::Invoke(
          [&](grpc::ServerContext*, const ka::ListPrincipalsRequest* request,
              ka::ListPrincipalsResponse* response) {
            seen.push_back(*request);
            *response->add_principals() = SampleUser();
            if (seen.size() == 1) response->set_next_page_token("next");
            return grpc::Status::OK;
          }));

  RunResult r =
      Run({"principals", "list", "--kind", "user", "--state", "subscriber"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].kind(), idv1::PRINCIPAL_KIND_USER);
  EXPECT_EQ(seen[0].state(), idv1::PRINCIPAL_STATE_SUBSCRIBER);
  EXPECT_EQ(seen[1].kind(), idv1::PRINCIPAL_KIND_USER);  // same query
  EXPECT_EQ(seen[1].page_token(), "next");
  EXPECT_EQ(r.out,
            "ID       KIND  STATE       USERNAME  ROLES                 "
            "CREATED\n"
            "user:42  USER  SUBSCRIBER  ada       user,subscriber,beta  "
            "2024-05-01T12:00:00Z\n"
            "user:42  USER  SUBSCRIBER  ada       user,subscriber,beta  "
            "2024-05-01T12:00:00Z\n");
}

TEST_F(PrincipalCommandsTest, ListRejectsUnknownKindOrState) {
  RunResult r = Run({"principals", "list", "--kind", "robot"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--kind must be one of service|user"));
  EXPECT_EQ(Run({"principals", "list", "--state", "unspecified"}).exit_code, 2);
}

TEST_F(PrincipalCommandsTest, GetPrintsFields) {
  ka::GetPrincipalRequest seen;
  EXPECT_CALL(keyadmin_, GetPrincipal(_, _, _))
      .WillOnce(Reply(&seen, SampleUser()));
  RunResult r = Run({"principals", "get", "--id", "user:42"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.principal_id(), "user:42");
  EXPECT_THAT(r.out, HasSubstr("granted_roles:   beta\n"));
  EXPECT_THAT(r.out, HasSubstr("suspended_from:  -\n"));
}

TEST_F(PrincipalCommandsTest, TransitionSendsEventAndReason) {
  ka::TransitionPrincipalRequest seen;
  ka::Principal suspended = SampleUser();
  suspended.set_state(idv1::PRINCIPAL_STATE_SUSPENDED);
  suspended.set_suspended_from(idv1::PRINCIPAL_STATE_SUBSCRIBER);
  EXPECT_CALL(keyadmin_, TransitionPrincipal(_, _, _))
      .WillOnce(Reply(&seen, suspended));

  RunResult r = Run({"principals", "transition", "--id", "user:42", "--event",
                     "suspend", "--reason", "chargeback"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.principal_id(), "user:42");
  EXPECT_EQ(seen.event(), ka::PRINCIPAL_EVENT_SUSPEND);
  EXPECT_EQ(seen.reason(), "chargeback");
  EXPECT_THAT(r.out, HasSubstr("state:           SUSPENDED\n"));
  EXPECT_THAT(r.out, HasSubstr("suspended_from:  SUBSCRIBER\n"));
}

TEST_F(PrincipalCommandsTest, IllegalTransitionIsFailedPrecondition) {
  EXPECT_CALL(keyadmin_, TransitionPrincipal(_, _, _))
      .WillOnce(Fail(grpc::StatusCode::FAILED_PRECONDITION,
                     "event subscribe is not allowed in state ACTIVE"));
  RunResult r = Run(
      {"principals", "transition", "--id", "svc-a", "--event", "subscribe"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "meshctl: principals transition: FAILED_PRECONDITION: event "
            "subscribe is not allowed in state ACTIVE\n");
}

TEST_F(PrincipalCommandsTest, TransitionNeedsAKnownEvent) {
  RunResult r = Run({"principals", "transition", "--id", "u"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing required flag --event"));
  r = Run({"principals", "transition", "--id", "u", "--event", "promote"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("register|subscribe|unsubscribe|suspend|"
                               "reinstate|delete"));
}

TEST_F(PrincipalCommandsTest, RolesReplaceTheGrantsOrClearThem) {
  ka::UpdatePrincipalRolesRequest seen;
  EXPECT_CALL(keyadmin_, UpdatePrincipalRoles(_, _, _))
      .Times(2)
      .WillRepeatedly(Reply(&seen, SampleUser()));

  ASSERT_EQ(Run({"principals", "roles", "--id", "user:42", "--role", "beta",
                 "--role", "ops"})
                .exit_code,
            0);
  EXPECT_EQ(seen.principal_id(), "user:42");
  EXPECT_THAT(seen.granted_roles(), ElementsAre("beta", "ops"));

  ASSERT_EQ(
      Run({"principals", "roles", "--id", "user:42", "--clear"}).exit_code, 0);
  EXPECT_EQ(seen.granted_roles_size(), 0);
}

TEST_F(PrincipalCommandsTest, RolesNeedRolesOrClearButNotBoth) {
  RunResult r = Run({"principals", "roles", "--id", "user:42"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("meshctl: principals roles: give the "
                                "complete set"));
  EXPECT_EQ(Run({"principals", "roles", "--id", "u", "--role", "a", "--clear"})
                .exit_code,
            2);
}

}  // namespace
}  // namespace meshid::meshctl::testing
