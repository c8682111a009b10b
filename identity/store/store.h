// The storage seam of meshid-identity: one small repository per kind of
// record, all reached through a Transaction, and a Store that runs a function
// inside one transaction.
//
//   absl::Status s = store->RunInTransaction([&](Transaction& tx) {
//     ASSIGN_OR_RETURN(int64_t v, tx.events().Append(ChangeKind::kKeyChanged,
//                                                    kid, now));
//     record.version = v;
//     RETURN_IF_ERROR(tx.keys().Insert(record));
//     return tx.audit().Append(audit_event_with_version_v);
//   });
//
// Contract for every implementation (tests/identity/store/ checks it on
// SQLite and PostgreSQL alike):
//   - A function that returns non-OK, or a store failure at any point,
//     leaves no trace: nothing half-written.
//   - Store unreachable/broken connection: UNAVAILABLE (and the next call
//     reconnects). Constraint violations: ALREADY_EXISTS (duplicate key) or
//     FAILED_PRECONDITION. Missing rows on Get/Update: NOT_FOUND.
//   - Versions from events().Append are gap-free and increase in commit
//     order (a writer holds the version counter until it commits).
//   - After a store failure (UNAVAILABLE, INTERNAL, ...) inside a
//     transaction, every later call in it returns that failure and the
//     transaction rolls back even if the function returns OK. NOT_FOUND and
//     ALREADY_EXISTS are answers, not failures: the transaction goes on.
//   - Values the store cannot keep exactly are INVALID_ARGUMENT, on both
//     dialects alike: an infinite time or one outside the years 1..9999,
//     text that is not UTF-8 or holds a NUL byte, an empty id, a limit <= 0.
//     Times are kept to the microsecond; finer parts are dropped, so callers
//     that compare round trips store microsecond-truncated times.
//   - No exception crosses this interface.
#ifndef MESHID_IDENTITY_STORE_STORE_H_
#define MESHID_IDENTITY_STORE_STORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "identity/store/records.h"

namespace meshid::identity {

class KeyRepository {
 public:
  virtual ~KeyRepository() = default;
  virtual absl::Status Insert(const KeyRecord& key) = 0;
  // Replaces the row with key.kid (state, activated/retired/expires/revoked
  // times, version; never the kid, alg, slot, material, created_at or
  // created_by). NOT_FOUND if absent.
  virtual absl::Status Update(const KeyRecord& key) = 0;
  virtual absl::StatusOr<KeyRecord> Get(absl::string_view kid) = 0;
  // Every key, ordered by created_at then kid.
  virtual absl::StatusOr<std::vector<KeyRecord>> ListAll() = 0;
};

class PrincipalRepository {
 public:
  virtual ~PrincipalRepository() = default;
  virtual absl::Status Insert(const PrincipalRecord& principal) = 0;
  // Everything but id, kind and created_at. NOT_FOUND if absent.
  virtual absl::Status Update(const PrincipalRecord& principal) = 0;
  virtual absl::StatusOr<PrincipalRecord> Get(absl::string_view id) = 0;
  // Ordered by id; at most `limit` with id > `after_id` (paging).
  virtual absl::StatusOr<std::vector<PrincipalRecord>> List(
      absl::string_view after_id, int limit) = 0;
};

class ClientRepository {
 public:
  virtual ~ClientRepository() = default;
  virtual absl::Status Insert(const ClientRecord& client) = 0;
  // Everything but client_id and created_at. NOT_FOUND if absent.
  virtual absl::Status Update(const ClientRecord& client) = 0;
  // NOT_FOUND if absent.
  virtual absl::Status Delete(absl::string_view client_id) = 0;
  virtual absl::StatusOr<ClientRecord> Get(absl::string_view client_id) = 0;
  // Ordered by client_id.
  virtual absl::StatusOr<std::vector<ClientRecord>> ListAll() = 0;
};

class RevocationRepository {
 public:
  virtual ~RevocationRepository() = default;
  // Upserts (a second revocation of the same jti keeps the first row).
  virtual absl::Status RevokeJti(const RevokedJti& jti) = 0;
  // Upserts, keeping the later revoked_before.
  virtual absl::Status RevokeSubject(const RevokedSubject& subject) = 0;
  // Those whose token could still be valid at `now` (expires_at >= now).
  virtual absl::StatusOr<std::vector<RevokedJti>> ListJtis(absl::Time now) = 0;
  virtual absl::StatusOr<std::vector<RevokedSubject>> ListSubjects() = 0;
  virtual absl::StatusOr<RevokedJti> GetJti(absl::string_view jti) = 0;
  virtual absl::StatusOr<RevokedSubject> GetSubject(
      absl::string_view subject) = 0;
};

class EventRepository {
 public:
  virtual ~EventRepository() = default;
  // Takes the next global version for this transaction's change and records
  // what changed. Returns the version. PostgreSQL also sends
  // NOTIFY meshid_changes with the version as payload, delivered on commit
  // only.
  virtual absl::StatusOr<int64_t> Append(ChangeKind kind,
                                         absl::string_view subject_id,
                                         absl::Time at) = 0;
  // The latest committed version (0 when nothing changed yet).
  virtual absl::StatusOr<int64_t> CurrentVersion() = 0;
  // Changes with version > `after`, ascending, at most `limit`.
  virtual absl::StatusOr<std::vector<ChangeEvent>> ListSince(int64_t after,
                                                             int limit) = 0;
};

struct AuditFilter {
  std::string actor;                // exact; empty = any
  std::string action;               // exact; empty = any
  std::string kid;                  // exact; empty = any
  std::optional<absl::Time> since;  // inclusive
  std::optional<absl::Time> until;  // exclusive
  int64_t before_id = 0;  // paging: only ids below this (0 = no bound)
  int limit = 100;
};

class AuditRepository {
 public:
  virtual ~AuditRepository() = default;
  // Stores the event, assigning its id.
  virtual absl::StatusOr<int64_t> Append(const AuditEvent& event) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<AuditEvent>> List(
      const AuditFilter& filter) = 0;
};

// The repositories bound to one open transaction. Valid only inside the
// function given to Store::RunInTransaction.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual KeyRepository& keys() = 0;
  virtual PrincipalRepository& principals() = 0;
  virtual ClientRepository& clients() = 0;
  virtual RevocationRepository& revocations() = 0;
  virtual EventRepository& events() = 0;
  virtual AuditRepository& audit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Runs `fn` in one transaction: commits when it returns OK, rolls back
  // otherwise and returns its status. Thread-safe: concurrent calls run in
  // separate transactions (on separate connections for PostgreSQL).
  // `fn` may run more than once: PostgreSQL reports some conflicts
  // (deadlock, serialization failure) that are resolved by running the
  // transaction again, which the store does up to 3 times. So `fn` must have
  // no effect outside `tx` besides (re)assigning its results, and must not
  // call RunInTransaction on the same store (SQLite would deadlock).
  virtual absl::Status RunInTransaction(
      absl::FunctionRef<absl::Status(Transaction&)> fn) = 0;
  // "sqlite" or "postgresql", for logs and metrics.
  virtual absl::string_view dialect() const = 0;
};

struct StoreOptions {
  int pool_size = 4;  // PostgreSQL connections
  absl::Duration busy_timeout = absl::Seconds(5);
};

// Opens "sqlite:///abs/path/meshid.db" (the file is created if missing, its
// folder must exist) or "postgresql://..." / "postgres://..." (any libpq URL;
// connect_timeout defaults to 5 s), and applies pending migrations from
// sql/<dialect>/ (embedded in the binary), recording each in
// schema_migrations. INVALID_ARGUMENT for another scheme, a malformed URL or
// a missing folder, UNAVAILABLE when the database cannot be reached. No
// message holds the URL's password (see RedactUrl in storage/store_url.h).
absl::StatusOr<std::unique_ptr<Store>> OpenStore(absl::string_view url,
                                                 const StoreOptions& options);

// The migrations each dialect has, and which are applied. For
// `meshid-identity migrate` and tests.
struct MigrationStatus {
  std::vector<std::string> applied;  // e.g. "0001_init"
  std::vector<std::string> available;
};
absl::StatusOr<MigrationStatus> GetMigrationStatus(absl::string_view url);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_STORE_STORE_H_
