// CallAdmission end to end in plain C++: real signed tokens (the RFC test
// keys), a fake key source, a FakeClock. Every deny reason with its code,
// the order of the checks, and the peer-blocking side effects.
#include "gateway/call_admission.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/keyset/key_set_source.h"
#include "common/keyset/token_validator.h"
#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"
#include "tests/common/token/test_keys.h"

namespace meshid::gateway {
namespace {

using ::meshid::testing::MakeTestKeySet;
using ::meshid::testing::MakeTestSigners;
using ::meshid::testing::TestClaims;
using ::meshid::testing::TestNow;
using ::meshid::testing::TestPolicy;

class FixedKeySource final : public keyset::KeySetSource {
 public:
  std::shared_ptr<const KeySet> Current() const override { return keys; }
  void RequestResync() override { ++resyncs; }
  int resyncs = 0;
  std::shared_ptr<const KeySet> keys = MakeTestKeySet();
};

class RecordingSink final : public AnomalySink {
 public:
  void OnPeerBlocked(const PeerBlocked& e) override { blocked.push_back(e); }
  void OnRateSpike(const RateSpike& e) override { spikes.push_back(e); }
  std::vector<PeerBlocked> blocked;
  std::vector<RateSpike> spikes;
};

GatewaySettings Settings() {
  GatewaySettings s;
  s.name = std::string(::meshid::testing::kAudience);
  s.issuer = std::string(::meshid::testing::kIssuer);
  s.upstreams.push_back({"svc", "svc:1", "svc-audience", {}});
  RouteSettings all;
  all.method_prefix = "/svc.A/";
  all.required_scopes = {"logs:write"};
  RouteSettings admin;
  admin.method_prefix = "/svc.A/Admin";
  admin.required_roles = {"admin"};
  RouteSettings limited;
  limited.method_prefix = "/svc.Limited/";
  limited.rate_limit = RateLimitSettings{1, 2};
  RouteSettings scoped;
  scoped.method_prefix = "/svc.Scoped/";
  scoped.required_scopes = {"logs:read", "logs:delete"};
  s.routes = {all, admin, limited, scoped};
  s.anomaly.failed_validation_burst = 3;
  return s;
}

class CallAdmissionTest : public ::testing::Test {
 protected:
  explicit CallAdmissionTest(GatewaySettings settings = Settings())
      : settings_(std::move(settings)),
        clock_(TestNow()),
        validator_(&keys_, TestPolicy(), &clock_),
        router_(settings_.routes),
        peers_(PeerBlockerOptions::From(settings_.anomaly)),
        subjects_(SubjectTrackerOptions::From(settings_)),
        token_cache_(VerifiedTokenCache::Options{absl::Seconds(30)}),
        admission_({&settings_, &router_, &validator_, &keys_,
                    use_cache_ ? &token_cache_ : nullptr, &peers_, &subjects_,
                    &sink_, nullptr}) {}

  std::string Token(TokenClaims claims = TestClaims()) {
    absl::StatusOr<std::string> t = SignToken(claims, MakeTestSigners().hs);
    EXPECT_TRUE(t.ok()) << t.status();
    return *t;
  }

  Admission Decide(absl::string_view method, const std::string& token,
                   absl::string_view peer = "ipv4:10.0.0.7:5000") {
    authorization_ = absl::StrCat("Bearer ", token);
    CallInput input;
    input.method = method;
    input.peer = peer;
    input.authorization_headers = token.empty() ? 0 : 1;
    input.authorization = authorization_;
    Admission out;
    admission_.Decide(input, clock_.Now(), &out);
    return out;
  }

  GatewaySettings settings_;
  FakeClock clock_;
  FixedKeySource keys_;
  keyset::TokenValidator validator_;
  Router router_;
  PeerBlocker peers_;
  SubjectTracker subjects_;
  RecordingSink sink_;
  // Every test runs with the token cache (see CachedCallAdmissionTest).
  bool use_cache_ = true;
  VerifiedTokenCache token_cache_;
  CallAdmission admission_;
  std::string authorization_;
};

TEST_F(CallAdmissionTest, ValidTokenWithTheScopeIsAdmitted) {
  const Admission a = Decide("/svc.A/Get", Token());
  EXPECT_TRUE(a.allowed());
  EXPECT_EQ(a.code, absl::StatusCode::kOk);
  EXPECT_EQ(a.route, 0);
  ASSERT_TRUE(a.token_accepted());
  EXPECT_EQ(a.principal->subject, ::meshid::testing::kClient);
  EXPECT_EQ(a.log_reason(), "");
}

TEST_F(CallAdmissionTest, MissingTokenIsUnauthenticated) {
  const Admission a = Decide("/svc.A/Get", "");
  EXPECT_EQ(a.deny, DenyReason::kMissingToken);
  EXPECT_EQ(a.code, absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(a.log_reason(), "missing_token");
  EXPECT_EQ(a.caller_message, "missing or invalid bearer token");
}

TEST_F(CallAdmissionTest, MalformedAuthorizationIsUnauthenticated) {
  CallInput input;
  input.method = "/svc.A/Get";
  input.peer = "ipv4:10.0.0.7:5000";
  input.authorization_headers = 1;
  input.authorization = "Basic dXNlcjpwYXNz";
  Admission a;
  admission_.Decide(input, clock_.Now(), &a);
  EXPECT_EQ(a.deny, DenyReason::kMalformedAuthorization);
  EXPECT_EQ(a.code, absl::StatusCode::kUnauthenticated);
  // Two authorization headers are refused too.
  input.authorization = absl::StrCat("Bearer ", Token());
  input.authorization_headers = 2;
  admission_.Decide(input, clock_.Now(), &a);
  EXPECT_EQ(a.deny, DenyReason::kMalformedAuthorization);
}

TEST_F(CallAdmissionTest, BadTokensAreUnauthenticatedWithTheFailedCheck) {
  std::string tampered = Token();
  char& first_signature_char = tampered[tampered.rfind('.') + 1];
  first_signature_char = first_signature_char == 'A' ? 'B' : 'A';
  Admission a = Decide("/svc.A/Get", tampered);
  EXPECT_EQ(a.deny, DenyReason::kInvalidToken);
  EXPECT_EQ(a.code, absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(a.log_reason(), "bad_signature");
  EXPECT_EQ(a.caller_message, "missing or invalid bearer token");

  TokenClaims wrong_audience = TestClaims();
  wrong_audience.audience = "someone-else";
  a = Decide("/svc.A/Get", Token(wrong_audience));
  EXPECT_EQ(a.log_reason(), "aud_mismatch");

  clock_.Advance(absl::Hours(2));
  a = Decide("/svc.A/Get", Token(), "ipv4:10.0.0.8:1");
  EXPECT_EQ(a.log_reason(), "expired");
}

TEST_F(CallAdmissionTest, UnknownMethodIsUnimplementedButOnlyAfterAuth) {
  Admission a = Decide("/other.Service/Call", Token());
  EXPECT_EQ(a.deny, DenyReason::kNoRoute);
  EXPECT_EQ(a.code, absl::StatusCode::kUnimplemented);
  // Anonymous callers learn nothing about routes.
  a = Decide("/other.Service/Call", "");
  EXPECT_EQ(a.deny, DenyReason::kMissingToken);
}

TEST_F(CallAdmissionTest, MissingScopeOrRoleIsPermissionDenied) {
  Admission a = Decide("/svc.Scoped/Get", Token());  // has logs:read only
  EXPECT_EQ(a.deny, DenyReason::kMissingScope);
  EXPECT_EQ(a.code, absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(a.token_accepted());  // the subject goes to the access log

  a = Decide("/svc.A/Admin", Token());  // role "service" only
  EXPECT_EQ(a.deny, DenyReason::kMissingRole);
  EXPECT_EQ(a.code, absl::StatusCode::kPermissionDenied);

  TokenClaims admin = TestClaims();
  admin.roles = {"service", "admin"};
  EXPECT_TRUE(Decide("/svc.A/Admin", Token(admin)).allowed());
}

TEST_F(CallAdmissionTest, RouteRateLimitIsResourceExhausted) {
  const std::string token = Token();
  EXPECT_TRUE(Decide("/svc.Limited/X", token).allowed());
  EXPECT_TRUE(Decide("/svc.Limited/X", token).allowed());
  const Admission a = Decide("/svc.Limited/X", token);
  EXPECT_EQ(a.deny, DenyReason::kRouteRateLimited);
  EXPECT_EQ(a.code, absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Decide("/svc.A/Get", token).allowed());  // other routes free
  clock_.Advance(absl::Seconds(1));
  EXPECT_TRUE(Decide("/svc.Limited/X", token).allowed());
}

TEST_F(CallAdmissionTest, FailedValidationBurstBlocksThePeerOnly) {
  const std::string good = Token();
  const std::string bad = good + "x";
  for (int i = 0; i < 2; ++i) Decide("/svc.A/Get", bad, "ipv4:10.0.0.7:1");
  EXPECT_TRUE(sink_.blocked.empty());
  Decide("/svc.A/Get", bad, "ipv4:10.0.0.7:2");  // same address, new port
  ASSERT_EQ(sink_.blocked.size(), 1u);
  EXPECT_EQ(sink_.blocked[0].peer_ip, "10.0.0.7");

  // Blocked: refused before its token is even looked at.
  const Admission a = Decide("/svc.A/Get", good, "ipv4:10.0.0.7:3");
  EXPECT_EQ(a.deny, DenyReason::kPeerBlocked);
  EXPECT_EQ(a.code, absl::StatusCode::kResourceExhausted);
  EXPECT_FALSE(a.token_accepted());
  EXPECT_TRUE(Decide("/svc.A/Get", good, "ipv4:10.0.0.9:1").allowed());

  clock_.Advance(absl::Seconds(60));
  EXPECT_TRUE(Decide("/svc.A/Get", good, "ipv4:10.0.0.7:4").allowed());
}

TEST_F(CallAdmissionTest, FailuresBeforeTheFirstKeySetDoNotBlock) {
  keys_.keys = KeySet::Empty();  // version 0: not synced yet
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Decide("/svc.A/Get", Token()).deny, DenyReason::kInvalidToken);
  }
  EXPECT_TRUE(sink_.blocked.empty());
  keys_.keys = MakeTestKeySet();
  EXPECT_TRUE(Decide("/svc.A/Get", Token()).allowed());
}

TEST_F(CallAdmissionTest, MissingTokensDoNotCountTowardsABlock) {
  for (int i = 0; i < 10; ++i) Decide("/svc.A/Get", "");
  EXPECT_TRUE(sink_.blocked.empty());
  EXPECT_TRUE(Decide("/svc.A/Get", Token()).allowed());
}

TEST_F(CallAdmissionTest, UpstreamTokenDenialKeepsTheRouteAndSubject) {
  Admission a = Decide("/svc.A/Get", Token());
  ASSERT_TRUE(a.allowed());
  admission_.Deny(DenyReason::kUpstreamTokenUnavailable, &a);
  EXPECT_EQ(a.code, absl::StatusCode::kUnavailable);
  EXPECT_EQ(a.log_reason(), "upstream_token_unavailable");
  EXPECT_EQ(a.route, 0);
}

class PerSubjectLimitTest : public CallAdmissionTest {
 protected:
  static GatewaySettings WithSubjectLimit() {
    GatewaySettings s = Settings();
    s.per_subject = RateLimitSettings{2, 2};
    return s;
  }
  PerSubjectLimitTest() : CallAdmissionTest(WithSubjectLimit()) {}
};

TEST_F(PerSubjectLimitTest, SubjectLimitIsResourceExhaustedAndCheckedFirst) {
  const std::string token = Token();
  EXPECT_TRUE(Decide("/svc.A/Get", token).allowed());
  EXPECT_TRUE(Decide("/svc.Limited/Get", token).allowed());
  const Admission a = Decide("/svc.Limited/Get", token);
  EXPECT_EQ(a.deny, DenyReason::kSubjectRateLimited);
  EXPECT_EQ(a.code, absl::StatusCode::kResourceExhausted);
  // The route's bucket was not touched by the refused call: another
  // subject still gets its one remaining token.
  TokenClaims other = TestClaims();
  other.subject = "another-subject";
  EXPECT_TRUE(Decide("/svc.Limited/Get", Token(other)).allowed());
}

}  // namespace
}  // namespace meshid::gateway
