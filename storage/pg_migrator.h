// Applies a database's PostgreSQL migrations and reports which are applied.
//
//   RETURN_IF_ERROR(ApplyPgMigrations(connection, LogMigrations().postgres,
//                                     url.secrets));
#ifndef MESHID_STORAGE_PG_MIGRATOR_H_
#define MESHID_STORAGE_PG_MIGRATOR_H_

#include <pqxx/connection>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/migrations.h"

namespace meshid::storage {

// Creates schema_migrations if missing, then applies each migration it does
// not list, in name order, each in its own transaction together with its
// schema_migrations row. Every transaction first takes one advisory lock, so
// replicas starting together apply each migration exactly once.
absl::Status ApplyPgMigrations(pqxx::connection& connection,
                               const std::vector<Migration>& migrations,
                               const std::vector<std::string>& secrets);

// The names in schema_migrations, in order; empty if it does not exist.
absl::StatusOr<std::vector<std::string>> ListAppliedPgMigrations(
    pqxx::connection& connection, const std::vector<std::string>& secrets);

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_PG_MIGRATOR_H_
