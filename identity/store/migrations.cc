#include "identity/store/migrations.h"

namespace meshid::identity::store_internal {

const std::vector<Migration>& Migrations(SqlDialect dialect) {
  return dialect == SqlDialect::kSqlite ? EmbeddedSqliteMigrations()
                                        : EmbeddedPostgresMigrations();
}

std::vector<std::string> MigrationNames(SqlDialect dialect) {
  std::vector<std::string> names;
  for (const Migration& m : Migrations(dialect)) {
    names.emplace_back(m.name);
  }
  return names;
}

}  // namespace meshid::identity::store_internal
