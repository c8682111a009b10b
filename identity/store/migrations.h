// The schema migrations compiled into the binary from sql/<dialect>/ (see
// embed_migrations.cmake).
#ifndef MESHID_IDENTITY_STORE_MIGRATIONS_H_
#define MESHID_IDENTITY_STORE_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace meshid::identity::store_internal {

enum class SqlDialect { kSqlite, kPostgres };

struct Migration {
  absl::string_view name;  // the file name without ".sql", e.g. "0001_init"
  absl::string_view sql;   // the whole file, possibly several statements
};

// In name order, which is the order they apply in.
const std::vector<Migration>& Migrations(SqlDialect dialect);

// The names of Migrations(dialect), in order.
std::vector<std::string> MigrationNames(SqlDialect dialect);

// Defined in the generated embedded_migrations.cc.
const std::vector<Migration>& EmbeddedSqliteMigrations();
const std::vector<Migration>& EmbeddedPostgresMigrations();

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_MIGRATIONS_H_
