#include "identity/store/pg_store.h"

#include <optional>
#include <pqxx/pqxx>
#include <utility>

#include "common/status_macros.h"
#include "identity/store/identity_migrations.h"
#include "identity/store/pg_transaction.h"
#include "storage/pg_errors.h"
#include "storage/pg_migrator.h"

namespace meshid::identity::store_internal {
namespace {

constexpr int kMaxAttempts = 3;

}  // namespace

PgStore::PgStore(const storage::ParsedStoreUrl& url,
                 const StoreOptions& options)
    : secrets_(url.secrets),
      pool_(url.pg_conninfo, options.pool_size, url.secrets) {}

absl::StatusOr<std::unique_ptr<Store>> PgStore::Open(
    const storage::ParsedStoreUrl& url, const StoreOptions& options) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<pqxx::connection> connection,
      storage::PgConnectionPool::Connect(url.pg_conninfo, url.secrets));
  RETURN_IF_ERROR(storage::ApplyPgMigrations(
      *connection, IdentityMigrations().For(storage::SqlDialect::kPostgres),
      url.secrets));
  return std::unique_ptr<Store>(new PgStore(url, options));
}

absl::Status PgStore::RunInTransaction(
    absl::FunctionRef<absl::Status(Transaction&)> fn) {
  absl::Status status;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    status = RunOnce(fn);
    if (!storage::IsRetryablePgStatus(status)) return status;
  }
  return status;
}

absl::Status PgStore::RunOnce(
    absl::FunctionRef<absl::Status(Transaction&)> fn) {
  for (int tries = 0;; ++tries) {
    ASSIGN_OR_RETURN(storage::PgConnectionPool::Lease lease, pool_.Acquire());
    absl::Status status;
    bool began = false;
    {
      std::optional<pqxx::work> work;
      try {
        work.emplace(lease.connection());
        began = true;
      } catch (...) {
        status = storage::CurrentPgExceptionToStatus(secrets_);
      }
      if (began) status = RunInWork(*work, fn);
    }  // the transaction object must end before its connection may close
    const bool broken =
        absl::IsUnavailable(status) || !lease.connection().is_open();
    if (broken) {
      lease.Discard();
      // Whatever broke this connection (a server restart, an operator
      // terminating backends) most likely broke its idle siblings too.
      pool_.DropIdle();
    }
    // A pooled connection that died while idle fails at BEGIN, before `fn`
    // ran: nothing to undo, so start over once on a fresh connection.
    if (broken && !began && lease.reused() && tries == 0) continue;
    return status;
  }
}

absl::Status PgStore::RunInWork(
    pqxx::work& work, absl::FunctionRef<absl::Status(Transaction&)> fn) {
  PgTransaction tx(work, secrets_);
  absl::Status status = fn(tx);
  // A statement failed and PostgreSQL aborted the transaction, but `fn`
  // returned OK anyway: never report that as committed.
  if (status.ok()) status = tx.failure();
  if (!status.ok()) {
    try {
      work.abort();
    } catch (...) {
      // The connection is gone, and the server rolls back on its own.
    }
    return status;
  }
  try {
    work.commit();
  } catch (...) {
    return storage::CurrentPgExceptionToStatus(secrets_);
  }
  return absl::OkStatus();
}

absl::StatusOr<MigrationStatus> GetPgMigrationStatus(
    const storage::ParsedStoreUrl& url) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<pqxx::connection> connection,
      storage::PgConnectionPool::Connect(url.pg_conninfo, url.secrets));
  MigrationStatus status;
  ASSIGN_OR_RETURN(status.applied,
                   storage::ListAppliedPgMigrations(*connection, url.secrets));
  status.available = IdentityMigrations().Names(storage::SqlDialect::kPostgres);
  return status;
}

}  // namespace meshid::identity::store_internal
