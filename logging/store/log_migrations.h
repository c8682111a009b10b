// meshid-log's schema: the migrations in sql/logging/sqlite/ and
// sql/logging/postgres/, compiled in by meshid_embed_migrations() (see
// CMakeLists.txt) and recorded in the log database's own
// schema_migrations.
//
//   RETURN_IF_ERROR(storage::ApplySqliteMigrations(db,
//   LogMigrations().sqlite));
#ifndef MESHID_LOGGING_STORE_LOG_MIGRATIONS_H_
#define MESHID_LOGGING_STORE_LOG_MIGRATIONS_H_

#include "storage/migrations.h"

namespace meshid::logging {

// Defined in the generated LogMigrations_embedded.cc.
const storage::MigrationSet& LogMigrations();

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_LOG_MIGRATIONS_H_
