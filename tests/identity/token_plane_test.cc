// The Identity plane through gRPC: issuing, refusing, introspecting,
// revoking, and the JWKS over gRPC and HTTP.
#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/json/json_reader.h"
#include "gtest/gtest.h"
#include "tests/common/server/test_http_client.h"
#include "tests/identity/identity_fixture.h"

namespace meshid::identity {
namespace {

using ::grpc::StatusCode;

class TokenPlaneTest : public IdentityServerTest {};

json::JsonDocument* Claims(const std::string& token, std::string* storage) {
  static thread_local json::JsonDocument doc;
  const size_t a = token.find('.'), b = token.find('.', a + 1);
  EXPECT_TRUE(Base64UrlDecode(token.substr(a + 1, b - a - 1), storage));
  EXPECT_EQ(doc.Parse(*storage, json::JsonLimits{}), json::JsonError::kNone);
  return &doc;
}

TEST_P(TokenPlaneTest, IssuesAProfileTokenThatIntrospectsActive) {
  const std::string secret =
      CreateClient("careergpt-backend", {{"logging-service", {"logs:write"}}});
  absl::StatusOr<std::string> token =
      Issue("careergpt-backend", secret, "logging-service");
  ASSERT_TRUE(token.ok()) << token.status();
  std::string payload;
  json::JsonDocument* claims = Claims(*token, &payload);
  auto claim = [&](const char* name) {
    const json::JsonNode* n = claims->FindMember(claims->root(), name);
    return n ? std::string(n->text) : std::string("<absent>");
  };
  EXPECT_EQ(claim("iss"), kIssuer);
  EXPECT_EQ(claim("sub"), "careergpt-backend");
  EXPECT_EQ(claim("aud"), "logging-service");
  EXPECT_EQ(claim("client_id"), "careergpt-backend");
  EXPECT_EQ(claim("scope"), "logs:write");
  EXPECT_EQ(claim("jti").size(), 22u);  // 128 random bits

  v1::IntrospectTokenRequest request;
  request.set_token(*token);
  v1::IntrospectTokenResponse response;
  ASSERT_TRUE(
      identity()
          .IntrospectToken(WithToken(AdminToken("meshid-identity")).get(),
                           request, &response)
          .ok());
  EXPECT_TRUE(response.active());
  EXPECT_EQ(response.sub(), "careergpt-backend");
  EXPECT_EQ(response.aud(), "logging-service");
  EXPECT_EQ(response.iss(), kIssuer);
  EXPECT_FALSE(response.kid().empty());
  EXPECT_GT(response.nbf(), 0);
  EXPECT_EQ(response.nbf(), response.iat());
}

TEST_P(TokenPlaneTest, WrongSecretAndUnknownClientLookTheSame) {
  const std::string secret = CreateClient("svc-a", {{"aud-x", {}}});
  absl::StatusOr<std::string> wrong = Issue("svc-a", secret + "x", "aud-x");
  absl::StatusOr<std::string> unknown = Issue("svc-nobody", secret, "aud-x");
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(wrong.status().message(), unknown.status().message());
  EXPECT_EQ(wrong.status().message().find(secret), std::string::npos);
}

TEST_P(TokenPlaneTest, BadRequestsNameTheField) {
  const std::string secret = CreateClient("svc-b", {{"aud-x", {"s1"}}});
  struct Case {
    std::string client_id, secret, audience;
    std::vector<std::string> scopes;
    absl::StatusCode code;
    std::string mentions;
  };
  const std::vector<Case> cases = {
      {"",
       secret,
       "aud-x",
       {},
       absl::StatusCode::kInvalidArgument,
       "client_id"},
      {"svc-b",
       "",
       "aud-x",
       {},
       absl::StatusCode::kInvalidArgument,
       "client_secret"},
      {"svc-b",
       std::string(600, 'x'),
       "aud-x",
       {},
       absl::StatusCode::kInvalidArgument,
       "client_secret"},
      {std::string(200, 'c'),
       secret,
       "aud-x",
       {},
       absl::StatusCode::kInvalidArgument,
       "client_id"},
      {"svc-b", secret, "", {}, absl::StatusCode::kInvalidArgument, "audience"},
      {"svc-b",
       secret,
       "aud-y",
       {},
       absl::StatusCode::kPermissionDenied,
       "aud-y"},
      {"svc-b",
       secret,
       "aud-x",
       {"s2"},
       absl::StatusCode::kPermissionDenied,
       "s2"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> r =
        Issue(c.client_id, c.secret, c.audience, c.scopes);
    EXPECT_EQ(r.status().code(), c.code) << c.mentions;
    EXPECT_NE(r.status().message().find(c.mentions), std::string::npos)
        << r.status().message();
  }
  v1::IssueTokenRequest negative_ttl;
  negative_ttl.set_client_id("svc-b");
  negative_ttl.set_client_secret(secret);
  negative_ttl.set_audience("aud-x");
  negative_ttl.mutable_ttl()->set_seconds(-5);
  v1::TokenResponse response;
  grpc::ClientContext context;
  const grpc::Status s =
      identity().IssueToken(&context, negative_ttl, &response);
  EXPECT_EQ(s.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("ttl"), std::string::npos);
}

TEST_P(TokenPlaneTest, TtlIsCappedByThePolicy) {
  const std::string secret = CreateClient("svc-ttl", {{"aud-x", {}}});
  v1::IssueTokenRequest request;
  request.set_client_id("svc-ttl");
  request.set_client_secret(secret);
  request.set_audience("aud-x");
  request.mutable_ttl()->set_seconds(10 * 3600);
  v1::TokenResponse response;
  grpc::ClientContext context;
  ASSERT_TRUE(identity().IssueToken(&context, request, &response).ok());
  EXPECT_EQ(response.expires_in(), 3600);  // the server maximum
  EXPECT_EQ(response.token_type(), "Bearer");
}

TEST_P(TokenPlaneTest, IntrospectNeedsItsScopeAndSaysLittleOfBadTokens) {
  v1::IntrospectTokenRequest request;
  request.set_token("not-a-token");
  v1::IntrospectTokenResponse response;
  {
    grpc::ClientContext context;  // no token
    EXPECT_EQ(
        identity().IntrospectToken(&context, request, &response).error_code(),
        StatusCode::UNAUTHENTICATED);
  }
  const std::string secret =
      CreateClient("svc-c", {{"meshid-identity", {"something-else"}}});
  absl::StatusOr<std::string> token = Issue("svc-c", secret, "meshid-identity");
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(identity()
                .IntrospectToken(WithToken(*token).get(), request, &response)
                .error_code(),
            StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      identity()
          .IntrospectToken(WithToken(AdminToken("meshid-identity")).get(),
                           request, &response)
          .ok());
  EXPECT_FALSE(response.active());
  EXPECT_TRUE(response.sub().empty());
}

TEST_P(TokenPlaneTest, RevokedTokenBecomesInactiveOthersStay) {
  const std::string secret = CreateClient("svc-d", {{"aud-x", {}}});
  absl::StatusOr<std::string> t1 = Issue("svc-d", secret, "aud-x");
  absl::StatusOr<std::string> t2 = Issue("svc-d", secret, "aud-x");
  ASSERT_TRUE(t1.ok() && t2.ok());
  v1::RevokeTokenRequest revoke;
  revoke.set_token(*t1);
  google::protobuf::Empty empty;
  grpc::ClientContext context;
  ASSERT_TRUE(identity().RevokeToken(&context, revoke, &empty).ok());
  EXPECT_FALSE(IsActive(*t1));
  EXPECT_TRUE(IsActive(*t2));
  // RFC 7009: a token that does not verify is ignored, not reported.
  revoke.set_token("not.a.token");
  grpc::ClientContext garbage;
  EXPECT_TRUE(identity().RevokeToken(&garbage, revoke, &empty).ok());
  // By jti needs tokens:revoke.
  revoke.set_jti("some-jti");
  grpc::ClientContext anonymous;
  EXPECT_EQ(identity().RevokeToken(&anonymous, revoke, &empty).error_code(),
            StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(identity()
                  .RevokeToken(WithToken(AdminToken("meshid-identity")).get(),
                               revoke, &empty)
                  .ok());
}

TEST_P(TokenPlaneTest, JwksOverGrpcAndHttpAgree) {
  v1::GetJwksResponse jwks;
  grpc::ClientContext context;
  ASSERT_TRUE(identity().GetJwks(&context, v1::GetJwksRequest(), &jwks).ok());
  ASSERT_EQ(jwks.keys_size(), 2);  // the EdDSA and ES256 issuer keys
  std::set<std::string> algs;
  for (const auto& k : jwks.keys()) algs.insert(k.alg());
  EXPECT_EQ(algs, (std::set<std::string>{"EdDSA", "ES256"}));
  absl::StatusOr<server::TestHttpResponse> http =
      server::HttpGet(server().ports().http, "/.well-known/jwks.json");
  ASSERT_TRUE(http.ok()) << http.status();
  EXPECT_EQ(http->status, 200);
  EXPECT_EQ(http->body, jwks.json());
  absl::StatusOr<server::TestHttpResponse> metrics =
      server::HttpGet(server().ports().http, "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(metrics->body.find("meshid_keys{state=\"ACTIVE\"}"),
            std::string::npos);
}

TEST_P(TokenPlaneTest, MetricsCountIssuedTokensAndFailures) {
  const std::string secret = CreateClient("svc-m", {{"aud-m", {}}});
  ASSERT_TRUE(Issue("svc-m", secret, "aud-m").ok());
  ASSERT_FALSE(Issue("svc-m", "wrong-secret", "aud-m").ok());
  absl::StatusOr<server::TestHttpResponse> metrics =
      server::HttpGet(server().ports().http, "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_NE(
      metrics->body.find(
          "meshid_tokens_issued_total{alg=\"HS256\",audience=\"aud-m\"} 1"),
      std::string::npos)
      << metrics->body;
  EXPECT_NE(
      metrics->body.find(
          "meshid_token_issue_failures_total{reason=\"bad_credentials\"}"),
      std::string::npos);
  EXPECT_NE(metrics->body.find("meshid_token_issue_seconds_count"),
            std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Stores, TokenPlaneTest,
                         ::testing::Values(Backend::kSqlite,
                                           Backend::kPostgres),
                         BackendName);

}  // namespace
}  // namespace meshid::identity
