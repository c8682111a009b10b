// KeySet: an immutable snapshot of everything a validator needs to check a
// token: the keys by kid and the revocation lists, at one version.
//
// Snapshots are never changed after Build(); an update builds a new one from
// the old (sharing the unchanged keys) and the owner swaps a
// std::shared_ptr<const KeySet> atomically. Readers therefore take no lock:
// they hold the snapshot they started with until they are done.
//
//   KeySet::Builder builder(*current);
//   builder.AddKey(std::move(new_key)).SetVersion(42);
//   std::shared_ptr<const KeySet> next = std::move(builder).Build();
#ifndef MESHID_COMMON_TOKEN_KEY_SET_H_
#define MESHID_COMMON_TOKEN_KEY_SET_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/token/keys.h"

namespace meshid {

class KeySet {
 public:
  class Builder;

  // The key whose kid equals `kid` byte for byte, or nullptr. There is no
  // fallback and no "try every key": a token names exactly one key.
  const VerificationKey* Find(absl::string_view kid) const {
    auto it = keys_.find(kid);
    return it == keys_.end() ? nullptr : it->second.get();
  }

  bool IsJtiRevoked(absl::string_view jti) const {
    return revoked_jtis_.contains(jti);
  }
  // Tokens of `subject` issued before the returned time are revoked.
  std::optional<absl::Time> SubjectRevokedBefore(
      absl::string_view subject) const {
    auto it = subject_cutoffs_.find(subject);
    if (it == subject_cutoffs_.end()) return std::nullopt;
    return it->second;
  }

  int64_t version() const { return version_; }
  size_t key_count() const { return keys_.size(); }

  // Calls `fn(const VerificationKey&)` for every key, in no set order.
  template <typename Fn>
  void ForEachKey(Fn fn) const {
    for (const auto& [kid, key] : keys_) fn(*key);
  }

  // Calls `fn(jti, token_expires_at)` / `fn(subject, revoked_before)` for
  // every revocation, in no set order.
  template <typename Fn>
  void ForEachRevokedJti(Fn fn) const {
    for (const auto& [jti, expires] : revoked_jtis_) fn(jti, expires);
  }
  template <typename Fn>
  void ForEachRevokedSubject(Fn fn) const {
    for (const auto& [subject, before] : subject_cutoffs_) fn(subject, before);
  }
  // When the revoked `jti`'s token expires, or nullopt if not revoked.
  std::optional<absl::Time> JtiRevokedUntil(absl::string_view jti) const {
    auto it = revoked_jtis_.find(jti);
    if (it == revoked_jtis_.end()) return std::nullopt;
    return it->second;
  }

  static std::shared_ptr<const KeySet> Empty();

 private:
  // Map keys are views of the kid inside the shared VerificationKey they
  // point to, so each kid is stored once.
  absl::flat_hash_map<absl::string_view, std::shared_ptr<const VerificationKey>>
      keys_;
  // jti -> when the revoked token expires anyway (after which the entry can
  // be pruned).
  absl::flat_hash_map<std::string, absl::Time> revoked_jtis_;
  // subject -> tokens issued before this time are revoked.
  absl::flat_hash_map<std::string, absl::Time> subject_cutoffs_;
  int64_t version_ = 0;
};

class KeySet::Builder {
 public:
  Builder() = default;
  // Starts from a copy of `base` (its keys are shared, not copied).
  explicit Builder(const KeySet& base) : set_(base) {}

  // Adds `key`, replacing any key with the same kid.
  Builder& AddKey(VerificationKey key);
  Builder& AddKey(std::shared_ptr<const VerificationKey> key);
  Builder& RemoveKey(absl::string_view kid);
  Builder& RevokeJti(absl::string_view jti, absl::Time token_expires_at);
  // Keeps the later cut-off when the subject already has one.
  Builder& RevokeSubject(absl::string_view subject, absl::Time before);
  // Drops revoked jtis whose tokens expired before `cutoff`; they can no
  // longer pass the exp check, so the list stays bounded.
  Builder& PruneRevokedJtis(absl::Time cutoff);
  Builder& SetVersion(int64_t version);

  std::shared_ptr<const KeySet> Build() &&;

 private:
  KeySet set_;
};

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_KEY_SET_H_
