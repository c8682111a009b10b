// Users and services through their lifecycle over gRPC: registration,
// login through the login client, suspension revoking tokens, illegal
// moves refused.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/identity/identity_fixture.h"

namespace meshid::identity {
namespace {

using ::grpc::StatusCode;
namespace ka = ::meshid::keyadmin::v1;

class PrincipalsTest : public IdentityServerTest {
 protected:
  // Lets users log in for `audience` with `scopes`.
  void AllowLogins(const std::string& audience,
                   const std::vector<std::string>& scopes) {
    ka::UpdateClientPolicyRequest update;
    update.set_client_id("meshid-login");
    update.mutable_policy()->add_allowed_audiences(audience);
    auto* entry = update.mutable_policy()->add_audience_scopes();
    entry->set_audience(audience);
    for (const auto& s : scopes) entry->add_scopes(s);
    ka::Client client;
    ASSERT_TRUE(
        keyadmin().UpdateClientPolicy(AsAdmin().get(), update, &client).ok());
  }

  grpc::Status Register(const std::string& user, const std::string& password,
                        v1::RegisterUserResponse* response) {
    v1::RegisterUserRequest request;
    request.set_username(user);
    request.set_password(password);
    grpc::ClientContext context;
    return identity().RegisterUser(&context, request, response);
  }

  grpc::Status Login(const std::string& user, const std::string& password,
                     const std::string& audience, std::string* token) {
    v1::LoginRequest request;
    request.set_username(user);
    request.set_password(password);
    request.set_audience(audience);
    v1::TokenResponse response;
    grpc::ClientContext context;
    grpc::Status status = identity().Login(&context, request, &response);
    *token = response.access_token();
    return status;
  }

  grpc::Status Transition(const std::string& id, ka::PrincipalEvent event,
                          ka::Principal* out) {
    ka::TransitionPrincipalRequest request;
    request.set_principal_id(id);
    request.set_event(event);
    request.set_reason("test");
    return keyadmin().TransitionPrincipal(AsAdmin().get(), request, out);
  }
};

TEST_P(PrincipalsTest, UserRegistersLogsInSubscribesAndIsSuspended) {
  AllowLogins("careergpt-api", {"profile:read"});
  v1::RegisterUserResponse registered;
  ASSERT_TRUE(Register("alice", "correct horse battery", &registered).ok());
  EXPECT_EQ(registered.principal_id(), "user:alice");
  EXPECT_EQ(registered.state(), v1::PRINCIPAL_STATE_REGISTERED);
  EXPECT_EQ(Register("alice", "another password", &registered).error_code(),
            StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(Register("bob", "short", &registered).error_code(),
            StatusCode::INVALID_ARGUMENT);

  std::string token;
  ASSERT_TRUE(
      Login("alice", "correct horse battery", "careergpt-api", &token).ok());
  EXPECT_TRUE(IsActive(token));
  const grpc::Status wrong =
      Login("alice", "wrong password!", "careergpt-api", &token);
  const grpc::Status nobody =
      Login("nobody", "wrong password!", "careergpt-api", &token);
  EXPECT_EQ(wrong.error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(nobody.error_code(), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(wrong.error_message(), nobody.error_message());

  ka::Principal p;
  ASSERT_TRUE(Transition("user:alice", ka::PRINCIPAL_EVENT_SUBSCRIBE, &p).ok());
  EXPECT_EQ(p.state(), v1::PRINCIPAL_STATE_SUBSCRIBER);
  EXPECT_EQ(std::vector<std::string>(p.roles().begin(), p.roles().end()),
            (std::vector<std::string>{"subscriber", "user"}));
  std::string subscriber_token;
  ASSERT_TRUE(Login("alice", "correct horse battery", "careergpt-api",
                    &subscriber_token)
                  .ok());
  v1::IntrospectTokenRequest introspect;
  introspect.set_token(subscriber_token);
  v1::IntrospectTokenResponse seen;
  ASSERT_TRUE(
      identity()
          .IntrospectToken(WithToken(AdminToken("meshid-identity")).get(),
                           introspect, &seen)
          .ok());
  EXPECT_EQ(seen.principal_state(), v1::PRINCIPAL_STATE_SUBSCRIBER);
  EXPECT_EQ(seen.username(), "alice");

  // Suspension revokes outstanding tokens and blocks logins.
  ASSERT_TRUE(Transition("user:alice", ka::PRINCIPAL_EVENT_SUSPEND, &p).ok());
  EXPECT_FALSE(IsActive(subscriber_token));
  EXPECT_EQ(Login("alice", "correct horse battery", "careergpt-api", &token)
                .error_code(),
            StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Transition("user:alice", ka::PRINCIPAL_EVENT_SUBSCRIBE, &p).error_code(),
      StatusCode::FAILED_PRECONDITION);
  ASSERT_TRUE(Transition("user:alice", ka::PRINCIPAL_EVENT_REINSTATE, &p).ok());
  EXPECT_EQ(p.state(), v1::PRINCIPAL_STATE_SUBSCRIBER);  // the state it left

  ASSERT_TRUE(Transition("user:alice", ka::PRINCIPAL_EVENT_DELETE, &p).ok());
  EXPECT_EQ(
      Transition("user:alice", ka::PRINCIPAL_EVENT_REINSTATE, &p).error_code(),
      StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(
      Transition("user:nobody", ka::PRINCIPAL_EVENT_SUSPEND, &p).error_code(),
      StatusCode::NOT_FOUND);
  ka::TransitionPrincipalRequest no_event;
  no_event.set_principal_id("user:alice");
  EXPECT_EQ(keyadmin()
                .TransitionPrincipal(AsAdmin().get(), no_event, &p)
                .error_code(),
            StatusCode::INVALID_ARGUMENT);
}

TEST_P(PrincipalsTest, SuspendedClientCannotIssueAndItsTokensFail) {
  const std::string secret = CreateClient("svc-s", {{"aud-1", {}}});
  absl::StatusOr<std::string> token = Issue("svc-s", secret, "aud-1");
  ASSERT_TRUE(token.ok());
  ka::Principal p;
  ASSERT_TRUE(Transition("svc-s", ka::PRINCIPAL_EVENT_SUSPEND, &p).ok());
  EXPECT_FALSE(IsActive(*token));
  EXPECT_EQ(Issue("svc-s", secret, "aud-1").status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(Transition("svc-s", ka::PRINCIPAL_EVENT_SUBSCRIBE, &p).error_code(),
            StatusCode::FAILED_PRECONDITION);  // services have no subscription
  ASSERT_TRUE(Transition("svc-s", ka::PRINCIPAL_EVENT_REINSTATE, &p).ok());
  EXPECT_EQ(p.state(), v1::PRINCIPAL_STATE_ACTIVE);
}

TEST_P(PrincipalsTest, ListsFiltersAndGrantsRoles) {
  v1::RegisterUserResponse r;
  ASSERT_TRUE(Register("carol", "correct horse battery", &r).ok());
  CreateClient("svc-list", {});
  ka::ListPrincipalsRequest list;
  list.set_kind(v1::PRINCIPAL_KIND_USER);
  ka::ListPrincipalsResponse users;
  ASSERT_TRUE(keyadmin().ListPrincipals(AsAdmin().get(), list, &users).ok());
  ASSERT_EQ(users.principals_size(), 1);
  EXPECT_EQ(users.principals(0).username(), "carol");

  ka::GetPrincipalRequest get;
  get.set_principal_id("user:carol");
  ka::Principal carol;
  ASSERT_TRUE(keyadmin().GetPrincipal(AsAdmin().get(), get, &carol).ok());
  EXPECT_EQ(carol.kind(), v1::PRINCIPAL_KIND_USER);
  EXPECT_EQ(carol.state(), v1::PRINCIPAL_STATE_REGISTERED);
  get.set_principal_id("user:nobody");
  EXPECT_EQ(keyadmin().GetPrincipal(AsAdmin().get(), get, &carol).error_code(),
            StatusCode::NOT_FOUND);

  ka::UpdatePrincipalRolesRequest roles;
  roles.set_principal_id("user:carol");
  roles.add_granted_roles("beta-tester");
  ka::Principal p;
  ASSERT_TRUE(keyadmin().UpdatePrincipalRoles(AsAdmin().get(), roles, &p).ok());
  EXPECT_EQ(std::vector<std::string>(p.roles().begin(), p.roles().end()),
            (std::vector<std::string>{"beta-tester", "user"}));
  roles.add_granted_roles("bad role");
  EXPECT_EQ(
      keyadmin().UpdatePrincipalRoles(AsAdmin().get(), roles, &p).error_code(),
      StatusCode::INVALID_ARGUMENT);
}

INSTANTIATE_TEST_SUITE_P(Stores, PrincipalsTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace meshid::identity
