#include "common/keyset/token_validator.h"

#include <string>
#include <utility>

#include "prometheus/family.h"

namespace meshid::keyset {

TokenValidator::TokenValidator(KeySetSource* source, VerifyPolicy policy,
                               const Clock* clock,
                               prometheus::Registry* registry)
    : source_(source),
      policy_(std::move(policy)),
      clock_(clock != nullptr ? clock : SystemClock::Get()) {
  if (registry == nullptr) return;
  prometheus::Family<prometheus::Counter>& family =
      prometheus::BuildCounter()
          .Name("meshid_validations_total")
          .Help("Tokens validated, by result and reason (VerifyErrorName).")
          .Register(*registry);
  for (int i = 0; i < kVerifyErrorCount; ++i) {
    const auto error = static_cast<VerifyError>(i);
    counters_[i] = &family.Add(
        {{"result", error == VerifyError::kOk ? "accepted" : "rejected"},
         {"reason", std::string(VerifyErrorName(error))}});
  }
}

VerifyResult TokenValidator::Validate(absl::string_view token) const {
  const std::shared_ptr<const KeySet> keys = source_->Current();
  VerifyResult result =
      VerifyToken(token, keys != nullptr ? *keys : *KeySet::Empty(), policy_,
                  clock_->Now());
  if (result.error() == VerifyError::kKidUnknown) source_->RequestResync();
  prometheus::Counter* counter = counters_[static_cast<int>(result.error())];
  if (counter != nullptr) counter->Increment();
  return result;
}

}  // namespace meshid::keyset
