#include "identity/store/sqlite_store.h"

#include <string>
#include <utility>

#include "common/status_macros.h"
#include "identity/store/identity_migrations.h"
#include "identity/store/sqlite_transaction.h"
#include "storage/sqlite_file.h"
#include "storage/sqlite_migrator.h"

namespace meshid::identity::store_internal {

absl::StatusOr<std::unique_ptr<Store>> SqliteStore::Open(
    const storage::ParsedStoreUrl& url, const StoreOptions& options) {
  RETURN_IF_ERROR(storage::CheckSqliteFolderExists(url.sqlite_path));
  ASSIGN_OR_RETURN(storage::SqliteHandle db,
                   storage::OpenSqlite(url.sqlite_path, /*create=*/true,
                                       options.busy_timeout));
  RETURN_IF_ERROR(storage::EnableSqliteWal(db.get(), url.sqlite_path));
  RETURN_IF_ERROR(storage::ApplySqliteMigrations(
      db.get(), IdentityMigrations().For(storage::SqlDialect::kSqlite)));
  return std::unique_ptr<Store>(new SqliteStore(std::move(db)));
}

absl::Status SqliteStore::RunInTransaction(
    absl::FunctionRef<absl::Status(Transaction&)> fn) {
  absl::MutexLock lock(&mu_);
  sqlite3* db = db_.get();
  // IMMEDIATE takes the write lock now rather than at the first write, so a
  // transaction never fails half way for want of it (and another process
  // waits up to busy_timeout instead of deadlocking with this one).
  RETURN_IF_ERROR(storage::SqliteExec(db, "BEGIN IMMEDIATE"));
  SqliteTransaction tx(db);
  absl::Status status = fn(tx);
  // A store failure the function ignored still means "do not commit".
  if (status.ok()) status = tx.failure();
  if (status.ok()) status = storage::SqliteExec(db, "COMMIT");
  // SQLite may already have rolled back by itself (I/O error, disk full).
  if (!status.ok() && !sqlite3_get_autocommit(db)) {
    storage::SqliteExec(db, "ROLLBACK").IgnoreError();
  }
  return status;
}

absl::StatusOr<MigrationStatus> GetSqliteMigrationStatus(
    const storage::ParsedStoreUrl& url, const StoreOptions& options) {
  RETURN_IF_ERROR(storage::CheckSqliteFolderExists(url.sqlite_path));
  MigrationStatus status;
  status.available = IdentityMigrations().Names(storage::SqlDialect::kSqlite);
  // Asking must not create the database.
  if (!storage::SqliteFileExists(url.sqlite_path)) return status;
  ASSIGN_OR_RETURN(storage::SqliteHandle db,
                   storage::OpenSqlite(url.sqlite_path,
                                       /*create=*/false, options.busy_timeout));
  ASSIGN_OR_RETURN(status.applied,
                   storage::ListAppliedSqliteMigrations(db.get()));
  return status;
}

}  // namespace meshid::identity::store_internal
