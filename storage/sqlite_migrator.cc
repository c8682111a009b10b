#include "storage/sqlite_migrator.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status_macros.h"
#include "storage/migrations.h"
#include "storage/sqlite_db.h"

namespace meshid::storage {
namespace {

// Runs `body` between BEGIN IMMEDIATE and COMMIT, rolling back on error.
template <typename F>
absl::Status InWriteTransaction(sqlite3* db, F body) {
  RETURN_IF_ERROR(SqliteExec(db, "BEGIN IMMEDIATE"));
  absl::Status status = body();
  if (status.ok()) status = SqliteExec(db, "COMMIT");
  if (!status.ok() && !sqlite3_get_autocommit(db)) {
    SqliteExec(db, "ROLLBACK").IgnoreError();
  }
  return status;
}

absl::StatusOr<bool> IsApplied(sqlite3* db, absl::string_view name) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   SqliteStatement::Prepare(
                       db, "SELECT 1 FROM schema_migrations WHERE name = ?1"));
  stmt.BindText(1, name);
  return stmt.Step();
}

absl::Status Apply(sqlite3* db, const Migration& migration) {
  ASSIGN_OR_RETURN(bool applied, IsApplied(db, migration.name));
  // Checked under the write lock: another process may have applied it while
  // this one waited.
  if (applied) return absl::OkStatus();
  RETURN_IF_ERROR(SqliteExec(db, std::string(migration.sql).c_str()));
  ASSIGN_OR_RETURN(SqliteStatement record,
                   SqliteStatement::Prepare(
                       db,
                       "INSERT INTO schema_migrations (name, applied_at) "
                       "VALUES (?1, ?2)"));
  record.BindText(1, migration.name)
      .BindInt64(2, absl::ToUnixMicros(absl::Now()));
  return record.Run();
}

}  // namespace

absl::Status ApplySqliteMigrations(sqlite3* db,
                                   const std::vector<Migration>& migrations) {
  RETURN_IF_ERROR(InWriteTransaction(db, [db] {
    return SqliteExec(db,
                      "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      "name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL) "
                      "STRICT");
  }));
  for (const Migration& migration : migrations) {
    absl::Status status =
        InWriteTransaction(db, [&] { return Apply(db, migration); });
    if (!status.ok()) {
      return absl::Status(
          status.code(),
          absl::StrCat("migration ", migration.name, ": ", status.message()));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListAppliedSqliteMigrations(
    sqlite3* db) {
  std::vector<std::string> names;
  ASSIGN_OR_RETURN(SqliteStatement exists,
                   SqliteStatement::Prepare(
                       db,
                       "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND "
                       "name = 'schema_migrations'"));
  ASSIGN_OR_RETURN(bool has_table, exists.Step());
  if (!has_table) return names;
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   SqliteStatement::Prepare(
                       db, "SELECT name FROM schema_migrations ORDER BY name"));
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return names;
    names.push_back(stmt.Text(0));
  }
}

}  // namespace meshid::storage
