// The Prometheus metrics of meshid-identity.
//
//   meshid_tokens_issued_total{audience,alg}
//   meshid_token_issue_seconds (histogram)
//   meshid_token_issue_failures_total{reason}
//   meshid_auth_failures_total{plane,reason}   (callers of meshid's own RPCs)
//   meshid_keys{state}
//   meshid_store_errors_total{operation}
//   meshid_identity_view_version
// Labels carry names (audiences from validated policies, fixed reasons),
// never secrets or tokens.
#ifndef MESHID_IDENTITY_IDENTITY_METRICS_H_
#define MESHID_IDENTITY_IDENTITY_METRICS_H_

#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "common/token/verify_error.h"
#include "identity/identity_snapshot.h"
#include "identity/token_service.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace meshid::identity {

class IdentityMetrics final : public TokenObserver {
 public:
  explicit IdentityMetrics(prometheus::Registry& registry);

  void OnIssued(const IssuedToken& token, absl::Duration latency) override;
  void OnIssueFailed(absl::string_view reason) override;
  // A caller of Identity or KeyAdmin was refused.
  void OnAuthFailure(absl::string_view plane, VerifyError reason);
  void OnStoreError(absl::string_view operation);
  // Key counts by state and the view version, from the current snapshot.
  void ObserveSnapshot(const IdentitySnapshot& snapshot);

 private:
  prometheus::Counter& IssuedCounter(absl::string_view audience, Algorithm alg);

  prometheus::Family<prometheus::Counter>& issued_;
  // Family::Add builds a label map and locks on every call; the hot path
  // looks its counter up here instead.
  absl::Mutex issued_mu_;
  absl::flat_hash_map<std::string, prometheus::Counter*> issued_by_key_
      ABSL_GUARDED_BY(issued_mu_);
  prometheus::Histogram& issue_latency_;
  prometheus::Family<prometheus::Counter>& issue_failures_;
  prometheus::Family<prometheus::Counter>& auth_failures_;
  prometheus::Family<prometheus::Counter>& store_errors_;
  prometheus::Family<prometheus::Gauge>& keys_;
  prometheus::Gauge& view_version_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_IDENTITY_METRICS_H_
