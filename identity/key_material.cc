#include "identity/key_material.h"

#include "common/base64url.h"
#include "common/crypto/ecdsa_p256.h"
#include "common/crypto/ed25519.h"
#include "common/crypto/random.h"
#include "common/status_macros.h"

namespace meshid::identity {

absl::StatusOr<std::string> NewKid() {
  ASSIGN_OR_RETURN(std::string bytes, crypto::RandomBytes(16));
  return Base64UrlEncode(bytes);
}

absl::StatusOr<crypto::SecretBytes> GenerateKeyMaterial(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHs256:
      return crypto::RandomSecret(32);
    case Algorithm::kEdDsa:
      return crypto::RandomSecret(32);  // any 32 bytes are a valid seed
    case Algorithm::kEs256: {
      ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey key,
                       crypto::EcdsaP256PrivateKey::Generate());
      return key.scalar();
    }
  }
  return absl::InvalidArgumentError("unknown algorithm");
}

absl::StatusOr<SigningKey> MakeSigningKey(const KeyRecord& record,
                                          const crypto::SecretBytes& material) {
  switch (record.alg) {
    case Algorithm::kHs256:
      return SigningKey::Hs256(record.kid, material.view());
    case Algorithm::kEdDsa: {
      ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey key,
                       crypto::Ed25519PrivateKey::FromSeed(material.view()));
      return SigningKey::Ed25519(record.kid, std::move(key));
    }
    case Algorithm::kEs256: {
      ASSIGN_OR_RETURN(
          crypto::EcdsaP256PrivateKey key,
          crypto::EcdsaP256PrivateKey::FromScalar(material.view()));
      return SigningKey::Es256(record.kid, std::move(key));
    }
  }
  return absl::InvalidArgumentError("unknown algorithm");
}

absl::StatusOr<VerificationKey> MakeVerificationKey(
    const KeyRecord& record, const crypto::SecretBytes& material) {
  if (record.state == KeyState::kRevoked) {
    return VerificationKey::Revoked(record.kid, record.alg);
  }
  absl::StatusOr<VerificationKey> key;
  switch (record.alg) {
    case Algorithm::kHs256:
      key = VerificationKey::Hs256(record.kid, material.view(),
                                   record.client_id, record.audience);
      break;
    case Algorithm::kEdDsa: {
      ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey priv,
                       crypto::Ed25519PrivateKey::FromSeed(material.view()));
      key = VerificationKey::Ed25519(record.kid, priv.public_key().raw());
      break;
    }
    case Algorithm::kEs256: {
      ASSIGN_OR_RETURN(
          crypto::EcdsaP256PrivateKey priv,
          crypto::EcdsaP256PrivateKey::FromScalar(material.view()));
      key = VerificationKey::Es256(record.kid, priv.public_key().x(),
                                   priv.public_key().y());
      break;
    }
  }
  if (!key.ok()) return key.status();
  key->state = record.state;
  if (record.state == KeyState::kRetired && record.expires_at.has_value()) {
    key->verify_until = *record.expires_at;
  }
  return key;
}

absl::StatusOr<PublicJwk> MakePublicJwk(const KeyRecord& record,
                                        const crypto::SecretBytes& material) {
  PublicJwk jwk;
  jwk.kid = record.kid;
  jwk.alg = record.alg;
  if (record.alg == Algorithm::kEdDsa) {
    ASSIGN_OR_RETURN(crypto::Ed25519PrivateKey priv,
                     crypto::Ed25519PrivateKey::FromSeed(material.view()));
    jwk.x = priv.public_key().raw();
    return jwk;
  }
  if (record.alg == Algorithm::kEs256) {
    ASSIGN_OR_RETURN(crypto::EcdsaP256PrivateKey priv,
                     crypto::EcdsaP256PrivateKey::FromScalar(material.view()));
    jwk.x = priv.public_key().x();
    jwk.y = priv.public_key().y();
    return jwk;
  }
  return absl::InvalidArgumentError("HS256 keys have no public JWK");
}

}  // namespace meshid::identity
