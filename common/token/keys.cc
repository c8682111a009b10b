#include "common/token/keys.h"

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace meshid {

absl::string_view KeyStateName(KeyState state) {
  switch (state) {
    case KeyState::kPending:
      return "PENDING";
    case KeyState::kActive:
      return "ACTIVE";
    case KeyState::kRetired:
      return "RETIRED";
    case KeyState::kExpired:
      return "EXPIRED";
    case KeyState::kRevoked:
      return "REVOKED";
  }
  return "UNKNOWN";
}

namespace {

absl::Status CheckHs256Secret(absl::string_view secret) {
  if (secret.size() < kMinHs256SecretSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("HS256 secret must be at least ", kMinHs256SecretSize,
                     " bytes, got ", secret.size()));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<VerificationKey> VerificationKey::Hs256(std::string kid,
                                                       absl::string_view secret,
                                                       std::string client_id,
                                                       std::string audience) {
  RETURN_IF_ERROR(CheckHs256Secret(secret));
  ASSIGN_OR_RETURN(crypto::HmacSha256Key hmac,
                   crypto::HmacSha256Key::Create(secret));
  VerificationKey key;
  key.kid = std::move(kid);
  key.alg = Algorithm::kHs256;
  key.client_id = std::move(client_id);
  key.audience = std::move(audience);
  key.material = std::move(hmac);
  return key;
}

absl::StatusOr<VerificationKey> VerificationKey::Ed25519(
    std::string kid, absl::string_view public_raw) {
  ASSIGN_OR_RETURN(crypto::Ed25519PublicKey pub,
                   crypto::Ed25519PublicKey::FromRaw(public_raw));
  VerificationKey key;
  key.kid = std::move(kid);
  key.alg = Algorithm::kEdDsa;
  key.material = std::move(pub);
  return key;
}

absl::StatusOr<VerificationKey> VerificationKey::Es256(std::string kid,
                                                       absl::string_view x,
                                                       absl::string_view y) {
  ASSIGN_OR_RETURN(crypto::EcdsaP256PublicKey pub,
                   crypto::EcdsaP256PublicKey::FromCoordinates(x, y));
  VerificationKey key;
  key.kid = std::move(kid);
  key.alg = Algorithm::kEs256;
  key.material = std::move(pub);
  return key;
}

VerificationKey VerificationKey::Revoked(std::string kid, Algorithm alg) {
  VerificationKey key;
  key.kid = std::move(kid);
  key.alg = alg;
  key.state = KeyState::kRevoked;
  return key;
}

absl::StatusOr<SigningKey> SigningKey::Hs256(std::string kid,
                                             absl::string_view secret) {
  RETURN_IF_ERROR(CheckHs256Secret(secret));
  ASSIGN_OR_RETURN(crypto::HmacSha256Key hmac,
                   crypto::HmacSha256Key::Create(secret));
  return SigningKey{std::move(kid), Algorithm::kHs256, std::move(hmac)};
}

SigningKey SigningKey::Ed25519(std::string kid, crypto::Ed25519PrivateKey key) {
  return SigningKey{std::move(kid), Algorithm::kEdDsa, std::move(key)};
}

SigningKey SigningKey::Es256(std::string kid, crypto::EcdsaP256PrivateKey key) {
  return SigningKey{std::move(kid), Algorithm::kEs256, std::move(key)};
}

}  // namespace meshid
