// Schema migrations compiled into a binary: each database a meshid process
// owns (identity's, the Log server's) has its own numbered, forward-only set
// per dialect, embedded from sql/ at build time by
// meshid_embed_migrations() (storage/CMakeLists.txt).
//
//   // identity/store/CMakeLists.txt
//   meshid_embed_migrations(identity_migrations_cc
//     SQL_DIR ${PROJECT_SOURCE_DIR}/sql
//     NAMESPACE meshid::identity::store_internal
//     FUNCTION IdentityMigrations)
//
//   // C++
//   const storage::MigrationSet& IdentityMigrations();  // generated
//   RETURN_IF_ERROR(storage::ApplySqliteMigrations(db, IdentityMigrations()));
#ifndef MESHID_STORAGE_MIGRATIONS_H_
#define MESHID_STORAGE_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace meshid::storage {

enum class SqlDialect { kSqlite, kPostgres };

struct Migration {
  absl::string_view name;  // the file name without ".sql", e.g. "0001_init"
  absl::string_view sql;   // the whole file, possibly several statements
};

// One database's migrations, per dialect, each list in name order, which is
// the order they apply in.
struct MigrationSet {
  std::vector<Migration> sqlite;
  std::vector<Migration> postgres;

  const std::vector<Migration>& For(SqlDialect dialect) const {
    return dialect == SqlDialect::kSqlite ? sqlite : postgres;
  }
  // The names of For(dialect), in order.
  std::vector<std::string> Names(SqlDialect dialect) const;
};

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_MIGRATIONS_H_
