// Test harness for meshctl commands: gmock implementations of the Identity,
// KeyAdmin and Log services served in-process, a Transport that hands out stubs
// over that in-process channel (and records which endpoints commands asked
// for), and Run() which calls RunMeshctl with string streams and a fake
// environment.
#ifndef MESHID_TESTS_TOOLS_MESHCTL_TEST_ENV_H_
#define MESHID_TESTS_TOOLS_MESHCTL_TEST_ENV_H_

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/server_context.h"
#include "gtest/gtest.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "meshid/logging/v1/log.grpc.pb.h"
#include "tools/meshctl/connection.h"
#include "tools/meshctl/meshctl.h"

namespace meshid::meshctl::testing {

namespace ka = ::meshid::keyadmin::v1;
namespace idv1 = ::meshid::identity::v1;
namespace lg = ::meshid::logging::v1;

// What MESHID_TOKEN holds in tests; must never show up in any output.
inline constexpr char kAdminToken[] =
    "eyJhbGciOiJIUzI1NiJ9.ADMIN-BEARER-TOKEN.c2lnbmF0dXJl";

#define MESHCTL_MOCK_UNARY(Method, Request, Response) \
  MOCK_METHOD(grpc::Status, Method,                   \
              (grpc::ServerContext*, const Request*, Response*), (override))

class MockKeyAdmin : public ka::KeyAdmin::Service {
 public:
  MESHCTL_MOCK_UNARY(CreateClient, ka::CreateClientRequest,
                     ka::CreateClientResponse);
  MESHCTL_MOCK_UNARY(GetClient, ka::GetClientRequest, ka::Client);
  MESHCTL_MOCK_UNARY(ListClients, ka::ListClientsRequest,
                     ka::ListClientsResponse);
  MESHCTL_MOCK_UNARY(UpdateClientPolicy, ka::UpdateClientPolicyRequest,
                     ka::Client);
  MESHCTL_MOCK_UNARY(RotateClientSecret, ka::RotateClientSecretRequest,
                     ka::RotateClientSecretResponse);
  MESHCTL_MOCK_UNARY(DeleteClient, ka::DeleteClientRequest,
                     google::protobuf::Empty);
  MESHCTL_MOCK_UNARY(GetPrincipal, ka::GetPrincipalRequest, ka::Principal);
  MESHCTL_MOCK_UNARY(ListPrincipals, ka::ListPrincipalsRequest,
                     ka::ListPrincipalsResponse);
  MESHCTL_MOCK_UNARY(TransitionPrincipal, ka::TransitionPrincipalRequest,
                     ka::Principal);
  MESHCTL_MOCK_UNARY(UpdatePrincipalRoles, ka::UpdatePrincipalRolesRequest,
                     ka::Principal);
  MESHCTL_MOCK_UNARY(CreateKey, ka::CreateKeyRequest, ka::Key);
  MESHCTL_MOCK_UNARY(RotateKey, ka::RotateKeyRequest, ka::RotateKeyResponse);
  MESHCTL_MOCK_UNARY(RevokeKey, ka::RevokeKeyRequest, ka::Key);
  MESHCTL_MOCK_UNARY(ListKeys, ka::ListKeysRequest, ka::ListKeysResponse);
  MESHCTL_MOCK_UNARY(GetKey, ka::GetKeyRequest, ka::Key);
  MESHCTL_MOCK_UNARY(RevokeSubject, ka::RevokeSubjectRequest,
                     ka::RevokeSubjectResponse);
  MESHCTL_MOCK_UNARY(ListAuditEvents, ka::ListAuditEventsRequest,
                     ka::ListAuditEventsResponse);
};

class MockIdentity : public idv1::Identity::Service {
 public:
  MESHCTL_MOCK_UNARY(IssueToken, idv1::IssueTokenRequest, idv1::TokenResponse);
  MESHCTL_MOCK_UNARY(IntrospectToken, idv1::IntrospectTokenRequest,
                     idv1::IntrospectTokenResponse);
  MESHCTL_MOCK_UNARY(RevokeToken, idv1::RevokeTokenRequest,
                     google::protobuf::Empty);
};

class MockLog : public lg::Log::Service {
 public:
  MESHCTL_MOCK_UNARY(Append, lg::AppendRequest, lg::AppendResponse);
  MESHCTL_MOCK_UNARY(Query, lg::QueryRequest, lg::QueryResponse);
  MOCK_METHOD(grpc::Status, Tail,
              (grpc::ServerContext*, const lg::TailRequest*,
               grpc::ServerWriter<lg::LogEntry>*),
              (override));
};

#undef MESHCTL_MOCK_UNARY

// Stubs over the in-process channel of `server`, whatever the endpoint.
class InProcessTransport final : public Transport {
 public:
  explicit InProcessTransport(grpc::Server* server) : server_(server) {}

  std::unique_ptr<idv1::Identity::StubInterface> NewIdentityStub(
      const Endpoint& endpoint) override {
    endpoints.push_back(endpoint);
    return idv1::Identity::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  std::unique_ptr<ka::KeyAdmin::StubInterface> NewKeyAdminStub(
      const Endpoint& endpoint) override {
    endpoints.push_back(endpoint);
    return ka::KeyAdmin::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }
  std::unique_ptr<lg::Log::StubInterface> NewLogStub(
      const Endpoint& endpoint) override {
    endpoints.push_back(endpoint);
    return lg::Log::NewStub(
        server_->InProcessChannel(grpc::ChannelArguments()));
  }

  std::vector<Endpoint> endpoints;

 private:
  grpc::Server* server_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The "authorization" metadata a call arrived with; "" when none.
inline std::string Authorization(const grpc::ServerContext* context) {
  auto it = context->client_metadata().find("authorization");
  if (it == context->client_metadata().end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// A server-side action: records the request (and the authorization
// metadata when `authorization` is not null), replies `response`.
template <typename Request, typename Response>
auto Reply(Request* seen, Response response,
           std::string* authorization = nullptr) {
  return ::testing::Invoke(
      [seen, response, authorization](grpc::ServerContext* context,
                                      const Request* request, Response* reply) {
        if (seen != nullptr) *seen = *request;
        if (authorization != nullptr) *authorization = Authorization(context);
        *reply = response;
        return grpc::Status::OK;
      });
}

// A server-side action that fails with `code` and `message`.
inline auto Fail(grpc::StatusCode code, std::string message) {
  return ::testing::Return(grpc::Status(code, std::move(message)));
}

class MeshctlTest : public ::testing::Test {
 protected:
  MeshctlTest() {
    grpc::ServerBuilder builder;
    builder.RegisterService(&keyadmin_);
    builder.RegisterService(&identity_);
    builder.RegisterService(&log_);
    server_ = builder.BuildAndStart();
    transport_ = std::make_unique<InProcessTransport>(server_.get());
  }
  ~MeshctlTest() override { server_->Shutdown(); }

  RunResult Run(const std::vector<std::string>& args,
                const std::string& stdin_text = "") {
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    RunResult result;
    const std::map<std::string, std::string> env = env_;
    result.exit_code = RunMeshctl(
        args, {in, out, err}, *transport_,
        [env](const std::string& name) -> std::optional<std::string> {
          auto it = env.find(name);
          if (it == env.end()) return std::nullopt;
          return it->second;
        });
    result.out = out.str();
    result.err = err.str();
    // Whatever happened, the bearer token is never printed.
    EXPECT_THAT(result.out, ::testing::Not(::testing::HasSubstr(kAdminToken)));
    EXPECT_THAT(result.err, ::testing::Not(::testing::HasSubstr(kAdminToken)));
    return result;
  }

  std::map<std::string, std::string> env_ = {{"MESHID_TOKEN", kAdminToken}};
  ::testing::StrictMock<MockKeyAdmin> keyadmin_;
  ::testing::StrictMock<MockIdentity> identity_;
  ::testing::StrictMock<MockLog> log_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<InProcessTransport> transport_;
};

inline google::protobuf::Timestamp Ts(int64_t seconds) {
  google::protobuf::Timestamp t;
  t.set_seconds(seconds);
  return t;
}

// Counts the non-overlapping occurrences of `needle` in `haystack`.
inline int Count(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

}  // namespace meshid::meshctl::testing

#endif  // MESHID_TESTS_TOOLS_MESHCTL_TEST_ENV_H_
