#include "identity/identity_metrics.h"

#include <array>

#include "absl/strings/str_cat.h"

namespace meshid::identity {

IdentityMetrics::IdentityMetrics(prometheus::Registry& registry)
    : issued_(prometheus::BuildCounter()
                  .Name("meshid_tokens_issued_total")
                  .Help("Tokens issued, by audience and algorithm")
                  .Register(registry)),
      issue_latency_(
          prometheus::BuildHistogram()
              .Name("meshid_token_issue_seconds")
              .Help("Time to issue a token, request parsed to token signed")
              .Register(registry)
              .Add({},
                   prometheus::Histogram::BucketBoundaries{
                       0.00001, 0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001,
                       0.002, 0.005, 0.01, 0.05})),
      issue_failures_(prometheus::BuildCounter()
                          .Name("meshid_token_issue_failures_total")
                          .Help("IssueToken and Login refusals, by reason")
                          .Register(registry)),
      auth_failures_(prometheus::BuildCounter()
                         .Name("meshid_auth_failures_total")
                         .Help("Refused callers of meshid's own RPCs, by "
                               "plane and token verification reason")
                         .Register(registry)),
      store_errors_(prometheus::BuildCounter()
                        .Name("meshid_store_errors_total")
                        .Help("Store operations that failed, by operation")
                        .Register(registry)),
      keys_(prometheus::BuildGauge()
                .Name("meshid_keys")
                .Help("Keys known to this replica, by state")
                .Register(registry)),
      view_version_(prometheus::BuildGauge()
                        .Name("meshid_identity_view_version")
                        .Help("Store version of the in-memory identity view")
                        .Register(registry)
                        .Add({})) {}

prometheus::Counter& IdentityMetrics::IssuedCounter(absl::string_view audience,
                                                    Algorithm alg) {
  const std::string key = absl::StrCat(AlgorithmName(alg), "|", audience);
  {
    absl::ReaderMutexLock lock(&issued_mu_);
    auto it = issued_by_key_.find(key);
    if (it != issued_by_key_.end()) return *it->second;
  }
  absl::MutexLock lock(&issued_mu_);
  prometheus::Counter& counter =
      issued_.Add({{"audience", std::string(audience)},
                   {"alg", std::string(AlgorithmName(alg))}});
  issued_by_key_.emplace(key, &counter);
  return counter;
}

void IdentityMetrics::OnIssued(const IssuedToken& token,
                               absl::Duration latency) {
  IssuedCounter(token.audience, token.alg).Increment();
  issue_latency_.Observe(absl::ToDoubleSeconds(latency));
}

void IdentityMetrics::OnIssueFailed(absl::string_view reason) {
  issue_failures_.Add({{"reason", std::string(reason)}}).Increment();
}

void IdentityMetrics::OnAuthFailure(absl::string_view plane,
                                    VerifyError reason) {
  auth_failures_
      .Add({{"plane", std::string(plane)},
            {"reason", std::string(VerifyErrorName(reason))}})
      .Increment();
}

void IdentityMetrics::OnStoreError(absl::string_view operation) {
  store_errors_.Add({{"operation", std::string(operation)}}).Increment();
}

void IdentityMetrics::ObserveSnapshot(const IdentitySnapshot& snapshot) {
  std::array<int, 5> counts{};
  snapshot.ForEachKey([&](const KeyView& key) {
    ++counts[static_cast<int>(key.record.state)];
  });
  for (KeyState state :
       {KeyState::kPending, KeyState::kActive, KeyState::kRetired,
        KeyState::kExpired, KeyState::kRevoked}) {
    keys_.Add({{"state", std::string(KeyStateName(state))}})
        .Set(counts[static_cast<int>(state)]);
  }
  view_version_.Set(static_cast<double>(snapshot.version()));
}

}  // namespace meshid::identity
