// The SQLite side of one Store::RunInTransaction call: the repositories bound
// to the open transaction, and the first failure.
#ifndef MESHID_IDENTITY_STORE_SQLITE_TRANSACTION_H_
#define MESHID_IDENTITY_STORE_SQLITE_TRANSACTION_H_

#include <sqlite3.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "identity/store/store.h"

namespace meshid::identity::store_internal {

// Runs statements inside one SQLite transaction and remembers the first store
// failure. SQLite may roll the whole transaction back on its own (busy, I/O
// error, disk full); statements after that would run outside any transaction,
// so after a failure every later call fails the same way and
// RunInTransaction rolls back even if the caller's function ignored it.
class SqliteTxContext {
 public:
  explicit SqliteTxContext(sqlite3* db) : db_(db) {}

  sqlite3* db() { return db_; }
  const absl::Status& failure() const { return failure_; }

  // Runs `body` (returning absl::Status or absl::StatusOr<T>).
  template <typename F>
  auto Run(F&& body) -> decltype(body()) {
    if (!failure_.ok()) return failure_;
    auto result = std::forward<F>(body)();
    const absl::Status status = StatusOf(result);
    // NOT_FOUND and ALREADY_EXISTS are answers, not failures: the
    // transaction goes on.
    if (!status.ok() && !absl::IsNotFound(status) &&
        !absl::IsAlreadyExists(status)) {
      failure_ = status;
    }
    return result;
  }

 private:
  static absl::Status StatusOf(const absl::Status& s) { return s; }
  template <typename T>
  static absl::Status StatusOf(const absl::StatusOr<T>& s) {
    return s.status();
  }

  sqlite3* db_;
  absl::Status failure_;
};

class SqliteKeyRepository : public KeyRepository {
 public:
  explicit SqliteKeyRepository(SqliteTxContext& ctx) : ctx_(ctx) {}
  absl::Status Insert(const KeyRecord& key) override;
  absl::Status Update(const KeyRecord& key) override;
  absl::StatusOr<KeyRecord> Get(absl::string_view kid) override;
  absl::StatusOr<std::vector<KeyRecord>> ListAll() override;

 private:
  SqliteTxContext& ctx_;
};

class SqlitePrincipalRepository : public PrincipalRepository {
 public:
  explicit SqlitePrincipalRepository(SqliteTxContext& ctx) : ctx_(ctx) {}
  absl::Status Insert(const PrincipalRecord& principal) override;
  absl::Status Update(const PrincipalRecord& principal) override;
  absl::StatusOr<PrincipalRecord> Get(absl::string_view id) override;
  absl::StatusOr<std::vector<PrincipalRecord>> List(absl::string_view after_id,
                                                    int limit) override;

 private:
  SqliteTxContext& ctx_;
};

class SqliteClientRepository : public ClientRepository {
 public:
  explicit SqliteClientRepository(SqliteTxContext& ctx) : ctx_(ctx) {}
  absl::Status Insert(const ClientRecord& client) override;
  absl::Status Update(const ClientRecord& client) override;
  absl::Status Delete(absl::string_view client_id) override;
  absl::StatusOr<ClientRecord> Get(absl::string_view client_id) override;
  absl::StatusOr<std::vector<ClientRecord>> ListAll() override;

 private:
  SqliteTxContext& ctx_;
};

class SqliteRevocationRepository : public RevocationRepository {
 public:
  explicit SqliteRevocationRepository(SqliteTxContext& ctx) : ctx_(ctx) {}
  absl::Status RevokeJti(const RevokedJti& jti) override;
  absl::Status RevokeSubject(const RevokedSubject& subject) override;
  absl::StatusOr<std::vector<RevokedJti>> ListJtis(absl::Time now) override;
  absl::StatusOr<std::vector<RevokedSubject>> ListSubjects() override;
  absl::StatusOr<RevokedJti> GetJti(absl::string_view jti) override;
  absl::StatusOr<RevokedSubject> GetSubject(absl::string_view subject) override;

 private:
  SqliteTxContext& ctx_;
};

class SqliteEventRepository : public EventRepository {
 public:
  explicit SqliteEventRepository(SqliteTxContext& ctx) : ctx_(ctx) {}
  absl::StatusOr<int64_t> Append(ChangeKind kind, absl::string_view subject_id,
                                 absl::Time at) override;
  absl::StatusOr<int64_t> CurrentVersion() override;
  absl::StatusOr<std::vector<ChangeEvent>> ListSince(int64_t after,
                                                     int limit) override;

 private:
  SqliteTxContext& ctx_;
};

class SqliteAuditRepository : public AuditRepository {
 public:
  explicit SqliteAuditRepository(SqliteTxContext& ctx) : ctx_(ctx) {}
  absl::StatusOr<int64_t> Append(const AuditEvent& event) override;
  absl::StatusOr<std::vector<AuditEvent>> List(
      const AuditFilter& filter) override;

 private:
  SqliteTxContext& ctx_;
};

class SqliteTransaction : public Transaction {
 public:
  explicit SqliteTransaction(sqlite3* db)
      : ctx_(db),
        keys_(ctx_),
        principals_(ctx_),
        clients_(ctx_),
        revocations_(ctx_),
        events_(ctx_),
        audit_(ctx_) {}

  KeyRepository& keys() override { return keys_; }
  PrincipalRepository& principals() override { return principals_; }
  ClientRepository& clients() override { return clients_; }
  RevocationRepository& revocations() override { return revocations_; }
  EventRepository& events() override { return events_; }
  AuditRepository& audit() override { return audit_; }

  const absl::Status& failure() const { return ctx_.failure(); }

 private:
  SqliteTxContext ctx_;
  SqliteKeyRepository keys_;
  SqlitePrincipalRepository principals_;
  SqliteClientRepository clients_;
  SqliteRevocationRepository revocations_;
  SqliteEventRepository events_;
  SqliteAuditRepository audit_;
};

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_SQLITE_TRANSACTION_H_
