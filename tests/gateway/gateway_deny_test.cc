// Every way the gateway refuses a call, with its status code, through a
// real meshid-gateway; each refusal is also in the access log with its
// stable reason. (Rate limits and blocked peers: gateway_limits_test.cc.)
#include "tests/gateway/integration_test_base.h"

namespace meshid::gatewaytest {
namespace {

namespace ka = ::meshid::keyadmin::v1;
constexpr char kUnary[] = "/meshid.gatewaytest.v1.Echo/Unary";

class GatewayDenyTest : public GatewayIntegrationTest {};

TEST_F(GatewayDenyTest, CallsWithoutAValidTokenAreUnauthenticated) {
  const std::string good = Caller("caller", {"echo:call"});
  // A token for another audience, signed with the issuer's EdDSA key, which
  // the gateway holds: it fails on the audience, not the key.
  absl::StatusOr<std::string> other_secret = env_.CreateClient(
      "other-service-caller", {{"other-service", {}}}, ka::KEY_ALGORITHM_EDDSA);
  ASSERT_TRUE(other_secret.ok()) << other_secret.status();
  absl::StatusOr<std::string> other_audience =
      env_.Issue("other-service-caller", *other_secret, "other-service");
  ASSERT_TRUE(other_audience.ok());
  gateway::v1::GatewayConfig config = env_.BaseConfig();
  // No skew: a token with a 1 s lifetime expires within a second.
  SetDuration(config.mutable_validation()->mutable_clock_skew(),
              absl::ZeroDuration());
  absl::StatusOr<std::string> secret =
      env_.CreateClient("short-lived", {{kGatewayName, {"echo:call"}}});
  ASSERT_TRUE(secret.ok());
  auto gateway = Gateway(config);
  ASSERT_NE(gateway, nullptr);
  auto echo = v1::Echo::NewStub(gateway->NewChannel());
  v1::EchoResponse response;

  ASSERT_TRUE(
      echo->Unary(WithToken(good).get(), Payload("hi"), &response).ok());

  grpc::Status s = echo->Unary(WithToken("").get(), Payload("x"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(s.error_message(), "missing or invalid bearer token");

  s = echo->Unary(WithToken("not-a-jwt").get(), Payload("x"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  std::string tampered = good;
  char& c = tampered[tampered.rfind('.') + 1];
  c = c == 'A' ? 'B' : 'A';
  s = echo->Unary(WithToken(tampered).get(), Payload("x"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  s = echo->Unary(WithToken(*other_audience).get(), Payload("x"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Basic dXNlcjpwYXNz");
    s = echo->Unary(context.get(), Payload("x"), &response);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }

  // Expired: valid first, refused once its second is over.
  absl::StatusOr<std::string> short_lived =
      env_.Issue("short-lived", *secret, kGatewayName, {}, absl::Seconds(1));
  ASSERT_TRUE(short_lived.ok()) << short_lived.status();
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  do {
    s = echo->Unary(WithToken(*short_lived).get(), Payload("x"), &response);
  } while (s.ok() && absl::Now() < deadline);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);

  for (const char* reason :
       {"missing_token", "malformed", "bad_signature", "aud_mismatch",
        "malformed_authorization", "expired"}) {
    EXPECT_TRUE(WaitForAccessEntry(kUnary, reason)) << reason;
  }
  // Callers never learn the reason; the token never reaches a log.
  EXPECT_FALSE(absl::StrContains(gateway->Stderr(), good));
  for (const auto& entry : env_.log().Entries()) {
    EXPECT_FALSE(absl::StrContains(entry.DebugString(), good));
  }
}

TEST_F(GatewayDenyTest,
       MissingScopeOrRoleIsPermissionDeniedNoRouteUnimplemented) {
  const std::string no_scope = Caller("no-scope", {"echo:other"});
  const std::string no_role = Caller("no-role", {"echo:call"});
  const std::string admin = Caller("admin", {"echo:call"}, {"echo-admin"});
  auto gateway = Gateway(env_.BaseConfig());
  ASSERT_NE(gateway, nullptr);
  auto channel = gateway->NewChannel();
  auto echo = v1::Echo::NewStub(channel);
  v1::EchoResponse response;

  grpc::Status s =
      echo->Unary(WithToken(no_scope).get(), Payload("x"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  s = echo->Privileged(WithToken(no_role).get(), Payload("x"), &response);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_TRUE(
      echo->Unary(WithToken(no_role).get(), Payload("x"), &response).ok());
  EXPECT_TRUE(
      echo->Privileged(WithToken(admin).get(), Payload("x"), &response).ok());

  // A service the gateway has no route for.
  auto keyadmin = ka::KeyAdmin::NewStub(channel);
  ka::ListKeysResponse keys;
  s = keyadmin->ListKeys(WithToken(admin).get(), ka::ListKeysRequest(), &keys);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNIMPLEMENTED);
  EXPECT_EQ(s.error_message(), "no route for this method");

  EXPECT_TRUE(WaitForAccessEntry(kUnary, "missing_scope"));
  EXPECT_TRUE(WaitForAccessEntry("/meshid.gatewaytest.v1.Echo/Privileged",
                                 "missing_role"));
  EXPECT_TRUE(
      WaitForAccessEntry("/meshid.keyadmin.v1.KeyAdmin/ListKeys", "no_route"));
  // A denied call of an authenticated caller still names the caller.
  for (const auto& e : env_.log().Entries()) {
    if (e.message() == "missing_scope") {
      EXPECT_EQ(e.subject(), "no-scope");
      EXPECT_EQ(e.client_id(), "no-scope");
      EXPECT_EQ(e.status_code(), 7);
    }
  }
}

TEST_F(GatewayDenyTest, HealthAndReflectionAreTheGatewaysOwn) {
  auto gateway = Gateway(env_.BaseConfig());
  ASSERT_NE(gateway, nullptr);
  std::string response;
  // grpc.health.v1.Health/Check with an empty request (service ""), no
  // token: answered by the gateway itself, SERVING (field 1 = 1).
  const grpc::Status s = CallGeneric(
      gateway->NewChannel(), "/grpc.health.v1.Health/Check", "", "", &response);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(response, std::string("\x08\x01", 2));

  // Server reflection lists the gateway's own services (field 7,
  // list_services, of ServerReflectionRequest), again without a token.
  std::string listed;
  ASSERT_TRUE(CallGenericStream(gateway->NewChannel(),
                                "/grpc.reflection.v1alpha.ServerReflection/"
                                "ServerReflectionInfo",
                                std::string("\x3a\x00", 2), &listed)
                  .ok());
  EXPECT_TRUE(absl::StrContains(listed, "grpc.health.v1.Health")) << listed;
}

}  // namespace
}  // namespace meshid::gatewaytest
