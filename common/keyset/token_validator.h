// TokenValidator: validates meshid access tokens locally against whatever
// key set its KeySetSource holds now (DESIGN.md "Tokens").
//
//   TokenValidator validator(&watcher, policy, clock, &registry);
//   VerifyResult r = validator.Validate(token);
//   if (!r.ok()) return Unauthenticated();  // reason: VerifyErrorName(...)
//
// Validate is one VerifyToken call on the snapshot returned by
// source->Current(), with a fixed VerifyPolicy (issuer, audience = the
// validator's own name, skew, max lifetime). When a token names a kid the
// snapshot does not have (kid_unknown) it calls source->RequestResync(),
// which is rate limited there; the token is still refused: the next one
// after the resync will find the key.
//
// Metrics (when a registry is given):
//   meshid_validations_total{result="accepted"|"rejected",reason}
// reason is VerifyErrorName ("ok" when accepted). Every counter is created
// up front, so Validate takes no lock: one atomic add.
#ifndef MESHID_COMMON_KEYSET_TOKEN_VALIDATOR_H_
#define MESHID_COMMON_KEYSET_TOKEN_VALIDATOR_H_

#include <array>

#include "absl/strings/string_view.h"
#include "common/clock.h"
#include "common/keyset/key_set_source.h"
#include "common/token/token_verifier.h"
#include "common/token/verify_error.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"

namespace meshid::keyset {

class TokenValidator {
 public:
  // `source` (not owned) must outlive the validator. `clock` null means
  // SystemClock; `registry` null means no metrics (else it must outlive the
  // validator).
  TokenValidator(KeySetSource* source, VerifyPolicy policy,
                 const Clock* clock = nullptr,
                 prometheus::Registry* registry = nullptr);

  // Thread-safe; no lock of its own.
  VerifyResult Validate(absl::string_view token) const;

  const VerifyPolicy& policy() const { return policy_; }

 private:
  KeySetSource* const source_;
  const VerifyPolicy policy_;
  const Clock* const clock_;
  // Indexed by VerifyError; null without a registry.
  std::array<prometheus::Counter*, kVerifyErrorCount> counters_{};
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_TOKEN_VALIDATOR_H_
