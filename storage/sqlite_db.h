// Thin RAII wrappers over the SQLite C API that speak absl::Status.
#ifndef MESHID_STORAGE_SQLITE_DB_H_
#define MESHID_STORAGE_SQLITE_DB_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace meshid::storage {

// SQLite result code -> Status:
//   a PRIMARY KEY / UNIQUE constraint            -> ALREADY_EXISTS
//   another constraint                           -> FAILED_PRECONDITION
//   busy, locked, I/O error, disk full, read-only -> UNAVAILABLE
//   anything else                                -> INTERNAL
absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context);

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using SqliteHandle = std::unique_ptr<sqlite3, SqliteCloser>;

// Opens `path` with extended result codes, foreign keys on and the busy
// timeout set. `create` allows creating the file. The journal mode is the
// caller's business (it needs a write).
absl::StatusOr<SqliteHandle> OpenSqlite(const std::string& path, bool create,
                                        absl::Duration busy_timeout);

// Runs one or more statements that return no rows.
absl::Status SqliteExec(sqlite3* db, const char* sql);

class SqliteStatement {
 public:
  static absl::StatusOr<SqliteStatement> Prepare(sqlite3* db,
                                                 absl::string_view sql);
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  ~SqliteStatement();

  // Parameters are 1-based. A failed bind is reported by the next Step.
  SqliteStatement& BindInt64(int index, int64_t value);
  SqliteStatement& BindText(int index, absl::string_view text);
  SqliteStatement& BindOptionalInt64(int index,
                                     const std::optional<int64_t>& value);
  SqliteStatement& BindOptionalText(int index,
                                    const std::optional<std::string>& text);
  SqliteStatement& BindBlob(int index, absl::string_view bytes);

  // True with a row to read, false when done.
  absl::StatusOr<bool> Step();
  // Steps to the end, for statements that return no rows.
  absl::Status Run();
  // Makes a prepared statement ready to run again: resets it and clears
  // its bindings, so one prepared statement serves many rows.
  SqliteStatement& Reset();

  // Rows changed by the last Run.
  int changes() const { return sqlite3_changes(db_); }

  // Columns are 0-based.
  bool IsNull(int column) const;
  int64_t Int64(int column) const;
  std::optional<int64_t> OptionalInt64(int column) const;
  std::string Text(int column) const;
  std::string Blob(int column) const;

 private:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  void NoteBind(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int bind_error_ = SQLITE_OK;
};

}  // namespace meshid::storage

#endif  // MESHID_STORAGE_SQLITE_DB_H_
