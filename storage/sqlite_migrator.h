// Applies a database's SQLite migrations and reports which are applied.
//
//   RETURN_IF_ERROR(ApplySqliteMigrations(db, LogMigrations().sqlite));
#ifndef MESHID_STORAGE_SQLITE_MIGRATOR_H_
#define MESHID_STORAGE_SQLITE_MIGRATOR_H_

#include <sqlite3.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/migrations.h"

namespace meshid::storage {

// Creates schema_migrations if missing, then applies each migration it does
// not list, in name order, each in its own BEGIN IMMEDIATE transaction
// together with its schema_migrations row. The write lock BEGIN IMMEDIATE
// takes makes a second process (meshctl migrate) wait rather than race.
absl::Status ApplySqliteMigrations(sqlite3* db,
                                   const std::vector<Migration>& migrations);

// The names in schema_migrations, in order; empty if it does not exist.
absl::StatusOr<std::vector<std::string>> ListAppliedSqliteMigrations(
    sqlite3* db);

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_SQLITE_MIGRATOR_H_
