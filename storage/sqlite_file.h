// What opening an SQLite database file involves besides sqlite3_open: a
// clear error for a missing folder, an existence check that creates
// nothing, and WAL mode.
//
//   RETURN_IF_ERROR(CheckSqliteFolderExists(url.sqlite_path));
//   ASSIGN_OR_RETURN(SqliteHandle db, OpenSqlite(url.sqlite_path, true, 5s));
//   RETURN_IF_ERROR(EnableSqliteWal(db.get(), url.sqlite_path));
#ifndef MESHID_STORAGE_SQLITE_FILE_H_
#define MESHID_STORAGE_SQLITE_FILE_H_

#include <sqlite3.h>

#include <string>

#include "absl/status/status.h"

namespace meshid::storage {

// SQLite would fail with a bare "unable to open database file"; a missing
// folder is a deployment mistake worth naming. meshid does not create it:
// its owner and mode are the operator's decision. INVALID_ARGUMENT naming
// the folder.
absl::Status CheckSqliteFolderExists(const std::string& path);

// True when something exists at `path`.
bool SqliteFileExists(const std::string& path);

// WAL lets readers (meshctl, a backup) run beside the writer, and commits
// append instead of rewriting pages. The setting is stored in the file.
// FAILED_PRECONDITION when the filesystem cannot do it.
absl::Status EnableSqliteWal(sqlite3* db, const std::string& path);

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_SQLITE_FILE_H_
