#include "common/keyset/key_material.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"

namespace meshid::keyset {
namespace {

namespace kv1 = ::meshid::keyadmin::v1;

// google/protobuf/timestamp.proto: 0001-01-01T00:00:00Z ..
// 9999-12-31T23:59:59Z.
constexpr int64_t kMinTimestampSeconds = -62135596800;
constexpr int64_t kMaxTimestampSeconds = 253402300799;

absl::Status Malformed(absl::string_view kid, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("key material for kid \"", kid, "\": ", what));
}

absl::StatusOr<VerificationKey> Hs256Key(const kv1::KeyMaterial& m) {
  if (m.material_case() != kv1::KeyMaterial::kHs256Secret) {
    return Malformed(m.kid(), "HS256 key without hs256_secret");
  }
  if (m.hs256_secret().size() != kWireHs256SecretSize) {
    return Malformed(m.kid(),
                     absl::StrCat("hs256_secret must be ", kWireHs256SecretSize,
                                  " bytes, got ", m.hs256_secret().size()));
  }
  // An HS256 key is bound to one (client, audience) pair; without the client
  // the verifier could not refuse another client's claims.
  if (m.client_id().empty() || m.audience().empty()) {
    return Malformed(m.kid(), "HS256 key without client_id or audience");
  }
  absl::StatusOr<VerificationKey> key = VerificationKey::Hs256(
      m.kid(), m.hs256_secret(), m.client_id(), m.audience());
  if (!key.ok()) return Malformed(m.kid(), "HS256 secret refused");
  return key;
}

absl::StatusOr<VerificationKey> Ed25519Key(const kv1::KeyMaterial& m) {
  if (m.material_case() != kv1::KeyMaterial::kEd25519) {
    return Malformed(m.kid(), "EdDSA key without ed25519 public key");
  }
  const std::string& x = m.ed25519().x();
  if (x.size() != crypto::kEd25519KeySize) {
    return Malformed(m.kid(),
                     absl::StrCat("ed25519.x must be ", crypto::kEd25519KeySize,
                                  " bytes, got ", x.size()));
  }
  absl::StatusOr<VerificationKey> key = VerificationKey::Ed25519(m.kid(), x);
  if (!key.ok()) return Malformed(m.kid(), "Ed25519 public key refused");
  return key;
}

absl::StatusOr<VerificationKey> Es256Key(const kv1::KeyMaterial& m) {
  if (m.material_case() != kv1::KeyMaterial::kEcP256) {
    return Malformed(m.kid(), "ES256 key without ec_p256 public key");
  }
  const std::string& x = m.ec_p256().x();
  const std::string& y = m.ec_p256().y();
  if (x.size() != crypto::kP256CoordinateSize ||
      y.size() != crypto::kP256CoordinateSize) {
    return Malformed(
        m.kid(), absl::StrCat("ec_p256 coordinates must be ",
                              crypto::kP256CoordinateSize, " bytes each, got ",
                              x.size(), " and ", y.size()));
  }
  absl::StatusOr<VerificationKey> key = VerificationKey::Es256(m.kid(), x, y);
  if (!key.ok()) return Malformed(m.kid(), "P-256 point refused");
  return key;
}

}  // namespace

absl::StatusOr<absl::Time> TimeFromProto(
    const google::protobuf::Timestamp& ts) {
  if (ts.seconds() < kMinTimestampSeconds ||
      ts.seconds() > kMaxTimestampSeconds || ts.nanos() < 0 ||
      ts.nanos() > 999999999) {
    return absl::InvalidArgumentError(
        absl::StrCat("timestamp out of range: seconds=", ts.seconds(),
                     " nanos=", ts.nanos()));
  }
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

absl::StatusOr<Algorithm> AlgorithmFromProto(kv1::KeyAlgorithm alg) {
  switch (alg) {
    case kv1::KEY_ALGORITHM_HS256:
      return Algorithm::kHs256;
    case kv1::KEY_ALGORITHM_EDDSA:
      return Algorithm::kEdDsa;
    case kv1::KEY_ALGORITHM_ES256:
      return Algorithm::kEs256;
    default:
      return absl::InvalidArgumentError(
          absl::StrCat("unknown key algorithm ", static_cast<int>(alg)));
  }
}

absl::StatusOr<std::optional<VerificationKey>> KeyFromMaterial(
    const kv1::KeyMaterial& m) {
  if (m.kid().empty()) return Malformed("", "empty kid");

  std::optional<absl::Time> verify_until;
  if (m.has_verify_until()) {
    absl::StatusOr<absl::Time> t = TimeFromProto(m.verify_until());
    if (!t.ok()) return Malformed(m.kid(), t.status().message());
    verify_until = *t;
  }

  switch (m.state()) {
    case kv1::KEY_STATE_EXPIRED:
      return std::optional<VerificationKey>();
    case kv1::KEY_STATE_REVOKED: {
      absl::StatusOr<Algorithm> alg = AlgorithmFromProto(m.alg());
      VerificationKey tombstone = VerificationKey::Revoked(
          m.kid(), alg.ok() ? *alg : Algorithm::kHs256);
      if (verify_until) tombstone.verify_until = *verify_until;
      return std::optional<VerificationKey>(std::move(tombstone));
    }
    case kv1::KEY_STATE_PENDING:
    case kv1::KEY_STATE_ACTIVE:
    case kv1::KEY_STATE_RETIRED:
      break;
    default:
      return Malformed(m.kid(), absl::StrCat("unknown key state ",
                                             static_cast<int>(m.state())));
  }

  absl::StatusOr<Algorithm> alg = AlgorithmFromProto(m.alg());
  if (!alg.ok()) return Malformed(m.kid(), alg.status().message());
  absl::StatusOr<VerificationKey> key;
  switch (*alg) {
    case Algorithm::kHs256:
      key = Hs256Key(m);
      break;
    case Algorithm::kEdDsa:
      key = Ed25519Key(m);
      break;
    case Algorithm::kEs256:
      key = Es256Key(m);
      break;
  }
  if (!key.ok()) return key.status();
  switch (m.state()) {
    case kv1::KEY_STATE_PENDING:
      key->state = KeyState::kPending;
      break;
    case kv1::KEY_STATE_RETIRED:
      key->state = KeyState::kRetired;
      break;
    default:
      key->state = KeyState::kActive;
      break;
  }
  if (verify_until) key->verify_until = *verify_until;
  return std::optional<VerificationKey>(*std::move(key));
}

}  // namespace meshid::keyset
