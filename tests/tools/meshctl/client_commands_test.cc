// meshctl clients ...: requests built from flags, tables and JSON, the
// secret shown exactly once, paging, error lines and exit codes.
#include <fstream>

#include "google/protobuf/util/json_util.h"
#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::_;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSecret[] = "s3cr3t-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

ka::Client SampleClient(const std::string& id) {
  ka::Client client;
  client.set_client_id(id);
  client.set_display_name("Service A");
  client.set_state(idv1::PRINCIPAL_STATE_ACTIVE);
  client.mutable_policy()->add_allowed_audiences("api");
  client.mutable_policy()->add_allowed_audiences("logging-service");
  ka::AudienceScopes* scopes = client.mutable_policy()->add_audience_scopes();
  scopes->set_audience("api");
  scopes->add_scopes("read");
  scopes->add_scopes("write");
  client.mutable_policy()->mutable_max_token_ttl()->set_seconds(900);
  *client.mutable_created_at() = Ts(1714564800);  // 2024-05-01T12:00:00Z
  return client;
}

class ClientCommandsTest : public MeshctlTest {};

TEST_F(ClientCommandsTest, CreateSendsThePolicyFromFlagsAndShowsSecretOnce) {
  ka::CreateClientRequest seen;
  std::string authorization;
  ka::CreateClientResponse response;
  *response.mutable_client() = SampleClient("svc-a");
  response.set_client_secret(kSecret);
  EXPECT_CALL(keyadmin_, CreateClient(_, _, _))
      .WillOnce(Reply(&seen, response, &authorization));

  RunResult r =
      Run({"clients", "create", "--id", "svc-a", "--name", "Service A",
           "--audience", "api=read,write", "--audience=logging-service",
           "--max-ttl", "15m", "--signing-alg", "eddsa"});

  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(authorization, std::string("Bearer ") + kAdminToken);
  EXPECT_EQ(seen.client_id(), "svc-a");
  EXPECT_EQ(seen.display_name(), "Service A");
  EXPECT_THAT(seen.policy().allowed_audiences(),
              ElementsAre("api", "logging-service"));
  ASSERT_EQ(seen.policy().audience_scopes_size(), 1);
  EXPECT_EQ(seen.policy().audience_scopes(0).audience(), "api");
  EXPECT_THAT(seen.policy().audience_scopes(0).scopes(),
              ElementsAre("read", "write"));
  EXPECT_EQ(seen.policy().max_token_ttl().seconds(), 900);
  EXPECT_EQ(seen.policy().signing_alg(), ka::KEY_ALGORITHM_EDDSA);

  EXPECT_EQ(Count(r.out, kSecret), 1);
  EXPECT_THAT(r.out, HasSubstr(std::string("client_secret: ") + kSecret));
  EXPECT_THAT(r.out, HasSubstr("cannot be shown again"));
  EXPECT_THAT(r.out, HasSubstr("audiences:          api=read,write "
                               "logging-service"));
  EXPECT_THAT(r.out, HasSubstr("max_token_ttl:      15m"));
  EXPECT_EQ(r.err, "");
}

TEST_F(ClientCommandsTest, CreateJsonIsOneObjectWithTheNoteOnStderr) {
  ka::CreateClientResponse response;
  *response.mutable_client() = SampleClient("svc-a");
  response.set_client_secret(kSecret);
  EXPECT_CALL(keyadmin_, CreateClient(_, _, _))
      .WillOnce(Reply<ka::CreateClientRequest>(nullptr, response));

  RunResult r = Run(
      {"clients", "create", "--id", "svc-a", "--audience", "api", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Count(r.out, "\n"), 1);
  EXPECT_EQ(Count(r.out, kSecret), 1);
  ka::CreateClientResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok());
  EXPECT_EQ(parsed.client_secret(), kSecret);
  EXPECT_THAT(r.out, HasSubstr("\"client_id\":\"svc-a\""));  // proto names
  EXPECT_THAT(r.err, HasSubstr("cannot be shown again"));
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr(kSecret)));
}

TEST_F(ClientCommandsTest, CreateWithoutAudienceIsUsageAndCallsNothing) {
  RunResult r = Run({"clients", "create", "--id", "svc-a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("meshctl: clients create: at least one "
                                "--audience"));
  EXPECT_THAT(r.err, HasSubstr("\nusage: meshctl clients create --id ID"));
  EXPECT_EQ(r.out, "");
}

TEST_F(ClientCommandsTest, CreateRejectsBadPolicyFlags) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--audience", "api", "--audience", "api=read"},  // twice
           {"--audience", "=read"},                          // no name
           {"--audience", "api", "--max-ttl", "1.5s"},       // fraction
           {"--audience", "api", "--max-ttl", "0"},          // zero
           {"--audience", "api", "--max-ttl", "soon"},
           {"--audience", "api", "--signing-alg", "RS256"},
           {"--audience", "api", "--bogus", "x"},
       }) {
    std::vector<std::string> full = {"clients", "create", "--id", "svc-a"};
    full.insert(full.end(), args.begin(), args.end());
    RunResult r = Run(full);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args);
    EXPECT_THAT(r.err, HasSubstr("usage: meshctl clients create"));
  }
}

TEST_F(ClientCommandsTest, ServerErrorIsOneLineWithCodeAndExitOne) {
  EXPECT_CALL(keyadmin_, CreateClient(_, _, _))
      .WillOnce(Fail(grpc::StatusCode::ALREADY_EXISTS,
                     "client 'svc-a' already exists"));
  RunResult r =
      Run({"clients", "create", "--id", "svc-a", "--audience", "api"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "meshctl: clients create: ALREADY_EXISTS: client 'svc-a' already "
            "exists\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(ClientCommandsTest, ListFollowsEveryPageIntoOneTable) {
  std::vector<ka::ListClientsRequest> seen;
  EXPECT_CALL(keyadmin_, ListClients(_, _, _))
      .Times(3)
      .WillRepeatedly(::testing::Invoke(
          [&](grpc::ServerContext*, const ka::ListClientsRequest* request,
              ka::ListClientsResponse* response) {
            seen.push_back(*request);
            const std::string& token = request->page_token();
            if (token.empty()) {
              *response->add_clients() = SampleClient("a");
              *response->add_clients() = SampleClient("b");
              response->set_next_page_token("p2");
            } else if (token == "p2") {
              *response->add_clients() = SampleClient("c");
              response->set_next_page_token("p3");
            } else {
              *response->add_clients() = SampleClient("long-client-id");
            }
            return grpc::Status::OK;
          }));

  RunResult r = Run({"clients", "list"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].page_token(), "");
  EXPECT_EQ(seen[1].page_token(), "p2");
  EXPECT_EQ(seen[2].page_token(), "p3");
  EXPECT_EQ(seen[0].page_size(), seen[2].page_size());
  EXPECT_EQ(r.out,
            "CLIENT_ID       NAME       STATE   SIGNING_ALG  MAX_TTL  "
            "AUDIENCES            CREATED\n"
            "a               Service A  ACTIVE  HS256        15m      "
            "api,logging-service  2024-05-01T12:00:00Z\n"
            "b               Service A  ACTIVE  HS256        15m      "
            "api,logging-service  2024-05-01T12:00:00Z\n"
            "c               Service A  ACTIVE  HS256        15m      "
            "api,logging-service  2024-05-01T12:00:00Z\n"
            "long-client-id  Service A  ACTIVE  HS256        15m      "
            "api,logging-service  2024-05-01T12:00:00Z\n");
}

TEST_F(ClientCommandsTest, ListStopsAtLimit) {
  std::vector<ka::ListClientsRequest> seen;
  EXPECT_CALL(keyadmin_, ListClients(_, _, _))
      .Times(2)
      .WillRepeatedly(::testing::Invoke(
          [&](grpc::ServerContext*, const ka::ListClientsRequest* request,
              ka::ListClientsResponse* response) {
            seen.push_back(*request);
            *response->add_clients() =
                SampleClient("x" + std::to_string(seen.size()) + "a");
            *response->add_clients() =
                SampleClient("x" + std::to_string(seen.size()) + "b");
            response->set_next_page_token("more");
            if (seen.size() == 2) response->set_next_page_token("more2");
            return grpc::Status::OK;
          }));

  RunResult r = Run({"clients", "list", "--limit", "3", "--json"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen[0].page_size(), 3);
  EXPECT_EQ(Count(r.out, "\n"), 3);  // one JSON object per client
  EXPECT_THAT(r.out, HasSubstr("\"client_id\":\"x1a\""));
  EXPECT_THAT(r.out, HasSubstr("\"client_id\":\"x2a\""));
  EXPECT_THAT(r.out, ::testing::Not(HasSubstr("x2b")));
}

TEST_F(ClientCommandsTest, ListRefusesAServerThatRepeatsItsPageToken) {
  EXPECT_CALL(keyadmin_, ListClients(_, _, _))
      .Times(2)
      .WillRepeatedly(::testing::Invoke([](grpc::ServerContext*,
                                           const ka::ListClientsRequest*,
                                           ka::ListClientsResponse* response) {
        response->set_next_page_token("same");
        return grpc::Status::OK;
      }));
  RunResult r = Run({"clients", "list"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, StartsWith("meshctl: clients list: INTERNAL: "));
}

TEST_F(ClientCommandsTest, ListRejectsBadLimit) {
  EXPECT_EQ(Run({"clients", "list", "--limit", "0"}).exit_code, 2);
  EXPECT_EQ(Run({"clients", "list", "--limit", "ten"}).exit_code, 2);
}

TEST_F(ClientCommandsTest, GetPrintsFieldsAndNotFoundIsExitOne) {
  ka::GetClientRequest seen;
  EXPECT_CALL(keyadmin_, GetClient(_, _, _))
      .WillOnce(Reply(&seen, SampleClient("svc-a")))
      .WillOnce(Fail(grpc::StatusCode::NOT_FOUND, "client 'nope' not found"));

  RunResult r = Run({"clients", "get", "--id", "svc-a"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(seen.client_id(), "svc-a");
  EXPECT_THAT(r.out, StartsWith("client_id:          svc-a\n"
                                "display_name:       Service A\n"
                                "state:              ACTIVE\n"));
  EXPECT_THAT(r.out, HasSubstr("secret_rotated_at:  -\n"));

  r = Run({"clients", "get", "--id", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "meshctl: clients get: NOT_FOUND: client 'nope' not found\n");
}

TEST_F(ClientCommandsTest, GetWithoutIdOrWithEmptyIdIsUsage) {
  EXPECT_EQ(Run({"clients", "get"}).exit_code, 2);
  RunResult r = Run({"clients", "get", "--id="});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("--id must not be empty"));
}

TEST_F(ClientCommandsTest, PolicySendsTheCompletePolicy) {
  ka::UpdateClientPolicyRequest seen;
  EXPECT_CALL(keyadmin_, UpdateClientPolicy(_, _, _))
      .WillOnce(Reply(&seen, SampleClient("svc-a")));
  RunResult r = Run({"clients", "policy", "--id", "svc-a", "--audience",
                     "api=read", "--signing-alg", "ES256"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.client_id(), "svc-a");
  EXPECT_THAT(seen.policy().allowed_audiences(), ElementsAre("api"));
  EXPECT_FALSE(seen.policy().has_max_token_ttl());
  EXPECT_EQ(seen.policy().signing_alg(), ka::KEY_ALGORITHM_ES256);
}

TEST_F(ClientCommandsTest, PolicyHelpSaysItReplacesTheWholePolicy) {
  RunResult r = Run({"clients", "policy", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("WHOLE policy"));
  EXPECT_THAT(r.out, HasSubstr("not a patch"));
}

TEST_F(ClientCommandsTest, RotateSecretShowsTheNewSecretOnce) {
  ka::RotateClientSecretRequest seen;
  ka::RotateClientSecretResponse response;
  *response.mutable_client() = SampleClient("svc-a");
  response.set_client_secret(kSecret);
  EXPECT_CALL(keyadmin_, RotateClientSecret(_, _, _))
      .WillOnce(Reply(&seen, response));
  RunResult r = Run({"clients", "rotate-secret", "--id", "svc-a"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.client_id(), "svc-a");
  EXPECT_EQ(Count(r.out, kSecret), 1);
  EXPECT_THAT(r.out, HasSubstr("cannot be shown again"));
}

TEST_F(ClientCommandsTest, DeleteSaysWhatHappenedOrPrintsEmptyJson) {
  ka::DeleteClientRequest seen;
  EXPECT_CALL(keyadmin_, DeleteClient(_, _, _))
      .Times(2)
      .WillRepeatedly(Reply(&seen, google::protobuf::Empty()));
  RunResult r = Run({"clients", "delete", "--id", "svc-a"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(seen.client_id(), "svc-a");
  EXPECT_THAT(r.out, StartsWith("deleted client 'svc-a'"));
  r = Run({"clients", "delete", "--id", "svc-a", "--json"});
  EXPECT_EQ(r.out, "{}\n");
}

}  // namespace
}  // namespace meshid::meshctl::testing
