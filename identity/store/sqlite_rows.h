// Row-level helpers shared by the SQLite repositories.
#ifndef MESHID_IDENTITY_STORE_SQLITE_ROWS_H_
#define MESHID_IDENTITY_STORE_SQLITE_ROWS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "storage/sqlite_db.h"

namespace meshid::identity::store_internal {

// Runs a prepared INSERT ... ON CONFLICT DO NOTHING.
inline absl::Status RunInsert(storage::SqliteStatement& stmt,
                              absl::string_view what) {
  RETURN_IF_ERROR(stmt.Run());
  if (stmt.changes() == 0) {
    return absl::AlreadyExistsError(absl::StrCat(what, " already exists"));
  }
  return absl::OkStatus();
}

// Runs a prepared UPDATE or DELETE of one row.
inline absl::Status RunChange(storage::SqliteStatement& stmt,
                              absl::string_view what) {
  RETURN_IF_ERROR(stmt.Run());
  if (stmt.changes() == 0) {
    return absl::NotFoundError(absl::StrCat(what, " not found"));
  }
  return absl::OkStatus();
}

// Reads every row of `stmt` through `from_row`.
template <typename Record, typename FromRow>
absl::StatusOr<std::vector<Record>> ReadAll(storage::SqliteStatement& stmt,
                                            FromRow from_row) {
  std::vector<Record> records;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return records;
    absl::StatusOr<Record> record = from_row(stmt);
    if (!record.ok()) return record.status();
    records.push_back(*std::move(record));
  }
}

// Reads the one row of `stmt`, or NOT_FOUND.
template <typename Record, typename FromRow>
absl::StatusOr<Record> ReadOne(storage::SqliteStatement& stmt, FromRow from_row,
                               absl::string_view what) {
  ASSIGN_OR_RETURN(bool has_row, stmt.Step());
  if (!has_row) return absl::NotFoundError(absl::StrCat(what, " not found"));
  return from_row(stmt);
}

inline std::string Quoted(absl::string_view kind, absl::string_view id) {
  return absl::StrCat(kind, " \"", id, "\"");
}

}  // namespace meshid::identity::store_internal

#endif  // MESHID_IDENTITY_STORE_SQLITE_ROWS_H_
