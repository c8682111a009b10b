// meshctl token issue|introspect|revoke against the Identity service: the
// client secret from a file or the environment and never echoed, the access
// token printed alone, bearer handling per command, stdin input.
#include <fstream>

#include "google/protobuf/util/json_util.h"
#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kClientSecret[] = "CLIENT-SECRET-43-chars-xxxxxxxxxxxxxxxxxxxx";
constexpr char kAccessToken[] = "eyJhbGciOiJIUzI1NiJ9.payload.signature";
constexpr char kSubjectToken[] = "eyJhbGciOiJFZERTQSJ9.SUBJECT.sig";

std::string WriteFile(const std::string& name, const std::string& content) {
  const std::string path = ::testing::TempDir() + "/meshctl_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

idv1::TokenResponse SampleToken() {
  idv1::TokenResponse response;
  response.set_access_token(kAccessToken);
  response.set_token_type("Bearer");
  response.set_expires_in(600);
  response.set_scope("read write");
  return response;
}

class IdentityCommandsTest : public MeshctlTest {};

TEST_F(IdentityCommandsTest, IssueReadsSecretFileAndPrintsOnlyTheToken) {
  const std::string secret_file =
      WriteFile("client.secret", std::string(kClientSecret) + "\n");
  idv1::IssueTokenRequest seen;
  std::string authorization = "unset";
  EXPECT_CALL(identity_, IssueToken(_, _, _))
      .WillOnce(Reply(&seen, SampleToken(), &authorization));

  RunResult r = Run({"token", "issue", "--client-id", "svc-a",
                     "--client-secret-file", secret_file, "--audience", "api",
                     "--scope", "read", "--scope", "write", "--ttl", "10m"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string(kAccessToken) + "\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(seen.client_id(), "svc-a");
  EXPECT_EQ(seen.client_secret(), kClientSecret);  // newline dropped
  EXPECT_EQ(seen.audience(), "api");
  EXPECT_THAT(seen.scopes(), ElementsAre("read", "write"));
  EXPECT_EQ(seen.ttl().seconds(), 600);
  // IssueToken authenticates with the secret; MESHID_TOKEN stays home.
  EXPECT_EQ(authorization, "");
  ASSERT_EQ(transport_->endpoints.size(), 1u);
  EXPECT_EQ(transport_->endpoints[0].address, "127.0.0.1:50051");
}

TEST_F(IdentityCommandsTest, IssueTakesSecretFromEnvironmentAndPrintsJson) {
  env_["MESHID_CLIENT_SECRET"] = kClientSecret;
  env_["MESHID_IDENTITY_ADDR"] = "identity.mesh:9000";
  idv1::IssueTokenRequest seen;
  EXPECT_CALL(identity_, IssueToken(_, _, _))
      .WillOnce(Reply(&seen, SampleToken()));

  RunResult r = Run({"token", "issue", "--client-id", "svc-a", "--audience",
                     "api", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.client_secret(), kClientSecret);
  EXPECT_FALSE(seen.has_ttl());
  idv1::TokenResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok());
  EXPECT_EQ(parsed.access_token(), kAccessToken);
  EXPECT_THAT(r.out, HasSubstr("\"expires_in\":"));
  EXPECT_EQ(transport_->endpoints[0].address, "identity.mesh:9000");
}

TEST_F(IdentityCommandsTest, IssueWithoutSecretIsUsage) {
  RunResult r =
      Run({"token", "issue", "--client-id", "svc-a", "--audience", "api"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no client secret"));

  r = Run({"token", "issue", "--client-id", "svc-a", "--audience", "api",
           "--client-secret-file", "/nonexistent/secret"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("cannot open --client-secret-file "
                               "'/nonexistent/secret'"));

  r = Run({"token", "issue", "--client-id", "svc-a", "--audience", "api",
           "--client-secret-file", WriteFile("empty.secret", " \n")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("is empty"));
}

TEST_F(IdentityCommandsTest, IssueFailureNeverEchoesTheSecret) {
  const std::string secret_file = WriteFile("client2.secret", kClientSecret);
  EXPECT_CALL(identity_, IssueToken(_, _, _))
      .WillOnce(Fail(grpc::StatusCode::UNAUTHENTICATED,
                     "invalid client credentials"));
  RunResult r = Run({"token", "issue", "--client-id", "svc-a",
                     "--client-secret-file", secret_file, "--audience", "api"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "meshctl: token issue: UNAUTHENTICATED: invalid client "
            "credentials\n");
  EXPECT_THAT(r.out + r.err, Not(HasSubstr(kClientSecret)));
}

TEST_F(IdentityCommandsTest, IntrospectSendsBearerAndNeverPrintsTheToken) {
  idv1::IntrospectTokenRequest seen;
  std::string authorization;
  idv1::IntrospectTokenResponse response;
  response.set_active(true);
  response.set_sub("svc-a");
  response.set_client_id("svc-a");
  response.set_aud("api");
  response.set_scope("read");
  response.set_exp(1714565400);
  response.set_principal_state(idv1::PRINCIPAL_STATE_ACTIVE);
  EXPECT_CALL(identity_, IntrospectToken(_, _, _))
      .WillOnce(Reply(&seen, response, &authorization));

  RunResult r = Run({"token", "introspect", "--token", kSubjectToken});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.token(), kSubjectToken);
  EXPECT_EQ(authorization, std::string("Bearer ") + kAdminToken);
  EXPECT_THAT(r.out, StartsWith("active:           true\n"
                                "sub:              svc-a\n"));
  EXPECT_THAT(r.out, HasSubstr("exp:              2024-05-01T12:10:00Z "
                               "(1714565400)\n"));
  EXPECT_THAT(r.out, HasSubstr("principal_state:  ACTIVE\n"));
  EXPECT_THAT(r.out, Not(HasSubstr(kSubjectToken)));
}

TEST_F(IdentityCommandsTest, IntrospectReadsStdinAndExitsOneWhenInactive) {
  std::vector<std::string> seen;
  EXPECT_CALL(identity_, IntrospectToken(_, _, _))
      .Times(2)
      .WillRepeatedly(::testing::Invoke(
          [&](grpc::ServerContext*, const idv1::IntrospectTokenRequest* req,
              idv1::IntrospectTokenResponse* resp) {
            seen.push_back(req->token());
            resp->set_active(req->token() == "good");
            return grpc::Status::OK;
          }));

  RunResult r = Run({"token", "introspect", "--json"}, "good\r\n\nexpired\n");

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(seen, ElementsAre("good", "expired"));
  EXPECT_EQ(Count(r.out, "\n"), 2);
  EXPECT_THAT(r.out, HasSubstr("{\"active\":false,"));
}

TEST_F(IdentityCommandsTest, IntrospectTakesBearerOnlyFromAuthToken) {
  std::string authorization;
  EXPECT_CALL(identity_, IntrospectToken(_, _, _))
      .WillOnce(Reply<idv1::IntrospectTokenRequest>(
          nullptr, idv1::IntrospectTokenResponse(), &authorization));
  RunResult r = Run({"token", "introspect", "--token", kSubjectToken,
                     "--auth-token", "introspector"});
  EXPECT_EQ(r.exit_code, 1);  // inactive
  EXPECT_EQ(authorization, "Bearer introspector");
  EXPECT_EQ(r.out, "active:  false\n");

  env_.clear();
  r = Run({"token", "introspect", "--token", kSubjectToken});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no bearer token: pass --auth-token T"));
  EXPECT_THAT(r.err, Not(HasSubstr(kSubjectToken)));
}

TEST_F(IdentityCommandsTest, IntrospectWithNothingToIntrospectIsUsage) {
  RunResult r = Run({"token", "introspect"}, "\n\n");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("no token to introspect"));
}

TEST_F(IdentityCommandsTest, RevokeByTokenNeedsNoBearer) {
  env_.clear();
  idv1::RevokeTokenRequest seen;
  std::string authorization = "unset";
  EXPECT_CALL(identity_, RevokeToken(_, _, _))
      .Times(2)
      .WillRepeatedly(Reply(&seen, google::protobuf::Empty(), &authorization));

  RunResult r = Run({"token", "revoke", "--token", kSubjectToken});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.token(), kSubjectToken);
  EXPECT_EQ(authorization, "");
  EXPECT_THAT(r.out, StartsWith("revoked the token"));
  EXPECT_THAT(r.out, Not(HasSubstr(kSubjectToken)));

  r = Run({"token", "revoke", "--token", "-", "--json"},
          std::string(kSubjectToken) + "\n");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.token(), kSubjectToken);
  EXPECT_EQ(r.out, "{}\n");
}

TEST_F(IdentityCommandsTest, RevokeByJtiSendsTheBearer) {
  idv1::RevokeTokenRequest seen;
  std::string authorization;
  EXPECT_CALL(identity_, RevokeToken(_, _, _))
      .WillOnce(Reply(&seen, google::protobuf::Empty(), &authorization));
  RunResult r = Run({"token", "revoke", "--jti", "jti-123"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.jti(), "jti-123");
  EXPECT_EQ(authorization, std::string("Bearer ") + kAdminToken);
}

TEST_F(IdentityCommandsTest, RevokeUsageErrors) {
  EXPECT_EQ(Run({"token", "revoke"}).exit_code, 2);
  EXPECT_EQ(Run({"token", "revoke", "--token", "t", "--jti", "j"}).exit_code,
            2);
  EXPECT_EQ(Run({"token", "revoke", "--token", "-"}, "a\nb\n").exit_code, 2);
  env_.clear();
  RunResult r = Run({"token", "revoke", "--jti", "j"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("scope tokens:revoke"));
}

}  // namespace
}  // namespace meshid::meshctl::testing
