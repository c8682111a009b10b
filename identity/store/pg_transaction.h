// The PostgreSQL side of one Store::RunInTransaction call: the open pqxx
// transaction, the repositories bound to it, and the first failure.
#ifndef MESHID_IDENTITY_STORE_PG_TRANSACTION_H_
#define MESHID_IDENTITY_STORE_PG_TRANSACTION_H_

#include <pqxx/transaction>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "identity/store/store.h"
#include "storage/pg_errors.h"

namespace meshid::identity::store_internal {

// Runs statements on one pqxx transaction and remembers the first failure.
// PostgreSQL aborts the whole transaction on any statement error, so after
// one every later call fails the same way and RunInTransaction rolls back
// even if the caller's function ignored the error.
class PgTxContext {
 public:
  PgTxContext(pqxx::work& work, const std::vector<std::string>& secrets)
      : work_(work), secrets_(secrets) {}

  pqxx::work& work() { return work_; }
  const absl::Status& failure() const { return failure_; }

  // Runs `body` (returning absl::Status or absl::StatusOr<T>); a libpqxx
  // exception becomes the returned, remembered failure.
  template <typename F>
  auto Run(F&& body) -> decltype(body()) {
    if (!failure_.ok()) return failure_;
    try {
      return std::forward<F>(body)();
    } catch (...) {
      failure_ = storage::CurrentPgExceptionToStatus(secrets_);
      return failure_;
    }
  }

 private:
  pqxx::work& work_;
  const std::vector<std::string>& secrets_;
  absl::Status failure_;
};

class PgKeyRepository : public KeyRepository {
 public:
  explicit PgKeyRepository(PgTxContext& ctx) : ctx_(ctx) {}
  absl::Status Insert(const KeyRecord& key) override;
  absl::Status Update(const KeyRecord& key) override;
  absl::StatusOr<KeyRecord> Get(absl::string_view kid) override;
  absl::StatusOr<std::vector<KeyRecord>> ListAll() override;

 private:
  PgTxContext& ctx_;
};

class PgPrincipalRepository : public PrincipalRepository {
 public:
  explicit PgPrincipalRepository(PgTxContext& ctx) : ctx_(ctx) {}
  absl::Status Insert(const PrincipalRecord& principal) override;
  absl::Status Update(const PrincipalRecord& principal) override;
  absl::StatusOr<PrincipalRecord> Get(absl::string_view id) override;
  absl::StatusOr<std::vector<PrincipalRecord>> List(absl::string_view after_id,
                                                    int limit) override;

 private:
  PgTxContext& ctx_;
};

class PgClientRepository : public ClientRepository {
 public:
  explicit PgClientRepository(PgTxContext& ctx) : ctx_(ctx) {}
  absl::Status Insert(const ClientRecord& client) override;
  absl::Status Update(const ClientRecord& client) override;
  absl::Status Delete(absl::string_view client_id) override;
  absl::StatusOr<ClientRecord> Get(absl::string_view client_id) override;
  absl::StatusOr<std::vector<ClientRecord>> ListAll() override;

 private:
  PgTxContext& ctx_;
};

class PgRevocationRepository : public RevocationRepository {
 public:
  explicit PgRevocationRepository(PgTxContext& ctx) : ctx_(ctx) {}
  absl::Status RevokeJti(const RevokedJti& jti) override;
  absl::Status RevokeSubject(const RevokedSubject& subject) override;
  absl::StatusOr<std::vector<RevokedJti>> ListJtis(absl::Time now) override;
  absl::StatusOr<std::vector<RevokedSubject>> ListSubjects() override;
  absl::StatusOr<RevokedJti> GetJti(absl::string_view jti) override;
  absl::StatusOr<RevokedSubject> GetSubject(absl::string_view subject) override;

 private:
  PgTxContext& ctx_;
};

class PgEventRepository : public EventRepository {
 public:
  explicit PgEventRepository(PgTxContext& ctx) : ctx_(ctx) {}
  absl::StatusOr<int64_t> Append(ChangeKind kind, absl::string_view subject_id,
                                 absl::Time at) override;
  absl::StatusOr<int64_t> CurrentVersion() override;
  absl::StatusOr<std::vector<ChangeEvent>> ListSince(int64_t after,
                                                     int limit) override;

 private:
  PgTxContext& ctx_;
};

class PgAuditRepository : public AuditRepository {
 public:
  explicit PgAuditRepository(PgTxContext& ctx) : ctx_(ctx) {}
  absl::StatusOr<int64_t> Append(const AuditEvent& event) override;
  absl::StatusOr<std::vector<AuditEvent>> List(
      const AuditFilter& filter) override;

 private:
  PgTxContext& ctx_;
};

class PgTransaction : public Transaction {
 public:
  PgTransaction(pqxx::work& work, const std::vector<std::string>& secrets)
      : ctx_(work, secrets),
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
  PgTxContext ctx_;
  PgKeyRepository keys_;
  PgPrincipalRepository principals_;
  PgClientRepository clients_;
  PgRevocationRepository revocations_;
  PgEventRepository events_;
  PgAuditRepository audit_;
};

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_PG_TRANSACTION_H_
