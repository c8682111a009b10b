// SQLite repositories for revocations, change events and audit events.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "identity/store/record_checks.h"
#include "identity/store/record_codec.h"
#include "identity/store/sqlite_rows.h"
#include "identity/store/sqlite_transaction.h"
#include "storage/sqlite_db.h"
#include "storage/time_codec.h"

namespace meshid::identity::store_internal {

using storage::MicrosToTime;
using storage::OptionalTimeToMicros;
using storage::SqliteStatement;
using storage::TimeToMicros;

namespace {

constexpr char kJtiSelect[] =
    "SELECT jti, expires_at, revoked_at, version FROM revoked_jtis";

RevokedJti JtiFromRow(const SqliteStatement& row) {
  RevokedJti j;
  j.jti = row.Text(0);
  j.expires_at = MicrosToTime(row.Int64(1));
  j.revoked_at = MicrosToTime(row.Int64(2));
  j.version = row.Int64(3);
  return j;
}

constexpr char kSubjectSelect[] =
    "SELECT subject, revoked_before, revoked_at, version FROM revoked_subjects";

RevokedSubject SubjectFromRow(const SqliteStatement& row) {
  RevokedSubject s;
  s.subject = row.Text(0);
  s.revoked_before = MicrosToTime(row.Int64(1));
  s.revoked_at = MicrosToTime(row.Int64(2));
  s.version = row.Int64(3);
  return s;
}

absl::StatusOr<ChangeEvent> ChangeFromRow(const SqliteStatement& row) {
  ChangeEvent e;
  e.version = row.Int64(0);
  ASSIGN_OR_RETURN(e.kind, ChangeKindFromDb(row.Text(1)));
  e.subject_id = row.Text(2);
  e.at = MicrosToTime(row.Int64(3));
  return e;
}

absl::StatusOr<AuditEvent> AuditFromRow(const SqliteStatement& row) {
  AuditEvent e;
  e.id = row.Int64(0);
  e.at = MicrosToTime(row.Int64(1));
  e.actor = row.Text(2);
  e.action = row.Text(3);
  e.target = row.Text(4);
  e.kid = row.Text(5);
  ASSIGN_OR_RETURN(e.details, DetailsFromJson(row.Text(6)));
  e.version = row.Int64(7);
  return e;
}

}  // namespace

absl::Status SqliteRevocationRepository::RevokeJti(const RevokedJti& jti) {
  RETURN_IF_ERROR(CheckId(jti.jti, "jti"));
  ASSIGN_OR_RETURN(int64_t expires,
                   TimeToMicros(jti.expires_at, "jti expires_at"));
  ASSIGN_OR_RETURN(int64_t revoked,
                   TimeToMicros(jti.revoked_at, "jti revoked_at"));
  return ctx_.Run([&]() -> absl::Status {
    // A jti revoked twice keeps its first row: the first revocation already
    // made the token fail.
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "INSERT INTO revoked_jtis (jti, expires_at, revoked_at, version) "
            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (jti) DO NOTHING"));
    stmt.BindText(1, jti.jti)
        .BindInt64(2, expires)
        .BindInt64(3, revoked)
        .BindInt64(4, jti.version);
    return stmt.Run();
  });
}

absl::Status SqliteRevocationRepository::RevokeSubject(
    const RevokedSubject& subject) {
  RETURN_IF_ERROR(CheckId(subject.subject, "subject"));
  ASSIGN_OR_RETURN(int64_t before, TimeToMicros(subject.revoked_before,
                                                "subject revoked_before"));
  ASSIGN_OR_RETURN(int64_t revoked,
                   TimeToMicros(subject.revoked_at, "subject revoked_at"));
  return ctx_.Run([&]() -> absl::Status {
    // The later cut-off revokes more tokens; an earlier one changes nothing.
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "INSERT INTO revoked_subjects (subject, revoked_before, "
            "revoked_at, version) VALUES (?1, ?2, ?3, ?4) "
            "ON CONFLICT (subject) DO UPDATE SET "
            "revoked_before = excluded.revoked_before, "
            "revoked_at = excluded.revoked_at, version = excluded.version "
            "WHERE revoked_subjects.revoked_before < excluded.revoked_before"));
    stmt.BindText(1, subject.subject)
        .BindInt64(2, before)
        .BindInt64(3, revoked)
        .BindInt64(4, subject.version);
    return stmt.Run();
  });
}

absl::StatusOr<std::vector<RevokedJti>> SqliteRevocationRepository::ListJtis(
    absl::Time now) {
  ASSIGN_OR_RETURN(int64_t now_micros, TimeToMicros(now, "now"));
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<RevokedJti>> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            absl::StrCat(kJtiSelect, " WHERE expires_at >= ?1 ORDER BY jti")));
    stmt.BindInt64(1, now_micros);
    return ReadAll<RevokedJti>(stmt, JtiFromRow);
  });
}

absl::StatusOr<std::vector<RevokedSubject>>
SqliteRevocationRepository::ListSubjects() {
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<RevokedSubject>> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), absl::StrCat(kSubjectSelect, " ORDER BY subject")));
    return ReadAll<RevokedSubject>(stmt, SubjectFromRow);
  });
}

absl::StatusOr<RevokedJti> SqliteRevocationRepository::GetJti(
    absl::string_view jti) {
  RETURN_IF_ERROR(CheckText(jti, "jti"));
  return ctx_.Run([&]() -> absl::StatusOr<RevokedJti> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(ctx_.db(),
                                 absl::StrCat(kJtiSelect, " WHERE jti = ?1")));
    stmt.BindText(1, jti);
    return ReadOne<RevokedJti>(stmt, JtiFromRow, Quoted("revoked jti", jti));
  });
}

absl::StatusOr<RevokedSubject> SqliteRevocationRepository::GetSubject(
    absl::string_view subject) {
  RETURN_IF_ERROR(CheckText(subject, "subject"));
  return ctx_.Run([&]() -> absl::StatusOr<RevokedSubject> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), absl::StrCat(kSubjectSelect, " WHERE subject = ?1")));
    stmt.BindText(1, subject);
    return ReadOne<RevokedSubject>(stmt, SubjectFromRow,
                                   Quoted("revoked subject", subject));
  });
}

absl::StatusOr<int64_t> SqliteEventRepository::Append(
    ChangeKind kind, absl::string_view subject_id, absl::Time at) {
  RETURN_IF_ERROR(CheckText(subject_id, "change subject_id"));
  ASSIGN_OR_RETURN(int64_t at_micros, TimeToMicros(at, "change time"));
  return ctx_.Run([&]() -> absl::StatusOr<int64_t> {
    // Every write transaction began with BEGIN IMMEDIATE and holds the
    // database's one write lock until it ends, so versions are taken and
    // committed in the same order, and a rollback restores the counter.
    ASSIGN_OR_RETURN(
        SqliteStatement bump,
        SqliteStatement::Prepare(ctx_.db(),
                                 "UPDATE meshid_version SET version = version "
                                 "+ 1 WHERE id = 1 RETURNING version"));
    ASSIGN_OR_RETURN(bool has_row, bump.Step());
    if (!has_row) return absl::InternalError("store has no version row");
    const int64_t version = bump.Int64(0);
    RETURN_IF_ERROR(bump.Run());
    ASSIGN_OR_RETURN(
        SqliteStatement insert,
        SqliteStatement::Prepare(ctx_.db(),
                                 "INSERT INTO change_events (version, kind, "
                                 "subject_id, at) VALUES (?1, ?2, ?3, ?4)"));
    insert.BindInt64(1, version)
        .BindText(2, ChangeKindToDb(kind))
        .BindText(3, subject_id)
        .BindInt64(4, at_micros);
    RETURN_IF_ERROR(insert.Run());
    return version;
  });
}

absl::StatusOr<int64_t> SqliteEventRepository::CurrentVersion() {
  return ctx_.Run([&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), "SELECT version FROM meshid_version WHERE id = 1"));
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return absl::InternalError("store has no version row");
    return stmt.Int64(0);
  });
}

absl::StatusOr<std::vector<ChangeEvent>> SqliteEventRepository::ListSince(
    int64_t after, int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<ChangeEvent>> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "SELECT version, kind, subject_id, at FROM change_events "
            "WHERE version > ?1 ORDER BY version LIMIT ?2"));
    stmt.BindInt64(1, after).BindInt64(2, limit);
    return ReadAll<ChangeEvent>(stmt, ChangeFromRow);
  });
}

absl::StatusOr<int64_t> SqliteAuditRepository::Append(const AuditEvent& event) {
  RETURN_IF_ERROR(CheckAuditText(event));
  ASSIGN_OR_RETURN(int64_t at, TimeToMicros(event.at, "audit time"));
  return ctx_.Run([&]() -> absl::StatusOr<int64_t> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "INSERT INTO audit_events (at, actor, action, target, kid, "
            "details, version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
            "RETURNING id"));
    stmt.BindInt64(1, at)
        .BindText(2, event.actor)
        .BindText(3, event.action)
        .BindText(4, event.target)
        .BindText(5, event.kid)
        .BindText(6, DetailsToJson(event.details))
        .BindInt64(7, event.version);
    ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return absl::InternalError("audit insert returned no id");
    const int64_t id = stmt.Int64(0);
    RETURN_IF_ERROR(stmt.Run());
    return id;
  });
}

absl::StatusOr<std::vector<AuditEvent>> SqliteAuditRepository::List(
    const AuditFilter& filter) {
  RETURN_IF_ERROR(CheckLimit(filter.limit));
  RETURN_IF_ERROR(CheckText(filter.actor, "actor filter"));
  RETURN_IF_ERROR(CheckText(filter.action, "action filter"));
  RETURN_IF_ERROR(CheckText(filter.kid, "kid filter"));
  ASSIGN_OR_RETURN(std::optional<int64_t> since,
                   OptionalTimeToMicros(filter.since, "since"));
  ASSIGN_OR_RETURN(std::optional<int64_t> until,
                   OptionalTimeToMicros(filter.until, "until"));
  // Only the filters that are set become conditions, so SQLite can pick the
  // matching index. Parameter numbers are fixed and ?7 (LIMIT) is always
  // present, so binding every number is valid whichever clauses are used.
  std::string sql =
      "SELECT id, at, actor, action, target, kid, details, version "
      "FROM audit_events WHERE 1 = 1";
  if (!filter.actor.empty()) sql += " AND actor = ?1";
  if (!filter.action.empty()) sql += " AND action = ?2";
  if (!filter.kid.empty()) sql += " AND kid = ?3";
  if (since.has_value()) sql += " AND at >= ?4";
  if (until.has_value()) sql += " AND at < ?5";
  if (filter.before_id != 0) sql += " AND id < ?6";
  sql += " ORDER BY id DESC LIMIT ?7";
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<AuditEvent>> {
    ASSIGN_OR_RETURN(SqliteStatement stmt,
                     SqliteStatement::Prepare(ctx_.db(), sql));
    stmt.BindText(1, filter.actor)
        .BindText(2, filter.action)
        .BindText(3, filter.kid)
        .BindOptionalInt64(4, since)
        .BindOptionalInt64(5, until)
        .BindInt64(6, filter.before_id)
        .BindInt64(7, filter.limit);
    return ReadAll<AuditEvent>(stmt, AuditFromRow);
  });
}

}  // namespace meshid::identity::store_internal
