// CallAdmission: everything the gateway decides about a call before it is
// forwarded, as plain C++ (no gRPC types; tests drive it with a fake key
// source and a FakeClock). The checks, in this order, the first failure
// deciding:
//   1. the peer's address is not blocked            RESOURCE_EXHAUSTED
//   2. one `authorization: Bearer <token>` header     UNAUTHENTICATED
//   3. the token validates for audience = our name   UNAUTHENTICATED
//   4. a route matches the method                    UNIMPLEMENTED
//   5. the token has the route's scopes and roles    PERMISSION_DENIED
//   6. the subject's token bucket                    RESOURCE_EXHAUSTED
//   7. the route's token bucket                      RESOURCE_EXHAUSTED
// Check 3 goes through a VerifiedTokenCache when one is given (see there
// why a hit is as good as validating again).
// Authentication comes before routing on purpose: an anonymous caller
// learns nothing about which methods exist. Failures of 2 (malformed) and
// 3 count towards the peer's failed-validation burst; a missing header does
// not (that is a misconfigured client, not a guess), nor does anything
// before the first key set arrived (every token fails then).
//
//   CallAdmission admission({&settings, &router, &validator, &watcher,
//                            &token_cache, &peers, &subjects, &reporter,
//                            &metrics});
//   Admission result;
//   admission.Decide({method, peer, authorization_values}, clock->Now(),
//                    &result);
//   if (!result.allowed()) return Finish(result.code, result.caller_message);
#ifndef MESHID_GATEWAY_CALL_ADMISSION_H_
#define MESHID_GATEWAY_CALL_ADMISSION_H_

#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/keyset/token_validator.h"
#include "common/token/principal.h"
#include "common/token/verify_error.h"
#include "gateway/deny_reason.h"
#include "gateway/gateway_metrics.h"
#include "gateway/gateway_settings.h"
#include "gateway/peer_blocker.h"
#include "gateway/router.h"
#include "gateway/subject_tracker.h"
#include "gateway/token_bucket.h"
#include "gateway/verified_token_cache.h"

namespace meshid::gateway {

// Told about anomalies as they are detected (AnomalyReporter logs, counts
// and ships them). Called on the request path or the housekeeping thread.
class AnomalySink {
 public:
  virtual ~AnomalySink() = default;
  virtual void OnPeerBlocked(const PeerBlocked& event) = 0;
  virtual void OnRateSpike(const RateSpike& event) = 0;
};

struct CallInput {
  absl::string_view method;  // full method, "/pkg.Service/Method"
  absl::string_view peer;    // gRPC's peer name, "ipv4:10.0.0.7:5123"
  // How many `authorization` headers came, and the value when exactly one.
  int authorization_headers = 0;
  absl::string_view authorization;
};

struct Admission {
  DenyReason deny = DenyReason::kNone;
  // kInvalidToken: which check failed.
  VerifyError token_error = VerifyError::kOk;
  absl::StatusCode code = absl::StatusCode::kOk;
  // What the caller is told; a fixed text per reason.
  absl::string_view caller_message;
  int route = Router::kNoRoute;
  // Set when the token was accepted (from check 3 on); shared with the
  // token cache, never changed.
  std::shared_ptr<const Principal> principal;
  bool token_accepted() const { return principal != nullptr; }

  bool allowed() const { return deny == DenyReason::kNone; }
  // The access log's stable reason: the failed token check's name for
  // invalid tokens, else DenyReasonName; empty when allowed.
  absl::string_view log_reason() const;
};

class CallAdmission {
 public:
  struct Deps {
    const GatewaySettings* settings;
    const Router* router;
    // The validator and the key source it validates against.
    const keyset::TokenValidator* validator;
    keyset::KeySetSource* keys;
    // May be null: every token is validated.
    VerifiedTokenCache* token_cache;
    PeerBlocker* peers;
    SubjectTracker* subjects;
    AnomalySink* anomalies;
    GatewayMetrics* metrics;  // may be null
  };

  // Every pointer must outlive this object.
  explicit CallAdmission(const Deps& deps);

  // Decides about one call at `now`, filling *out (reset first). Thread-
  // safe; takes no lock of its own (see PeerBlocker, SubjectTracker).
  void Decide(const CallInput& input, absl::Time now, Admission* out);

  // Turns an allowed admission into a denial for `reason` decided later by
  // the caller (kUpstreamTokenUnavailable), with its code, message and
  // count.
  void Deny(DenyReason reason, Admission* out) const;

 private:
  // Failed validation from the call's peer: count it, maybe block.
  void CountFailure(absl::string_view peer, absl::Time now);
  // Check 3, through the cache when there is one.
  std::shared_ptr<const Principal> Verify(absl::string_view token,
                                          absl::Time now,
                                          VerifyError* error) const;

  const Deps deps_;
  // One per route; null for unlimited routes.
  std::vector<std::unique_ptr<TokenBucket>> route_buckets_;
};

// The token of "Bearer <token>" (scheme case-insensitive, RFC 7235; exactly
// one space; the token non-empty), or an empty view. What the token holds is
// left to validation.
absl::string_view BearerToken(absl::string_view authorization);

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_CALL_ADMISSION_H_
