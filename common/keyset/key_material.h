// Conversions from the WatchKeys protos (meshid.keyadmin.v1) to the token
// core's types. Pure functions; error messages name the kid and sizes, never
// key material.
#ifndef MESHID_COMMON_KEYSET_KEY_MATERIAL_H_
#define MESHID_COMMON_KEYSET_KEY_MATERIAL_H_

#include <optional>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/token/algorithm.h"
#include "common/token/keys.h"
#include "google/protobuf/timestamp.pb.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"

namespace meshid::keyset {

// The exact size of an HS256 pair secret on the wire ("the raw 32-byte
// secret"); anything else is malformed.
inline constexpr size_t kWireHs256SecretSize = 32;

// A google.protobuf.Timestamp in its documented range (years 1..9999,
// nanos in [0, 1e9)); INVALID_ARGUMENT otherwise.
absl::StatusOr<absl::Time> TimeFromProto(const google::protobuf::Timestamp& ts);

// The algorithm of a key; INVALID_ARGUMENT for UNSPECIFIED or unknown values.
absl::StatusOr<Algorithm> AlgorithmFromProto(keyadmin::v1::KeyAlgorithm alg);

// What one KeyMaterial means for a validator's key set:
// - PENDING, ACTIVE, RETIRED: the key to hold (material checked against the
//   algorithm and its exact sizes; HS256 keys need client_id and audience);
// - REVOKED: a tombstone (VerificationKey::Revoked) that fails every token
//   naming the kid; any material sent along is dropped. A tombstone is
//   accepted without a known algorithm (a revocation is never refused over a
//   detail: refusing it would keep the key usable);
// - EXPIRED: std::nullopt, meaning "remove this kid".
// verify_until is copied when set. INVALID_ARGUMENT for an empty kid, an
// UNSPECIFIED state, a wrong or missing material, or a bad timestamp.
absl::StatusOr<std::optional<VerificationKey>> KeyFromMaterial(
    const keyadmin::v1::KeyMaterial& material);

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_KEY_MATERIAL_H_
