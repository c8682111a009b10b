#include "common/token/key_set.h"

#include <utility>

namespace meshid {

std::shared_ptr<const KeySet> KeySet::Empty() {
  static const auto* const empty =
      new std::shared_ptr<const KeySet>(std::make_shared<const KeySet>());
  return *empty;
}

KeySet::Builder& KeySet::Builder::AddKey(VerificationKey key) {
  return AddKey(std::make_shared<const VerificationKey>(std::move(key)));
}

KeySet::Builder& KeySet::Builder::AddKey(
    std::shared_ptr<const VerificationKey> key) {
  // Erase first: the map key views the old VerificationKey's kid, which
  // must not outlive it.
  set_.keys_.erase(absl::string_view(key->kid));
  const absl::string_view kid = key->kid;
  set_.keys_.emplace(kid, std::move(key));
  return *this;
}

KeySet::Builder& KeySet::Builder::RemoveKey(absl::string_view kid) {
  set_.keys_.erase(kid);
  return *this;
}

KeySet::Builder& KeySet::Builder::RevokeJti(absl::string_view jti,
                                            absl::Time token_expires_at) {
  set_.revoked_jtis_[jti] = token_expires_at;
  return *this;
}

KeySet::Builder& KeySet::Builder::RevokeSubject(absl::string_view subject,
                                                absl::Time before) {
  auto [it, inserted] = set_.subject_cutoffs_.try_emplace(subject, before);
  if (!inserted && it->second < before) it->second = before;
  return *this;
}

KeySet::Builder& KeySet::Builder::PruneRevokedJtis(absl::Time cutoff) {
  absl::erase_if(set_.revoked_jtis_,
                 [cutoff](const auto& entry) { return entry.second < cutoff; });
  return *this;
}

KeySet::Builder& KeySet::Builder::SetVersion(int64_t version) {
  set_.version_ = version;
  return *this;
}

std::shared_ptr<const KeySet> KeySet::Builder::Build() && {
  return std::make_shared<const KeySet>(std::move(set_));
}

}  // namespace meshid
