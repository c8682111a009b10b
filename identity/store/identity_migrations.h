// meshid-identity's schema: the migrations in sql/sqlite/ and sql/postgres/,
// compiled in by meshid_embed_migrations() (see CMakeLists.txt).
//
//   RETURN_IF_ERROR(storage::ApplySqliteMigrations(
//       db, IdentityMigrations().For(storage::SqlDialect::kSqlite)));
#ifndef MESHID_IDENTITY_STORE_IDENTITY_MIGRATIONS_H_
#define MESHID_IDENTITY_STORE_IDENTITY_MIGRATIONS_H_

#include "storage/migrations.h"

namespace meshid::identity::store_internal {

// Defined in the generated IdentityMigrations_embedded.cc.
const storage::MigrationSet& IdentityMigrations();

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_IDENTITY_MIGRATIONS_H_
