#include "storage/pg_migrator.h"

#include <cstdint>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "storage/migrations.h"
#include "storage/pg_errors.h"

namespace meshid::storage {
namespace {

// Any fixed number, shared by every meshid replica ("meshid" in ASCII).
constexpr int64_t kMigrationLockKey = 0x6d6573686964;

void LockMigrations(pqxx::work& work) {
  // Transaction-scoped: released by commit or rollback, never leaked by a
  // connection that dies half way.
  work.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
}

}  // namespace

absl::Status ApplyPgMigrations(pqxx::connection& connection,
                               const std::vector<Migration>& migrations,
                               const std::vector<std::string>& secrets) {
  std::string current = "schema_migrations";
  try {
    {
      pqxx::work work(connection);
      LockMigrations(work);
      // Without the lock two replicas' CREATE TABLE IF NOT EXISTS can still
      // collide in the catalog.
      work.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations ("
          "name text COLLATE \"C\" PRIMARY KEY, "
          "applied_at timestamptz NOT NULL DEFAULT now())");
      work.commit();
    }
    for (const Migration& migration : migrations) {
      current = std::string(migration.name);
      pqxx::work work(connection);
      LockMigrations(work);
      // Checked under the lock: another replica may have applied it while
      // this one waited.
      const pqxx::result applied = work.exec_params(
          "SELECT 1 FROM schema_migrations WHERE name = $1", current);
      if (!applied.empty()) continue;  // the destructor rolls back
      work.exec(std::string(migration.sql));
      work.exec_params("INSERT INTO schema_migrations (name) VALUES ($1)",
                       current);
      work.commit();
    }
  } catch (...) {
    const absl::Status status = CurrentPgExceptionToStatus(secrets);
    return absl::Status(status.code(), absl::StrCat("migration ", current, ": ",
                                                    status.message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> ListAppliedPgMigrations(
    pqxx::connection& connection, const std::vector<std::string>& secrets) {
  try {
    pqxx::read_transaction work(connection);
    std::vector<std::string> names;
    if (work.exec1("SELECT to_regclass('schema_migrations') IS NULL")[0]
            .as<bool>()) {
      return names;
    }
    for (const pqxx::row& row :
         work.exec("SELECT name FROM schema_migrations ORDER BY name")) {
      names.push_back(row[0].as<std::string>());
    }
    return names;
  } catch (...) {
    return CurrentPgExceptionToStatus(secrets);
  }
}

}  // namespace meshid::storage
