// KeyService: the admin operations on keys and the timed lifecycle moves.
//
// Every operation is one store transaction with its change events and one
// audit event; the in-memory views are refreshed before it returns.
#ifndef MESHID_IDENTITY_KEY_SERVICE_H_
#define MESHID_IDENTITY_KEY_SERVICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "identity/identity_context.h"
#include "identity/key_lifecycle.h"

namespace meshid::identity {

class KeyService {
 public:
  explicit KeyService(const IdentityContext& ctx) : ctx_(ctx) {}

  // A first key for a slot that has no PENDING or ACTIVE key
  // (FAILED_PRECONDITION otherwise: use RotateKey). HS256 slots need an
  // existing client. `activation_delay` defaults to the configured one.
  absl::StatusOr<KeyRecord> CreateKey(
      const KeySlot& slot, std::optional<absl::Duration> activation_delay,
      absl::string_view actor);

  struct Rotation {
    KeyRecord new_key;
    KeyRecord previous_key;
  };
  // A new PENDING key for `slot`, published at once, activated after the
  // delay (at once when 0), retiring the current ACTIVE key then.
  // FAILED_PRECONDITION without an ACTIVE key or with a rotation pending.
  absl::StatusOr<Rotation> RotateKey(
      const KeySlot& slot, std::optional<absl::Duration> activation_delay,
      absl::string_view actor);

  // Revokes `kid`: every token it signed fails from now on. Revoking the
  // ACTIVE key of a slot also makes a replacement ACTIVE key in the same
  // transaction, so the slot keeps issuing (validators learn of it before or
  // at the first token that names it). NOT_FOUND, or FAILED_PRECONDITION
  // for an EXPIRED or already REVOKED key.
  absl::StatusOr<KeyRecord> RevokeKey(absl::string_view kid,
                                      absl::string_view reason,
                                      absl::string_view actor);

  absl::StatusOr<KeyRecord> GetKey(absl::string_view kid);
  // All keys, oldest first; material never included.
  absl::StatusOr<std::vector<KeyRecord>> ListKeys();

  // The timed moves, due at the clock's now: PENDING keys whose time came
  // are activated (retiring their slot's old key), RETIRED keys past their
  // window expire, ACTIVE keys older than the rotation period are rotated.
  // Returns how many keys changed. Safe to call from any replica at any
  // time: each move re-checks the key's state inside its transaction.
  absl::StatusOr<int> Tick();

  // Makes sure the issuer slots (EdDSA, ES256) have an ACTIVE key.
  absl::Status EnsureIssuerKeys(absl::string_view actor);

 private:
  absl::Status Commit(absl::FunctionRef<absl::Status(Transaction&)> fn);
  // The requested activation delay, or the configured one; >= 0.
  absl::StatusOr<absl::Duration> ResolveDelay(
      std::optional<absl::Duration> requested) const;
  const IdentityContext& ctx_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_KEY_SERVICE_H_
