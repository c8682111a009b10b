// IdentitySnapshot: everything the token plane needs, in memory, at one
// store version: clients and their policies, the signing key of each slot,
// the verification key set with revocations, and the JWKS document.
// Immutable; IdentityViews swaps whole snapshots (SPIRE's bundle cache
// pattern), so IssueToken and IntrospectToken read no database and take no
// lock beyond one atomic load.
#ifndef MESHID_IDENTITY_IDENTITY_SNAPSHOT_H_
#define MESHID_IDENTITY_IDENTITY_SNAPSHOT_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "common/token/jwks.h"
#include "common/token/key_set.h"
#include "common/token/keys.h"
#include "identity/client_policy.h"
#include "identity/key_lifecycle.h"
#include "identity/store/records.h"

namespace meshid::identity {

struct ClientView {
  std::string client_id;
  std::string secret_hash;
  ClientPolicy policy;
  PrincipalState state = PrincipalState::kActive;
  std::vector<std::string> roles;
};

struct KeyView {
  KeyRecord record;  // metadata; its sealed material is never opened again
  // The opened key, for PENDING, ACTIVE and RETIRED keys; null otherwise.
  std::shared_ptr<const SigningKey> signer;
  // HS256 only: the pair secret, which WatchKeys sends to the validators of
  // the key's audience (and to no one else).
  std::shared_ptr<const crypto::SecretBytes> hs256_secret;
};

class IdentitySnapshot {
 public:
  int64_t version() const { return version_; }

  const ClientView* FindClient(absl::string_view client_id) const {
    auto it = clients_.find(client_id);
    return it == clients_.end() ? nullptr : it->second.get();
  }
  // The ACTIVE key of `slot`, or nullptr.
  const KeyView* ActiveKey(const KeySlot& slot) const;
  // True when `slot` has a PENDING key (a rotation or a new slot under way).
  bool HasPendingKey(const KeySlot& slot) const {
    return pending_slots_.contains(slot.Name());
  }
  const KeyView* FindKey(absl::string_view kid) const {
    auto it = keys_.find(kid);
    return it == keys_.end() ? nullptr : it->second.get();
  }
  template <typename Fn>
  void ForEachKey(Fn fn) const {
    for (const auto& [kid, key] : keys_) fn(*key);
  }
  template <typename Fn>
  void ForEachClient(Fn fn) const {
    for (const auto& [id, client] : clients_) fn(*client);
  }

  // Every unexpired key (revoked ones as tombstones) and the revocations.
  const std::shared_ptr<const KeySet>& verification() const {
    return verification_;
  }
  // The issuer's public keys (PENDING, ACTIVE, RETIRED EdDSA/ES256).
  const std::vector<PublicJwk>& public_keys() const { return public_keys_; }
  const std::string& jwks_json() const { return jwks_json_; }

 private:
  friend class SnapshotBuilder;
  int64_t version_ = 0;
  absl::flat_hash_map<std::string, std::shared_ptr<const ClientView>> clients_;
  absl::flat_hash_map<std::string, std::shared_ptr<const KeyView>> keys_;
  absl::flat_hash_map<std::string, std::string> active_by_slot_;  // -> kid
  absl::flat_hash_set<std::string> pending_slots_;
  std::shared_ptr<const KeySet> verification_ = KeySet::Empty();
  std::vector<PublicJwk> public_keys_;
  std::string jwks_json_ = "{\"keys\":[]}";
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_IDENTITY_SNAPSHOT_H_
