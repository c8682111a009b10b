// The key lifecycle as a finite state machine, and key slots.
//
//   PENDING -> ACTIVE -> RETIRED -> EXPIRED, and PENDING/ACTIVE/RETIRED ->
//   REVOKED. Nothing else: EXPIRED and REVOKED are terminal.
//
// PENDING keys are published to validators before they sign anything; the
// one ACTIVE key of a slot signs; RETIRED keys still verify the tokens they
// signed until retired_at + max token TTL + skew.
#ifndef MESHID_IDENTITY_KEY_LIFECYCLE_H_
#define MESHID_IDENTITY_KEY_LIFECYCLE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/token/algorithm.h"
#include "common/token/keys.h"
#include "identity/store/records.h"

namespace meshid::identity {

// OK for a legal move; FAILED_PRECONDITION naming both states otherwise.
absl::Status CheckKeyTransition(KeyState from, KeyState to);

// Where a key belongs. HS256: the (client_id, audience) pair. EdDSA and
// ES256: the issuer's slot for that algorithm (client_id, audience empty).
// Rotating or revoking in one slot never touches another.
struct KeySlot {
  Algorithm alg = Algorithm::kHs256;
  std::string client_id;
  std::string audience;

  static KeySlot Pair(std::string client_id, std::string audience) {
    return KeySlot{Algorithm::kHs256, std::move(client_id),
                   std::move(audience)};
  }
  static KeySlot Issuer(Algorithm alg) { return KeySlot{alg, "", ""}; }
  static KeySlot Of(const KeyRecord& key) {
    return KeySlot{key.alg, key.client_id, key.audience};
  }

  bool is_pair() const { return alg == Algorithm::kHs256; }
  // A stable map key and log value: "HS256:<client>:<audience>" or
  // "issuer:EdDSA".
  std::string Name() const;
  // INVALID_ARGUMENT when HS256 lacks a client or audience, or an issuer
  // slot has them.
  absl::Status Validate() const;

  bool operator==(const KeySlot& o) const {
    return alg == o.alg && client_id == o.client_id && audience == o.audience;
  }
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_KEY_LIFECYCLE_H_
