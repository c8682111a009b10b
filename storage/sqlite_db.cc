#include "storage/sqlite_db.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace meshid::storage {

absl::Status SqliteError(sqlite3* db, int rc, absl::string_view context) {
  const char* detail = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const std::string message = absl::StrCat(context, ": ", detail);
  switch (rc) {
    case SQLITE_CONSTRAINT_PRIMARYKEY:
    case SQLITE_CONSTRAINT_UNIQUE:
      return absl::AlreadyExistsError(
          absl::StrCat("already exists: ", message));
    default:
      break;
  }
  switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT:
      return absl::FailedPreconditionError(
          absl::StrCat("store constraint violated: ", message));
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return absl::UnavailableError(
          absl::StrCat("store unavailable: ", message));
    default:
      return absl::InternalError(absl::StrCat("store error: ", message));
  }
}

absl::StatusOr<SqliteHandle> OpenSqlite(const std::string& path, bool create,
                                        absl::Duration busy_timeout) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  SqliteHandle db(raw);
  if (rc != SQLITE_OK) {
    return SqliteError(db.get(), rc, absl::StrCat("cannot open ", path));
  }
  sqlite3_extended_result_codes(db.get(), 1);
  sqlite3_busy_timeout(
      db.get(), static_cast<int>(absl::ToInt64Milliseconds(busy_timeout)));
  // Off by default in SQLite, for compatibility; the schema's intent is on.
  if (absl::Status s = SqliteExec(db.get(), "PRAGMA foreign_keys = ON");
      !s.ok()) {
    return s;
  }
  return db;
}

absl::Status SqliteExec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &error);
  sqlite3_free(error);  // sqlite3_errmsg(db) says the same
  if (rc != SQLITE_OK) return SqliteError(db, rc, "statement failed");
  return absl::OkStatus();
}

absl::StatusOr<SqliteStatement> SqliteStatement::Prepare(
    sqlite3* db, absl::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const int rc = sqlite3_prepare_v2(
      db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db, rc, "cannot prepare statement");
  }
  return SqliteStatement(db, stmt);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      bind_error_(other.bind_error_) {}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

void SqliteStatement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

SqliteStatement& SqliteStatement::BindInt64(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

SqliteStatement& SqliteStatement::BindText(int index, absl::string_view text) {
  // A null pointer would bind NULL, and an empty string_view may have one.
  NoteBind(sqlite3_bind_text(stmt_, index, text.empty() ? "" : text.data(),
                             static_cast<int>(text.size()), SQLITE_TRANSIENT));
  return *this;
}

SqliteStatement& SqliteStatement::BindOptionalInt64(
    int index, const std::optional<int64_t>& value) {
  if (!value.has_value()) {
    NoteBind(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return BindInt64(index, *value);
}

SqliteStatement& SqliteStatement::BindOptionalText(
    int index, const std::optional<std::string>& text) {
  if (!text.has_value()) {
    NoteBind(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return BindText(index, *text);
}

SqliteStatement& SqliteStatement::BindBlob(int index, absl::string_view bytes) {
  // A zero-length blob with a null pointer would bind NULL; the column is
  // NOT NULL and an empty value is still a value.
  static const char kEmpty = 0;
  NoteBind(sqlite3_bind_blob(stmt_, index,
                             bytes.empty() ? &kEmpty : bytes.data(),
                             static_cast<int>(bytes.size()), SQLITE_TRANSIENT));
  return *this;
}

SqliteStatement& SqliteStatement::Reset() {
  // sqlite3_reset repeats the last step's error, already reported by it.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
  return *this;
}

absl::StatusOr<bool> SqliteStatement::Step() {
  if (bind_error_ != SQLITE_OK) {
    return SqliteError(db_, bind_error_, "cannot bind parameter");
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, "statement failed");
}

absl::Status SqliteStatement::Run() {
  while (true) {
    absl::StatusOr<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return absl::OkStatus();
  }
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

int64_t SqliteStatement::Int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<int64_t> SqliteStatement::OptionalInt64(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int64(column);
}

std::string SqliteStatement::Text(int column) const {
  const auto* text =
      reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return text == nullptr ? std::string() : std::string(text, size);
}

std::string SqliteStatement::Blob(int column) const {
  const auto* bytes =
      static_cast<const char*>(sqlite3_column_blob(stmt_, column));
  const int size = sqlite3_column_bytes(stmt_, column);
  return bytes == nullptr ? std::string() : std::string(bytes, size);
}

}  // namespace meshid::storage
