// meshctl keys ... and subjects revoke: slots from flags, delays, states,
// tables, error lines; plus the connection settings (address, bearer token,
// deadline) that every KeyAdmin command shares.
#include "tests/tools/meshctl/test_env.h"

namespace meshid::meshctl::testing {
namespace {

using ::testing::_;
using ::testing::HasSubstr;
using ::testing::StartsWith;

ka::Key SampleKey(const std::string& kid, ka::KeyState state) {
  ka::Key key;
  key.set_kid(kid);
  key.set_alg(ka::KEY_ALGORITHM_HS256);
  key.mutable_slot()->mutable_pair()->set_client_id("svc-a");
  key.mutable_slot()->mutable_pair()->set_audience("api");
  key.set_state(state);
  *key.mutable_created_at() = Ts(1714564800);
  *key.mutable_activated_at() = Ts(1714564802);
  key.set_created_by("admin");
  return key;
}

class KeyCommandsTest : public MeshctlTest {};

TEST_F(KeyCommandsTest, ListFiltersByPairAndStateAndPrintsATable) {
  ka::ListKeysRequest seen;
  ka::ListKeysResponse response;
  *response.add_keys() = SampleKey("kid-1", ka::KEY_STATE_ACTIVE);
  EXPECT_CALL(keyadmin_, ListKeys(_, _, _)).WillOnce(Reply(&seen, response));

  RunResult r = Run({"keys", "list", "--client", "svc-a", "--audience", "api",
                     "--state", "ACTIVE"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.slot().pair().client_id(), "svc-a");
  EXPECT_EQ(seen.slot().pair().audience(), "api");
  EXPECT_EQ(seen.state(), ka::KEY_STATE_ACTIVE);
  EXPECT_EQ(r.out,
            "KID    ALG    SLOT            STATE   CREATED               "
            "ACTIVATED             EXPIRES\n"
            "kid-1  HS256  pair:svc-a/api  ACTIVE  2024-05-01T12:00:00Z  "
            "2024-05-01T12:00:02Z  -\n");
}

TEST_F(KeyCommandsTest, ListByIssuerAlgorithmAndUnfiltered) {
  ka::ListKeysRequest seen;
  EXPECT_CALL(keyadmin_, ListKeys(_, _, _))
      .Times(2)
      .WillRepeatedly(Reply(&seen, ka::ListKeysResponse()));
  EXPECT_EQ(Run({"keys", "list", "--issuer-alg", "ES256"}).exit_code, 0);
  EXPECT_EQ(seen.slot().issuer().alg(), ka::KEY_ALGORITHM_ES256);
  EXPECT_EQ(seen.state(), ka::KEY_STATE_UNSPECIFIED);
  EXPECT_EQ(Run({"keys", "list"}).exit_code, 0);
  EXPECT_FALSE(seen.has_slot());
}

TEST_F(KeyCommandsTest, ListRejectsIncompleteOrMixedSlots) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{
           {"--client", "svc-a"},
           {"--audience", "api"},
           {"--client", "svc-a", "--audience", "api", "--issuer-alg", "EdDSA"},
           {"--issuer-alg", "HS256"},
           {"--state", "sleeping"},
       }) {
    std::vector<std::string> full = {"keys", "list"};
    full.insert(full.end(), args.begin(), args.end());
    RunResult r = Run(full);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(args);
    EXPECT_THAT(r.err, HasSubstr("usage: meshctl keys list"));
  }
}

TEST_F(KeyCommandsTest, CreateSendsSlotAndDelayOnlyWhenGiven) {
  ka::CreateKeyRequest seen;
  EXPECT_CALL(keyadmin_, CreateKey(_, _, _))
      .Times(2)
      .WillRepeatedly(Reply(&seen, SampleKey("kid-2", ka::KEY_STATE_PENDING)));

  RunResult r = Run(
      {"keys", "create", "--issuer-alg", "EdDSA", "--activation-delay", "0"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.slot().issuer().alg(), ka::KEY_ALGORITHM_EDDSA);
  ASSERT_TRUE(seen.has_activation_delay());
  EXPECT_EQ(seen.activation_delay().seconds(), 0);
  EXPECT_THAT(r.out, StartsWith("kid:            kid-2\n"));
  EXPECT_THAT(r.out, HasSubstr("state:          PENDING\n"));

  r = Run({"keys", "create", "--client", "svc-a", "--audience", "api"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.slot().pair().client_id(), "svc-a");
  EXPECT_FALSE(seen.has_activation_delay());
}

TEST_F(KeyCommandsTest, CreateNeedsASlotAndAWholeDelay) {
  EXPECT_EQ(Run({"keys", "create"}).exit_code, 2);
  EXPECT_EQ(Run({"keys", "create", "--issuer-alg", "EdDSA",
                 "--activation-delay", "-2s"})
                .exit_code,
            2);
  EXPECT_EQ(Run({"keys", "create", "--issuer-alg", "EdDSA",
                 "--activation-delay", "1500ms"})
                .exit_code,
            2);
}

TEST_F(KeyCommandsTest, RotatePrintsNewAndPreviousKey) {
  ka::RotateKeyRequest seen;
  ka::RotateKeyResponse response;
  *response.mutable_new_key() = SampleKey("new-kid", ka::KEY_STATE_PENDING);
  *response.mutable_previous_key() = SampleKey("old-kid", ka::KEY_STATE_ACTIVE);
  EXPECT_CALL(keyadmin_, RotateKey(_, _, _)).WillOnce(Reply(&seen, response));

  RunResult r = Run({"keys", "rotate", "--client", "svc-a", "--audience", "api",
                     "--activation-delay", "2s"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.slot().pair().audience(), "api");
  EXPECT_EQ(seen.activation_delay().seconds(), 2);
  EXPECT_THAT(r.out, StartsWith("new key:\nkid:            new-kid\n"));
  EXPECT_THAT(r.out, HasSubstr("\nprevious key:\nkid:            old-kid\n"));
}

TEST_F(KeyCommandsTest, RevokeSendsKidAndReasonAndReportsNotFound) {
  ka::RevokeKeyRequest seen;
  EXPECT_CALL(keyadmin_, RevokeKey(_, _, _))
      .WillOnce(::testing::DoAll(
          ::testing::SaveArgPointee<1>(&seen),
          Fail(grpc::StatusCode::NOT_FOUND, "key 'abc' not found")));

  RunResult r =
      Run({"keys", "revoke", "--kid", "abc", "--reason", "leaked in CI"});

  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(seen.kid(), "abc");
  EXPECT_EQ(seen.reason(), "leaked in CI");
  EXPECT_EQ(r.err, "meshctl: keys revoke: NOT_FOUND: key 'abc' not found\n");
  EXPECT_EQ(r.out, "");
}

TEST_F(KeyCommandsTest, RevokeNeedsAReason) {
  RunResult r = Run({"keys", "revoke", "--kid", "abc"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err,
            "meshctl: keys revoke: missing required flag --reason\n"
            "usage: meshctl keys revoke --kid KID --reason R "
            "[connection flags]\n");
}

TEST_F(KeyCommandsTest, GetJsonUsesProtoFieldNames) {
  EXPECT_CALL(keyadmin_, GetKey(_, _, _))
      .WillOnce(Reply<ka::GetKeyRequest>(
          nullptr, SampleKey("kid-1", ka::KEY_STATE_RETIRED)));
  RunResult r = Run({"keys", "get", "--kid", "kid-1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("{\"kid\":\"kid-1\""));
  EXPECT_THAT(r.out, HasSubstr("\"created_by\":\"admin\""));
  EXPECT_THAT(r.out, HasSubstr("\"state\":\"KEY_STATE_RETIRED\""));
  EXPECT_THAT(r.out, HasSubstr("\"revoke_reason\":\"\""));  // defaults too
  EXPECT_EQ(Count(r.out, "\n"), 1);
}

TEST_F(KeyCommandsTest, RevokeSubjectWithTimeAndReason) {
  ka::RevokeSubjectRequest seen;
  ka::RevokeSubjectResponse response;
  response.mutable_revoked()->set_subject("user:42");
  *response.mutable_revoked()->mutable_revoked_before() = Ts(1714564800);
  response.set_version(17);
  EXPECT_CALL(keyadmin_, RevokeSubject(_, _, _))
      .WillOnce(Reply(&seen, response));

  RunResult r =
      Run({"subjects", "revoke", "--subject", "user:42", "--reason",
           "account compromised", "--before", "2024-05-01T14:00:00+02:00"});

  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(seen.subject(), "user:42");
  EXPECT_EQ(seen.reason(), "account compromised");
  EXPECT_EQ(seen.revoked_before().seconds(), 1714564800);
  EXPECT_THAT(r.out, HasSubstr("revoked_before:  2024-05-01T12:00:00Z\n"));
  EXPECT_THAT(r.out, HasSubstr("version:         17\n"));
}

TEST_F(KeyCommandsTest, RevokeSubjectRejectsABadTime) {
  RunResult r = Run({"subjects", "revoke", "--subject", "s", "--reason", "r",
                     "--before", "yesterday"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("RFC 3339"));
}

// --- connection settings, shown on keys get ---------------------------------

TEST_F(KeyCommandsTest, AddressComesFromFlagThenEnvironmentThenDefault) {
  EXPECT_CALL(keyadmin_, GetKey(_, _, _))
      .Times(3)
      .WillRepeatedly(Reply<ka::GetKeyRequest>(nullptr, ka::Key()));
  Run({"keys", "get", "--kid", "k"});
  env_["MESHID_KEYADMIN_ADDR"] = "keyadmin.mesh:7000";
  env_["MESHID_IDENTITY_ADDR"] = "identity.mesh:7001";
  Run({"keys", "get", "--kid", "k"});
  Run({"keys", "get", "--kid", "k", "--addr", "10.0.0.1:50052", "--tls"});
  ASSERT_EQ(transport_->endpoints.size(), 3u);
  EXPECT_EQ(transport_->endpoints[0].address, "127.0.0.1:50052");
  EXPECT_FALSE(transport_->endpoints[0].tls);
  EXPECT_EQ(transport_->endpoints[1].address, "keyadmin.mesh:7000");
  EXPECT_EQ(transport_->endpoints[2].address, "10.0.0.1:50052");
  EXPECT_TRUE(transport_->endpoints[2].tls);
}

TEST_F(KeyCommandsTest, BearerTokenFromFlagWinsOverEnvironment) {
  std::string authorization;
  EXPECT_CALL(keyadmin_, GetKey(_, _, _))
      .Times(2)
      .WillRepeatedly(
          Reply<ka::GetKeyRequest>(nullptr, ka::Key(), &authorization));
  Run({"keys", "get", "--kid", "k", "--token", "flag-token"});
  EXPECT_EQ(authorization, "Bearer flag-token");
  Run({"keys", "get", "--kid", "k", "--auth-token", "other-token"});
  EXPECT_EQ(authorization, "Bearer other-token");
}

TEST_F(KeyCommandsTest, MissingOrAmbiguousBearerTokenIsUsage) {
  env_.clear();
  RunResult r = Run({"keys", "get", "--kid", "k"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, StartsWith("meshctl: keys get: no bearer token"));

  r = Run({"keys", "get", "--kid", "k", "--token", "a", "--auth-token", "b"});
  EXPECT_EQ(r.exit_code, 2);

  // A token that cannot travel in a header is refused without quoting it.
  r = Run({"keys", "get", "--kid", "k", "--token", "abc def\nSECRETPART"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, ::testing::Not(HasSubstr("SECRETPART")));
}

TEST_F(KeyCommandsTest, TimeoutBecomesTheCallDeadline) {
  std::chrono::system_clock::time_point deadline;
  EXPECT_CALL(keyadmin_, GetKey(_, _, _))
      .WillOnce(::testing::Invoke([&](grpc::ServerContext* context,
                                      const ka::GetKeyRequest*, ka::Key*) {
        deadline = context->deadline();
        return grpc::Status::OK;
      }));
  const auto before = std::chrono::system_clock::now();
  RunResult r = Run({"keys", "get", "--kid", "k", "--timeout", "3s"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(deadline, before + std::chrono::seconds(2));
  EXPECT_LT(deadline, before + std::chrono::seconds(4));

  EXPECT_EQ(Run({"keys", "get", "--kid", "k", "--timeout", "0s"}).exit_code, 2);
}

TEST_F(KeyCommandsTest, ServerMessagesCannotForgeLines) {
  EXPECT_CALL(keyadmin_, GetKey(_, _, _))
      .WillOnce(Fail(grpc::StatusCode::INVALID_ARGUMENT,
                     "bad kid\nmeshctl: all good\x1b[0m"));
  RunResult r = Run({"keys", "get", "--kid", "k"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "meshctl: keys get: INVALID_ARGUMENT: bad kid\\x0ameshctl: all "
            "good\\x1b[0m\n");
}

}  // namespace
}  // namespace meshid::meshctl::testing
