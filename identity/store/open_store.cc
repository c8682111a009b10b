// OpenStore and GetMigrationStatus: pick the dialect from the URL.
#include <memory>

#include "common/status_macros.h"
#include "identity/store/pg_store.h"
#include "identity/store/sqlite_store.h"
#include "identity/store/store.h"
#include "storage/store_url.h"

namespace meshid::identity {
namespace {

// What PostgreSQL shows for identity's connections in pg_stat_activity.
constexpr absl::string_view kApplicationName = "meshid-identity";

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenStore(absl::string_view url,
                                                 const StoreOptions& options) {
  ASSIGN_OR_RETURN(storage::ParsedStoreUrl parsed,
                   storage::ParseStoreUrl(url, kApplicationName));
  if (parsed.dialect == storage::SqlDialect::kSqlite) {
    return store_internal::SqliteStore::Open(parsed, options);
  }
  return store_internal::PgStore::Open(parsed, options);
}

absl::StatusOr<MigrationStatus> GetMigrationStatus(absl::string_view url) {
  ASSIGN_OR_RETURN(storage::ParsedStoreUrl parsed,
                   storage::ParseStoreUrl(url, kApplicationName));
  if (parsed.dialect == storage::SqlDialect::kSqlite) {
    return store_internal::GetSqliteMigrationStatus(parsed, StoreOptions());
  }
  return store_internal::GetPgMigrationStatus(parsed);
}

}  // namespace meshid::identity
