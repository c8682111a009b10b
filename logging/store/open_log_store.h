// OpenLogStore: the LogStore a --store URL names.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<LogStore> store,
//                    OpenLogStore("sqlite:///var/lib/meshid/log.db", {}));
#ifndef MESHID_LOGGING_STORE_OPEN_LOG_STORE_H_
#define MESHID_LOGGING_STORE_OPEN_LOG_STORE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "logging/log_store.h"

namespace meshid::logging {

// Opens the store at `url`, applying pending migrations from sql/logging/
// (embedded), recorded in the database's own schema_migrations.
// INVALID_ARGUMENT for a bad URL or a missing SQLite folder, UNAVAILABLE
// when the database cannot be reached.
absl::StatusOr<std::unique_ptr<LogStore>> OpenLogStore(
    absl::string_view url, const LogStoreOptions& options);

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_OPEN_LOG_STORE_H_
