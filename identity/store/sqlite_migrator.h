// Applies the embedded SQLite migrations and reports which are applied.
#ifndef MESHID_IDENTITY_STORE_SQLITE_MIGRATOR_H_
#define MESHID_IDENTITY_STORE_SQLITE_MIGRATOR_H_

#include <sqlite3.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace meshid::identity::store_internal {

// Creates schema_migrations if missing, then applies each migration it does
// not list, in name order, each in its own BEGIN IMMEDIATE transaction
// together with its schema_migrations row. The write lock BEGIN IMMEDIATE
// takes makes a second process (meshctl migrate) wait rather than race.
absl::Status ApplySqliteMigrations(sqlite3* db);

// The names in schema_migrations, in order; empty if it does not exist.
absl::StatusOr<std::vector<std::string>> ListAppliedSqliteMigrations(
    sqlite3* db);

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_SQLITE_MIGRATOR_H_
