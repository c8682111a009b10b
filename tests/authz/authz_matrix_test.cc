// The authorization matrix (issue 8): every RPC of every meshid service,
// called by every kind of caller, against one table of expected codes.
//
// Rows: the RPCs of Identity, KeyAdmin and Log, each on its own server, and
// the Log API again through meshid-gateway (plus one method it has no
// route for). The test reads the services from the generated descriptors
// and fails when an RPC has no row, so a new RPC cannot be forgotten.
//
// Columns (the callers), each a token for the row's server audience unless
// the column says otherwise:
//   no_token   no authorization header
//   expired    right scope, 1 s lifetime, used after exp (zero clock skew)
//   wrong_aud  right scope, but issued for another audience
//   other_key  claims client A, signed with client B's key under B's kid
//              (the key a validator holds; see forged_tokens.h)
//   resigned   A's kid in the header, signed with B's key
//   no_scope   every scope of the plane but the one the RPC needs
//   right      exactly the scope the RPC needs
//   admin      the bootstrap admin client (keys:admin/keys:watch for the
//              KeyAdmin plane, tokens:introspect/tokens:revoke for Identity;
//              it holds nothing for the Log server or the gateway, so its
//              KeyAdmin token is what it has to show there)
//   suspended  right scope, issued before its client was suspended
//
// Cells: the gRPC code. For authorized callers the requests are chosen to
// be checked after authorization without changing anything (an unknown
// client: NOT_FOUND; an invalid filter: INVALID_ARGUMENT), so an OK or
// NOT_FOUND there means "let in". Streaming RPCs get requests refused after
// authorization, so no call waits for a stream to end. Public RPCs (Auth:
// none in the protos) answer every caller alike: the header is not read;
// for IssueToken the suspended column sends the suspended client's own
// credentials instead (PERMISSION_DENIED, identity.proto).
#include <algorithm>
#include <array>
#include <iostream>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/protobuf/descriptor.h"
#include "gtest/gtest.h"
#include "meshid/identity/v1/identity.pb.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"
#include "meshid/logging/v1/log.pb.h"
#include "tests/authz/authz_mesh.h"
#include "tests/authz/authz_requests.h"
#include "tests/authz/forged_tokens.h"
#include "tests/authz/matrix_report.h"
#include "tests/authz/raw_call.h"

namespace meshid::authz {
namespace {

namespace id = ::meshid::identity::v1;
namespace ka = ::meshid::keyadmin::v1;
using Code = grpc::StatusCode;

// The columns, in order; kCallers counts them.
enum Caller { kNoToken, kExpired, kWrongAudience, kOtherKey, kResigned,
              kMissingScope, kRightScope, kAdmin, kSuspended, kCallers };
constexpr const char* kCallerNames[kCallers] = {
    "no_token", "expired", "wrong_aud", "other_key", "resigned",
    "no_scope", "right",   "admin",     "suspended"};

enum class Plane { kIdentity, kKeyAdmin, kLog, kGateway };
constexpr Plane kId = Plane::kIdentity;
constexpr Plane kKa = Plane::kKeyAdmin;
constexpr Plane kLg = Plane::kLog;
constexpr Plane kGw = Plane::kGateway;

constexpr Code OK = Code::OK;
constexpr Code UNAUTH = Code::UNAUTHENTICATED;
constexpr Code DENIED = Code::PERMISSION_DENIED;
constexpr Code NOTFND = Code::NOT_FOUND;
constexpr Code INVAL = Code::INVALID_ARGUMENT;
constexpr Code UNIMPL = Code::UNIMPLEMENTED;

#define ID "/meshid.identity.v1.Identity/"
#define KA "/meshid.keyadmin.v1.KeyAdmin/"
#define LG "/meshid.logging.v1.Log/"

struct Row {
  Plane plane;          // the server called
  const char* method;   // full method name
  const char* variant;  // "" unless a method has several rows
  const char* scope;    // the scope it needs; "" when none
  std::array<Code, kCallers> expected;
};

// clang-format off
// THE MATRIX. Columns as kCallerNames:
//  no_token expired wrong_aud other_key resigned no_scope right admin suspended
const Row kMatrix[] = {
  // Identity (token plane). Public: the request carries its credentials.
  // IssueToken's caller is the client in the request, so its suspended
  // cell is the suspended client asking for a new token.
  {kId, ID "IssueToken",      "",      "",                  {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     DENIED}},
  {kId, ID "RegisterUser",    "",      "",                  {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
  {kId, ID "Login",           "",      "",                  {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
  {kId, ID "IntrospectToken", "",      "tokens:introspect", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     OK,     UNAUTH}},
  // By jti: bearer with tokens:revoke. By token: holding it is the right.
  {kId, ID "RevokeToken",     "jti",   "tokens:revoke",     {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     OK,     UNAUTH}},
  {kId, ID "RevokeToken",     "token", "",                  {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},
  {kId, ID "GetJwks",         "",      "",                  {OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK,     OK}},

  // KeyAdmin (admin plane): keys:admin, WatchKeys keys:watch.
  {kKa, KA "CreateClient",         "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, INVAL,  INVAL,  UNAUTH}},
  {kKa, KA "GetClient",            "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "ListClients",          "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     OK,     UNAUTH}},
  {kKa, KA "UpdateClientPolicy",   "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "RotateClientSecret",   "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "DeleteClient",         "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "GetPrincipal",         "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "ListPrincipals",       "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     OK,     UNAUTH}},
  {kKa, KA "TransitionPrincipal",  "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "UpdatePrincipalRoles", "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "CreateKey",            "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "RotateKey",            "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, INVAL,  INVAL,  UNAUTH}},
  {kKa, KA "RevokeKey",            "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "ListKeys",             "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     OK,     UNAUTH}},
  {kKa, KA "GetKey",               "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, NOTFND, NOTFND, UNAUTH}},
  {kKa, KA "RevokeSubject",        "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     OK,     UNAUTH}},
  {kKa, KA "ListAuditEvents",      "", "keys:admin", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     OK,     UNAUTH}},
  {kKa, KA "WatchKeys",            "", "keys:watch", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, INVAL,  INVAL,  UNAUTH}},

  // Log server: Append logs:write, Query and Tail logs:read.
  {kLg, LG "Append", "", "logs:write", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     UNAUTH, UNAUTH}},
  {kLg, LG "Query",  "", "logs:read",  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     UNAUTH, UNAUTH}},
  {kLg, LG "Tail",   "", "logs:read",  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, INVAL,  UNAUTH, UNAUTH}},

  // The same through the gateway (routes require the same scopes, for
  // aud=careergpt-backend), and a method it has no route for:
  // authentication comes first, so anonymous callers learn nothing.
  {kGw, LG "Append",       "", "logs:write", {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     UNAUTH, UNAUTH}},
  {kGw, LG "Query",        "", "logs:read",  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, OK,     UNAUTH, UNAUTH}},
  {kGw, LG "Tail",         "", "logs:read",  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, DENIED, INVAL,  UNAUTH, UNAUTH}},
  {kGw, KA "ListClients",  "", "logs:read",  {UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNAUTH, UNIMPL, UNIMPL, UNAUTH, UNAUTH}},
};
// clang-format on

// ---------------------------------------------------------------------------
// The planes: which audience, which scopes, whose key an attacker holds.

constexpr char kCaller[] = "authz-caller";        // client A
constexpr char kOther[] = "authz-other";          // client B
constexpr char kSuspendee[] = "authz-suspended";  // client C

struct PlaneSpec {
  const char* name;
  const char* audience;
  std::vector<std::string> scopes;
  // The audience of the admin client's token shown to this plane.
  const char* admin_audience;
  // The validator whose copy of B's key the forgeries use.
  const char* key_holder;
};

const PlaneSpec& Spec(Plane plane) {
  static const auto* const kSpecs = new std::map<Plane, PlaneSpec>{
      {kId,
       {"identity",
        kIdentityAudience,
        {"tokens:introspect", "tokens:revoke"},
        kIdentityAudience,
        kLogAudience}},
      {kKa,
       {"keyadmin",
        kKeyAdminAudience,
        {"keys:admin", "keys:watch"},
        kKeyAdminAudience,
        kLogAudience}},
      {kLg,
       {"log",
        kLogAudience,
        {"logs:read", "logs:write"},
        kKeyAdminAudience,
        kLogAudience}},
      {kGw,
       {"gateway",
        kGatewayName,
        {"logs:read", "logs:write"},
        kKeyAdminAudience,
        kGatewayName}},
  };
  return kSpecs->at(plane);
}

// The scope a row's tokens carry: its own, or for public rows (whose
// tokens are not read) the plane's first.
std::string TokenScope(const Row& row) {
  return *row.scope != '\0' ? row.scope : Spec(row.plane).scopes.front();
}

// Public rows do not read the authorization header.
bool IsPublic(const Row& row) { return row.expected[kNoToken] != UNAUTH; }

// "identity Identity/IssueToken", "gateway Log/Query".
std::string RowName(const Row& row) {
  const std::string method = row.method;
  std::string name = absl::StrCat(Spec(row.plane).name, " ",
                                  method.substr(method.rfind('.') + 1));
  if (*row.variant != '\0') absl::StrAppend(&name, " (", row.variant, ")");
  return name;
}

// ---------------------------------------------------------------------------
// Reporting.

using Results = std::vector<std::array<Code, kCallers>>;

// The matrix as run; a mismatched cell reads "got!want".
std::string Render(const Results& got, int* mismatches) {
  std::vector<ReportRow> rows;
  for (size_t i = 0; i < got.size(); ++i) {
    rows.push_back({RowName(kMatrix[i]),
                    {got[i].begin(), got[i].end()},
                    {kMatrix[i].expected.begin(), kMatrix[i].expected.end()}});
  }
  return RenderMatrix({std::begin(kCallerNames), std::end(kCallerNames)},
                      rows, mismatches);
}

// ---------------------------------------------------------------------------
// The test.

using TokenKey = std::tuple<Plane, std::string, Caller>;

class AuthzMatrixTest : public ::testing::Test {
 protected:
  std::shared_ptr<grpc::Channel> ChannelOf(Plane plane) const {
    switch (plane) {
      case kId:
        return mesh_.identity();
      case kKa:
        return mesh_.keyadmin();
      case kLg:
        return mesh_.log();
      case kGw:
        return mesh_.gateway();
    }
    return nullptr;
  }

  // Every token the matrix shows, made while every caller is in good
  // standing.
  void MakeTokens() {
    absl::StatusOr<std::vector<HeldKey>> log_keys =
        mesh_.HeldKeys(kLogAudience);
    ASSERT_TRUE(log_keys.ok()) << log_keys.status();
    absl::StatusOr<std::vector<HeldKey>> gw_keys = mesh_.HeldKeys(kGatewayName);
    ASSERT_TRUE(gw_keys.ok()) << gw_keys.status();
    std::map<std::string, HeldKey> held;  // key holder -> B's key
    for (const auto* keys : {&*log_keys, &*gw_keys}) {
      for (const HeldKey& key : *keys) {
        if (key.client_id == kOther) held[key.audience] = key;
      }
    }
    ASSERT_EQ(held.size(), 2u) << "B's keys did not reach their validators";

    for (Plane plane : {kId, kKa, kLg, kGw}) {
      const PlaneSpec& spec = Spec(plane);
      absl::StatusOr<std::string> admin =
          mesh_.Issue(kAdminClient, spec.admin_audience, {});
      ASSERT_TRUE(admin.ok()) << admin.status();
      for (const std::string& scope : spec.scopes) {
        auto put = [&](Caller caller, absl::StatusOr<std::string> token) {
          ASSERT_TRUE(token.ok()) << token.status();
          tokens_[{plane, scope, caller}] = *token;
        };
        std::vector<std::string> others;
        for (const std::string& s : spec.scopes) {
          if (s != scope) others.push_back(s);
        }
        put(kNoToken, std::string());
        put(kExpired, mesh_.Issue(kCaller, spec.audience, {scope}, 1));
        put(kWrongAudience, mesh_.Issue(kCaller, kOtherAudience, {scope}));
        put(kMissingScope, mesh_.Issue(kCaller, spec.audience, others));
        put(kRightScope, mesh_.Issue(kCaller, spec.audience, {scope}));
        put(kAdmin, *admin);
        put(kSuspended, mesh_.Issue(kSuspendee, spec.audience, {scope}));
        const Impersonation claims{reliability::kTestIssuer, spec.audience,
                                   kCaller, scope};
        const HeldKey& key = held.at(spec.key_holder);
        put(kOtherKey, SpeakForOther(claims, key));
        const std::string victim_kid =
            KidOf(tokens_[{plane, scope, kRightScope}]);
        ASSERT_FALSE(victim_kid.empty());
        put(kResigned, ResignedWithOtherKey(claims, victim_kid, key));
        latest_exp_ =
            std::max(latest_exp_, ExpOf(tokens_[{plane, scope, kExpired}]));
      }
    }
  }

  const std::string& Token(const Row& row, Caller caller) {
    return tokens_[{row.plane, TokenScope(row), caller}];
  }

  grpc::Status Call(const Row& row, Caller caller) {
    std::string request = RequestFor(row.method, row.variant, caller);
    if (absl::EndsWith(row.method, "/IssueToken")) {
      // The caller of IssueToken is the client in the request: the
      // suspended column asks with the suspended client's credentials.
      const char* client = caller == kSuspended ? kSuspendee : kCaller;
      id::IssueTokenRequest r;
      r.ParseFromString(request);
      r.set_client_id(client);
      r.set_client_secret(mesh_.secret(client));
      request = r.SerializeAsString();
    }
    return RawCall(ChannelOf(row.plane), row.method, request,
                   Token(row, caller));
  }

  // Calls `row` as `caller` until it answers `want` or 20 s pass.
  grpc::Status WaitForCode(const Row& row, Caller caller, Code want) {
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    grpc::Status status = Call(row, caller);
    while (status.error_code() != want && absl::Now() < deadline) {
      // The change travels to another process (WatchKeys); poll.
      absl::SleepFor(absl::Milliseconds(20));
      status = Call(row, caller);
    }
    return status;
  }

  static const Row& FindRow(Plane plane, absl::string_view method) {
    for (const Row& row : kMatrix) {
      if (row.plane == plane && row.method == method) return row;
    }
    ADD_FAILURE() << "no row " << method;
    return kMatrix[0];
  }

  AuthzMesh mesh_;
  std::map<TokenKey, std::string> tokens_;
  int64_t latest_exp_ = 0;
};

// Every RPC of every service in the three API files has a row on its own
// server (and the Log API one through the gateway), and every row names a
// real RPC. Needs no servers: it fails fast when the protos grow.
TEST(AuthzMatrixCoverageTest, EveryRpcHasARow) {
  // Link the generated files so their descriptors are in the pool.
  (void)id::GetJwksRequest::descriptor();
  (void)ka::WatchKeysRequest::descriptor();
  (void)::meshid::logging::v1::TailRequest::descriptor();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const std::pair<const char*, std::vector<Plane>> files[] = {
      {"meshid/identity/v1/identity.proto", {kId}},
      {"meshid/keyadmin/v1/keyadmin.proto", {kKa}},
      {"meshid/logging/v1/log.proto", {kLg, kGw}},
  };
  std::set<std::string> known;
  int rpcs = 0;
  for (const auto& [file_name, planes] : files) {
    const google::protobuf::FileDescriptor* file =
        pool->FindFileByName(file_name);
    ASSERT_NE(file, nullptr) << file_name;
    ASSERT_GT(file->service_count(), 0) << file_name;
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const google::protobuf::MethodDescriptor* method = service->method(m);
        const std::string full =
            absl::StrCat("/", service->full_name(), "/", method->name());
        known.insert(full);
        ++rpcs;
        for (Plane plane : planes) {
          bool found = false;
          for (const Row& row : kMatrix) {
            if (row.plane != plane || full != row.method) continue;
            found = true;
            // A stream that is let in stays open: give it a request that
            // is refused after authorization instead.
            if (method->server_streaming()) {
              for (Code code : row.expected) {
                EXPECT_NE(code, OK) << full << ": streaming rows need a "
                                    << "request refused once authorized";
              }
            }
          }
          EXPECT_TRUE(found)
              << full << " has no row for the " << Spec(plane).name
              << " server in kMatrix: add one";
        }
      }
    }
  }
  EXPECT_GE(rpcs, 27);
  for (const Row& row : kMatrix) {
    EXPECT_TRUE(known.count(row.method)) << row.method << " is not an RPC";
  }
}

TEST_F(AuthzMatrixTest, EveryRpcAgainstEveryCaller) {
  const absl::Time started = absl::Now();
  reliability::AudienceScopes everything;
  for (Plane plane : {kId, kKa, kLg, kGw}) {
    const PlaneSpec& spec = Spec(plane);
    everything[spec.audience].insert(spec.scopes.begin(), spec.scopes.end());
    everything[kOtherAudience].insert(spec.scopes.begin(), spec.scopes.end());
  }
  const absl::Status up = mesh_.Start({
      {kCaller, everything},
      {kSuspendee, everything},
      {kOther, {{kLogAudience, {"logs:read"}}, {kGatewayName, {"logs:read"}}}},
  });
  ASSERT_TRUE(up.ok()) << up << "\n" << mesh_.Logs();

  // The public rows' fixtures: a user, and an audience for its tokens.
  ASSERT_TRUE(mesh_.AllowLoginAudience(kOtherAudience).ok());
  {
    id::RegisterUserRequest r;
    r.set_username(kUser);
    r.set_password(kUserPassword);
    const grpc::Status s =
        RawCall(mesh_.identity(), ID "RegisterUser", r.SerializeAsString(), "");
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  ASSERT_NO_FATAL_FAILURE(MakeTokens());

  // Ready: the validators hold the callers' keys, the gateway its upstream
  // token, the login client its key for other-service.
  for (Plane plane : {kLg, kGw}) {
    const grpc::Status s =
        WaitForCode(FindRow(plane, LG "Query"), kRightScope, OK);
    ASSERT_TRUE(s.ok()) << Spec(plane).name << ": " << s.error_message() << "\n"
                        << mesh_.Logs();
  }
  {
    const grpc::Status s = WaitForCode(FindRow(kId, ID "Login"), kNoToken, OK);
    ASSERT_TRUE(s.ok()) << "Login: " << s.error_message();
  }

  // Control: before the suspension, the suspended column's tokens are as
  // good as the right ones, so what it shows later is the suspension.
  for (const Row& row : kMatrix) {
    if (IsPublic(row)) continue;
    EXPECT_EQ(Call(row, kSuspended).error_code(), row.expected[kRightScope])
        << RowName(row) << ": the suspendee's token before suspension";
  }

  // Suspend C, and wait until every validator has the revocation.
  ASSERT_TRUE(mesh_.Transition(kSuspendee, ka::PRINCIPAL_EVENT_SUSPEND).ok());
  for (const auto& [plane, method] :
       std::vector<std::pair<Plane, const char*>>{{kId, ID "IntrospectToken"},
                                                  {kKa, KA "ListClients"},
                                                  {kLg, LG "Query"},
                                                  {kGw, LG "Query"}}) {
    const grpc::Status s =
        WaitForCode(FindRow(plane, method), kSuspended, UNAUTH);
    ASSERT_EQ(s.error_code(), UNAUTH)
        << Spec(plane).name << " still accepts the suspended client's token";
  }

  // The 1 s tokens: wait until the clock has passed the last exp (every
  // process reads the same clock; the validators allow no skew).
  const absl::Time expired_at = absl::FromUnixSeconds(latest_exp_);
  while (absl::Now() < expired_at) {
    absl::SleepFor(std::min(expired_at - absl::Now(), absl::Milliseconds(50)));
  }

  Results got(std::size(kMatrix));
  for (size_t i = 0; i < std::size(kMatrix); ++i) {
    for (int c = 0; c < kCallers; ++c) {
      got[i][c] = Call(kMatrix[i], static_cast<Caller>(c)).error_code();
    }
  }
  int mismatches = 0;
  const std::string table = Render(got, &mismatches);
  std::cout << table;
  EXPECT_EQ(mismatches, 0) << "cells read got!want:\n"
                           << table << "\n"
                           << mesh_.Logs();
  std::cout << "authz matrix: " << std::size(kMatrix) << " rows x " << kCallers
            << " callers, " << mismatches << " mismatches, "
            << absl::ToInt64Milliseconds(absl::Now() - started) << " ms\n";
}

}  // namespace
}  // namespace meshid::authz

#undef ID
#undef KA
#undef LG
