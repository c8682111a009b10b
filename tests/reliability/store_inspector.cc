#include "tests/reliability/store_inspector.h"

#include <sqlite3.h>

#include <pqxx/pqxx>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace meshid::reliability {
namespace {

constexpr char kEventsQuery[] =
    "SELECT version FROM change_events ORDER BY version";
constexpr char kCounterQuery[] = "SELECT version FROM meshid_version";

absl::StatusOr<VersionLog> ReadSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  // Read-only, beside a live writer: WAL lets both proceed.
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    const std::string error = sqlite3_errmsg(db);
    sqlite3_close(db);
    return absl::InternalError(absl::StrCat("open ", path, ": ", error));
  }
  sqlite3_busy_timeout(db, 5000);
  VersionLog log;
  absl::Status status;
  for (const char* sql : {kEventsQuery, kCounterQuery}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
      status = absl::InternalError(sqlite3_errmsg(db));
      break;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      const int64_t v = sqlite3_column_int64(stmt, 0);
      if (sql == kEventsQuery) {
        log.event_versions.push_back(v);
      } else {
        log.counter = v;
      }
    }
    sqlite3_finalize(stmt);
  }
  sqlite3_close(db);
  if (!status.ok()) return status;
  return log;
}

absl::StatusOr<VersionLog> ReadPostgres(const std::string& url) {
  try {
    pqxx::connection connection(url);
    pqxx::read_transaction tx(connection);
    VersionLog log;
    for (const auto& row : tx.exec(kEventsQuery)) {
      log.event_versions.push_back(row[0].as<int64_t>());
    }
    log.counter = tx.exec1(kCounterQuery)[0].as<int64_t>();
    return log;
  } catch (const std::exception& e) {
    return absl::UnavailableError(e.what());
  }
}

}  // namespace

absl::StatusOr<VersionLog> ReadVersionLog(const std::string& store_url) {
  constexpr absl::string_view kSqlite = "sqlite://";
  if (absl::StartsWith(store_url, kSqlite)) {
    return ReadSqlite(store_url.substr(kSqlite.size()));
  }
  return ReadPostgres(store_url);
}

}  // namespace meshid::reliability
