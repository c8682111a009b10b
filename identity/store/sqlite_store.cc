#include "identity/store/sqlite_store.h"

#include <sys/stat.h>

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "identity/store/migrations.h"
#include "identity/store/sqlite_migrator.h"
#include "identity/store/sqlite_transaction.h"

namespace meshid::identity::store_internal {
namespace {

// SQLite would fail with a bare "unable to open database file"; a missing
// folder is a deployment mistake worth naming. meshid does not create it:
// its owner and mode are the operator's decision.
absl::Status CheckFolderExists(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string folder = slash == 0 ? "/" : path.substr(0, slash);
  struct stat st {};
  if (stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SQLite store folder \"", folder,
                     "\" does not exist or is not a folder; create it first"));
  }
  return absl::OkStatus();
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

// WAL lets readers (meshctl, a backup) run beside the writer, and commits
// append instead of rewriting pages. The setting is stored in the file.
absl::Status EnableWal(sqlite3* db, const std::string& path) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   SqliteStatement::Prepare(db, "PRAGMA journal_mode = WAL"));
  ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  const std::string mode = has_row ? absl::AsciiStrToLower(stmt.Text(0)) : "";
  if (mode != "wal") {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot use WAL mode for ", path, " (got \"", mode,
        "\"); is it on a filesystem without shared memory support?"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> SqliteStore::Open(
    const ParsedStoreUrl& url, const StoreOptions& options) {
  RETURN_IF_ERROR(CheckFolderExists(url.sqlite_path));
  ASSIGN_OR_RETURN(SqliteHandle db, OpenSqlite(url.sqlite_path, /*create=*/true,
                                               options.busy_timeout));
  RETURN_IF_ERROR(EnableWal(db.get(), url.sqlite_path));
  RETURN_IF_ERROR(ApplySqliteMigrations(db.get()));
  return std::unique_ptr<Store>(new SqliteStore(std::move(db)));
}

absl::Status SqliteStore::RunInTransaction(
    absl::FunctionRef<absl::Status(Transaction&)> fn) {
  absl::MutexLock lock(&mu_);
  sqlite3* db = db_.get();
  // IMMEDIATE takes the write lock now rather than at the first write, so a
  // transaction never fails half way for want of it (and another process
  // waits up to busy_timeout instead of deadlocking with this one).
  RETURN_IF_ERROR(SqliteExec(db, "BEGIN IMMEDIATE"));
  SqliteTransaction tx(db);
  absl::Status status = fn(tx);
  // A store failure the function ignored still means "do not commit".
  if (status.ok()) status = tx.failure();
  if (status.ok()) status = SqliteExec(db, "COMMIT");
  // SQLite may already have rolled back by itself (I/O error, disk full).
  if (!status.ok() && !sqlite3_get_autocommit(db)) {
    SqliteExec(db, "ROLLBACK").IgnoreError();
  }
  return status;
}

absl::StatusOr<MigrationStatus> GetSqliteMigrationStatus(
    const ParsedStoreUrl& url, const StoreOptions& options) {
  RETURN_IF_ERROR(CheckFolderExists(url.sqlite_path));
  MigrationStatus status;
  status.available = MigrationNames(SqlDialect::kSqlite);
  // Asking must not create the database.
  if (!FileExists(url.sqlite_path)) return status;
  ASSIGN_OR_RETURN(SqliteHandle db,
                   OpenSqlite(url.sqlite_path,
                              /*create=*/false, options.busy_timeout));
  ASSIGN_OR_RETURN(status.applied, ListAppliedSqliteMigrations(db.get()));
  return status;
}

}  // namespace meshid::identity::store_internal
