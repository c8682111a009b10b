// OpenStore and GetMigrationStatus: pick the dialect from the URL.
#include <memory>

#include "common/status_macros.h"
#include "identity/store/pg_store.h"
#include "identity/store/sqlite_store.h"
#include "identity/store/store.h"
#include "identity/store/store_url.h"

namespace meshid::identity {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(absl::string_view url,
                                                 const StoreOptions& options) {
  ASSIGN_OR_RETURN(store_internal::ParsedStoreUrl parsed,
                   store_internal::ParseStoreUrl(url));
  if (parsed.dialect == store_internal::SqlDialect::kSqlite) {
    return store_internal::SqliteStore::Open(parsed, options);
  }
  return store_internal::PgStore::Open(parsed, options);
}

absl::StatusOr<MigrationStatus> GetMigrationStatus(absl::string_view url) {
  ASSIGN_OR_RETURN(store_internal::ParsedStoreUrl parsed,
                   store_internal::ParseStoreUrl(url));
  if (parsed.dialect == store_internal::SqlDialect::kSqlite) {
    return store_internal::GetSqliteMigrationStatus(parsed, StoreOptions());
  }
  return store_internal::GetPgMigrationStatus(parsed);
}

}  // namespace meshid::identity
