// The records meshid-identity keeps, as plain structs. Stores persist them;
// nothing here knows SQL or protobuf.
#ifndef MESHID_IDENTITY_STORE_RECORDS_H_
#define MESHID_IDENTITY_STORE_RECORDS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/token/algorithm.h"
#include "common/token/keys.h"  // KeyState

namespace meshid::identity {

// One signing/verification key. HS256 keys belong to the slot (client_id,
// audience); EdDSA/ES256 issuer keys to the slot of their algorithm, with
// empty client_id and audience.
struct KeyRecord {
  std::string kid;
  Algorithm alg = Algorithm::kHs256;
  KeyState state = KeyState::kPending;
  std::string client_id;
  std::string audience;
  // AES-256-GCM under the master key, kid as associated data. Never clear.
  std::string sealed_material;
  absl::Time created_at = absl::InfinitePast();
  std::optional<absl::Time> activated_at;
  std::optional<absl::Time> retired_at;
  // When a RETIRED key stops verifying (retired_at + max TTL + skew).
  std::optional<absl::Time> expires_at;
  std::optional<absl::Time> revoked_at;
  std::string created_by;
  // The global version of this record's last change.
  int64_t version = 0;
};

enum class PrincipalKind : uint8_t { kService = 1, kUser = 2 };

enum class PrincipalState : uint8_t {
  kGuest = 1,
  kRegistered = 2,
  kSubscriber = 3,
  kActive = 4,  // services
  kSuspended = 5,
  kDeleted = 6,
};

struct PrincipalRecord {
  std::string id;  // for services, the client_id
  PrincipalKind kind = PrincipalKind::kService;
  PrincipalState state = PrincipalState::kActive;
  // The state a SUSPENDED principal returns to on reinstate.
  std::optional<PrincipalState> suspended_from;
  std::vector<std::string> granted_roles;  // on top of the state's roles
  // Users only: "pbkdf2-sha256$<iterations>$<b64 salt>$<b64 hash>".
  std::string password_hash;
  absl::Time created_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
  int64_t version = 0;
};

// A service client: how it authenticates and what it may ask for.
struct ClientRecord {
  std::string client_id;
  std::string display_name;
  // HMAC-SHA256(master key, secret), base64url. Never the secret.
  std::string secret_hash;
  // The policy as JSON, owned by identity/ (ClientPolicy::ToJson). The store
  // keeps it opaque.
  std::string policy_json;
  absl::Time created_at = absl::InfinitePast();
  absl::Time updated_at = absl::InfinitePast();
  int64_t version = 0;
};

// What changed at a version. Every committed change to keys, revocations,
// clients or principals appends exactly one; versions are gap-free and
// commit in order, so a reader that has seen version V and reads
// "since V" misses nothing.
enum class ChangeKind : uint8_t {
  kKeyChanged = 1,        // subject_id = kid (inserted or state changed)
  kJtiRevoked = 2,        // subject_id = jti
  kSubjectRevoked = 3,    // subject_id = subject
  kClientChanged = 4,     // subject_id = client_id (created/updated/deleted)
  kPrincipalChanged = 5,  // subject_id = principal id
};

struct ChangeEvent {
  int64_t version = 0;
  ChangeKind kind = ChangeKind::kKeyChanged;
  std::string subject_id;
  absl::Time at = absl::InfinitePast();
};

struct RevokedJti {
  std::string jti;
  absl::Time expires_at;  // the token's exp: prunable afterwards
  absl::Time revoked_at;
  int64_t version = 0;
};

struct RevokedSubject {
  std::string subject;
  absl::Time revoked_before;  // tokens issued before this fail
  absl::Time revoked_at;
  int64_t version = 0;
};

// Who did what, when; never key material or a secret.
struct AuditEvent {
  int64_t id = 0;  // assigned by the store
  absl::Time at = absl::InfinitePast();
  std::string actor;   // the caller's subject, or "system"
  std::string action;  // e.g. "key.rotate", "client.create"
  std::string target;  // kid, client_id, principal id, ...
  std::string kid;     // the key involved, if any
  std::map<std::string, std::string> details;
  int64_t version = 0;  // the change version it belongs to (0 if none)
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_STORE_RECORDS_H_
