#include "identity/snapshot_builder.h"

#include "common/status_macros.h"
#include "identity/key_material.h"
#include "identity/principal_lifecycle.h"

namespace meshid::identity {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::optional<PublicJwk> PublicJwkOf(const KeyView& key) {
  if (key.signer == nullptr || key.record.alg == Algorithm::kHs256) {
    return std::nullopt;
  }
  PublicJwk jwk;
  jwk.kid = key.record.kid;
  jwk.alg = key.record.alg;
  absl::visit(Overloaded{
                  [](const crypto::HmacSha256Key&) {},
                  [&](const crypto::Ed25519PrivateKey& k) {
                    jwk.x = k.public_key().raw();
                  },
                  [&](const crypto::EcdsaP256PrivateKey& k) {
                    jwk.x = k.public_key().x();
                    jwk.y = k.public_key().y();
                  },
              },
              key.signer->material);
  return jwk;
}

}  // namespace

SnapshotBuilder::SnapshotBuilder(const IdentitySnapshot& base,
                                 const MasterKey* master_key)
    : master_key_(master_key),
      next_(std::make_shared<IdentitySnapshot>(base)),
      verification_(*base.verification()) {}

absl::Status SnapshotBuilder::PutClient(
    const ClientRecord& client,
    const std::optional<PrincipalRecord>& principal) {
  if (!principal.has_value() || principal->state == PrincipalState::kDeleted) {
    RemoveClient(client.client_id);
    return absl::OkStatus();
  }
  auto view = std::make_shared<ClientView>();
  view->client_id = client.client_id;
  view->secret_hash = client.secret_hash;
  ASSIGN_OR_RETURN(view->policy, ClientPolicy::FromJson(client.policy_json));
  view->state = principal->state;
  view->roles = RolesOf(*principal);
  next_->clients_[client.client_id] = std::move(view);
  return absl::OkStatus();
}

void SnapshotBuilder::RemoveClient(absl::string_view client_id) {
  next_->clients_.erase(client_id);
}

absl::Status SnapshotBuilder::PutKey(const KeyRecord& key) {
  if (key.state == KeyState::kExpired) {
    next_->keys_.erase(key.kid);
    verification_.RemoveKey(key.kid);
    return absl::OkStatus();
  }
  auto view = std::make_shared<KeyView>();
  view->record = key;
  view->record.sealed_material.clear();  // opened here, never needed again
  if (key.state == KeyState::kRevoked) {
    verification_.AddKey(VerificationKey::Revoked(key.kid, key.alg));
  } else {
    ASSIGN_OR_RETURN(crypto::SecretBytes material,
                     master_key_->Open(key.kid, key.sealed_material));
    ASSIGN_OR_RETURN(SigningKey signer, MakeSigningKey(key, material));
    if (key.alg == Algorithm::kHs256) {
      view->hs256_secret =
          std::make_shared<const crypto::SecretBytes>(material);
    }
    view->signer = std::make_shared<const SigningKey>(std::move(signer));
    ASSIGN_OR_RETURN(VerificationKey verifier,
                     MakeVerificationKey(key, material));
    verification_.AddKey(std::move(verifier));
  }
  next_->keys_[key.kid] = std::move(view);
  return absl::OkStatus();
}

void SnapshotBuilder::RevokeJti(const RevokedJti& jti) {
  verification_.RevokeJti(jti.jti, jti.expires_at);
}

void SnapshotBuilder::RevokeSubject(const RevokedSubject& subject) {
  verification_.RevokeSubject(subject.subject, subject.revoked_before);
}

std::shared_ptr<const IdentitySnapshot> SnapshotBuilder::Build(
    int64_t version, absl::Time prune_before) && {
  IdentitySnapshot& s = *next_;
  s.version_ = version;
  s.active_by_slot_.clear();
  s.pending_slots_.clear();
  s.public_keys_.clear();
  for (const auto& [kid, key] : s.keys_) {
    const KeySlot slot = KeySlot::Of(key->record);
    if (key->record.state == KeyState::kActive) {
      s.active_by_slot_[slot.Name()] = kid;
    } else if (key->record.state == KeyState::kPending) {
      s.pending_slots_.insert(slot.Name());
    }
    if (std::optional<PublicJwk> jwk = PublicJwkOf(*key); jwk.has_value()) {
      s.public_keys_.push_back(*std::move(jwk));
    }
  }
  std::sort(
      s.public_keys_.begin(), s.public_keys_.end(),
      [](const PublicJwk& a, const PublicJwk& b) { return a.kid < b.kid; });
  s.jwks_json_ = SerializePublicJwks(s.public_keys_);
  verification_.PruneRevokedJtis(prune_before).SetVersion(version);
  s.verification_ = std::move(verification_).Build();
  return std::move(next_);
}

const KeyView* IdentitySnapshot::ActiveKey(const KeySlot& slot) const {
  auto it = active_by_slot_.find(slot.Name());
  if (it == active_by_slot_.end()) return nullptr;
  return FindKey(it->second);
}

}  // namespace meshid::identity
