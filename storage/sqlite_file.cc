#include "storage/sqlite_file.h"

#include <sys/stat.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "storage/sqlite_db.h"

namespace meshid::storage {

absl::Status CheckSqliteFolderExists(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string folder = slash == 0 ? "/" : path.substr(0, slash);
  struct stat st {};
  if (stat(folder.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("SQLite store folder \"", folder,
                     "\" does not exist or is not a folder; create it first"));
  }
  return absl::OkStatus();
}

bool SqliteFileExists(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0;
}

absl::Status EnableSqliteWal(sqlite3* db, const std::string& path) {
  ASSIGN_OR_RETURN(SqliteStatement stmt,
                   SqliteStatement::Prepare(db, "PRAGMA journal_mode = WAL"));
  ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  const std::string mode = has_row ? absl::AsciiStrToLower(stmt.Text(0)) : "";
  if (mode != "wal") {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot use WAL mode for ", path, " (got \"", mode,
        "\"); is it on a filesystem without shared memory support?"));
  }
  return absl::OkStatus();
}

}  // namespace meshid::storage
