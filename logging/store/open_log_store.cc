// OpenLogStore: pick the dialect from the URL.
#include "logging/store/open_log_store.h"

#include "common/status_macros.h"
#include "logging/store/pg_log_store.h"
#include "logging/store/sqlite_log_store.h"
#include "storage/store_url.h"

namespace meshid::logging {
namespace {

// What PostgreSQL shows for the Log server's connections in
// pg_stat_activity.
constexpr absl::string_view kApplicationName = "meshid-log";

}  // namespace

absl::StatusOr<std::unique_ptr<LogStore>> OpenLogStore(
    absl::string_view url, const LogStoreOptions& options) {
  ASSIGN_OR_RETURN(storage::ParsedStoreUrl parsed,
                   storage::ParseStoreUrl(url, kApplicationName));
  if (parsed.dialect == storage::SqlDialect::kSqlite) {
    return SqliteLogStore::Open(parsed, options);
  }
  return PgLogStore::Open(parsed, options);
}

}  // namespace meshid::logging
