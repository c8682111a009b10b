#include "storage/migrations.h"

namespace meshid::storage {

std::vector<std::string> MigrationSet::Names(SqlDialect dialect) const {
  std::vector<std::string> names;
  for (const Migration& m : For(dialect)) {
    names.emplace_back(m.name);
  }
  return names;
}

}  // namespace meshid::storage
