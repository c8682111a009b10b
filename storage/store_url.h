// Store URLs: which dialect a --store value names, and how to print one.
//
//   ASSIGN_OR_RETURN(ParsedStoreUrl url,
//                    ParseStoreUrl(flag_value, "meshid-log"));
//   Log(LogLevel::kInfo, "store.opening", {{"url", RedactUrl(flag_value)}});
#ifndef MESHID_STORAGE_STORE_URL_H_
#define MESHID_STORAGE_STORE_URL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/migrations.h"  // SqlDialect

namespace meshid::storage {

// `url` with every password replaced by "***": the userinfo password
// ("postgresql://user:***@host/db") and any "password=" parameter, in URL
// query or libpq key=value form. The only form of a store URL that may
// appear in a log line or an error message.
std::string RedactUrl(absl::string_view url);

struct ParsedStoreUrl {
  SqlDialect dialect = SqlDialect::kSqlite;
  // kSqlite: the absolute database path.
  std::string sqlite_path;
  // kPostgres: what libpq connects with, the URL plus defaults this store
  // wants (connect_timeout, application_name) unless the URL sets them.
  std::string pg_conninfo;
  // Every spelling of the URL's password (as written and percent-decoded),
  // to scrub from driver messages, which may quote their input.
  std::vector<std::string> secrets;
};

// "sqlite:///abs/path" or "postgresql://..." / "postgres://..." (checked by
// libpq's own parser). INVALID_ARGUMENT otherwise; messages hold only the
// redacted URL. `application_name` is what PostgreSQL shows for these
// connections (pg_stat_activity) unless the URL names one.
absl::StatusOr<ParsedStoreUrl> ParseStoreUrl(
    absl::string_view url, absl::string_view application_name);

// `message` with every occurrence of each secret replaced by "***".
std::string ScrubSecrets(absl::string_view message,
                         const std::vector<std::string>& secrets);

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_STORE_URL_H_
