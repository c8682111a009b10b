// PostgreSQL repositories for revocations, change events and audit events.
#include <pqxx/pqxx>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "identity/store/pg_transaction.h"
#include "identity/store/record_checks.h"
#include "identity/store/record_codec.h"
#include "storage/pg_codec.h"

namespace meshid::identity::store_internal {

using storage::PgMicrosColumn;
using storage::PgNullable;
using storage::PgOptionalTime;
using storage::PgText;
using storage::PgTime;
using storage::PgTimeField;

namespace {

// Validators LISTEN on this channel; the payload is the committed version.
constexpr char kChangeChannel[] = "meshid_changes";

const std::string& JtiSelect() {
  static const std::string* const kSql = new std::string(absl::StrCat(
      "SELECT jti, ", PgMicrosColumn("expires_at"), ", ",
      PgMicrosColumn("revoked_at"), ", version FROM revoked_jtis"));
  return *kSql;
}

RevokedJti JtiFromRow(const pqxx::row& row) {
  RevokedJti j;
  j.jti = PgText(row[0]);
  j.expires_at = PgTimeField(row[1]);
  j.revoked_at = PgTimeField(row[2]);
  j.version = row[3].as<int64_t>();
  return j;
}

const std::string& SubjectSelect() {
  static const std::string* const kSql = new std::string(absl::StrCat(
      "SELECT subject, ", PgMicrosColumn("revoked_before"), ", ",
      PgMicrosColumn("revoked_at"), ", version FROM revoked_subjects"));
  return *kSql;
}

RevokedSubject SubjectFromRow(const pqxx::row& row) {
  RevokedSubject s;
  s.subject = PgText(row[0]);
  s.revoked_before = PgTimeField(row[1]);
  s.revoked_at = PgTimeField(row[2]);
  s.version = row[3].as<int64_t>();
  return s;
}

absl::StatusOr<AuditEvent> AuditFromRow(const pqxx::row& row) {
  AuditEvent e;
  e.id = row[0].as<int64_t>();
  e.at = PgTimeField(row[1]);
  e.actor = PgText(row[2]);
  e.action = PgText(row[3]);
  e.target = PgText(row[4]);
  e.kid = PgText(row[5]);
  ASSIGN_OR_RETURN(e.details, DetailsFromJson(PgText(row[6])));
  e.version = row[7].as<int64_t>();
  return e;
}

}  // namespace

absl::Status PgRevocationRepository::RevokeJti(const RevokedJti& jti) {
  RETURN_IF_ERROR(CheckId(jti.jti, "jti"));
  ASSIGN_OR_RETURN(std::string expires,
                   PgTime(jti.expires_at, "jti expires_at"));
  ASSIGN_OR_RETURN(std::string revoked,
                   PgTime(jti.revoked_at, "jti revoked_at"));
  return ctx_.Run([&]() -> absl::Status {
    // A jti revoked twice keeps its first row: the first revocation already
    // made the token fail.
    ctx_.work().exec_params(
        "INSERT INTO revoked_jtis (jti, expires_at, revoked_at, version) "
        "VALUES ($1, $2::timestamptz, $3::timestamptz, $4) "
        "ON CONFLICT (jti) DO NOTHING",
        jti.jti, expires, revoked, jti.version);
    return absl::OkStatus();
  });
}

absl::Status PgRevocationRepository::RevokeSubject(
    const RevokedSubject& subject) {
  RETURN_IF_ERROR(CheckId(subject.subject, "subject"));
  ASSIGN_OR_RETURN(std::string before,
                   PgTime(subject.revoked_before, "subject revoked_before"));
  ASSIGN_OR_RETURN(std::string revoked,
                   PgTime(subject.revoked_at, "subject revoked_at"));
  return ctx_.Run([&]() -> absl::Status {
    // The later cut-off revokes more tokens; an earlier one changes nothing.
    ctx_.work().exec_params(
        "INSERT INTO revoked_subjects (subject, revoked_before, revoked_at, "
        "version) VALUES ($1, $2::timestamptz, $3::timestamptz, $4) "
        "ON CONFLICT (subject) DO UPDATE SET "
        "revoked_before = EXCLUDED.revoked_before, "
        "revoked_at = EXCLUDED.revoked_at, version = EXCLUDED.version "
        "WHERE revoked_subjects.revoked_before < EXCLUDED.revoked_before",
        subject.subject, before, revoked, subject.version);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<RevokedJti>> PgRevocationRepository::ListJtis(
    absl::Time now) {
  ASSIGN_OR_RETURN(std::string now_text, PgTime(now, "now"));
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<RevokedJti>> {
    const pqxx::result r = ctx_.work().exec_params(
        JtiSelect() + " WHERE expires_at >= $1::timestamptz ORDER BY jti",
        now_text);
    std::vector<RevokedJti> jtis;
    jtis.reserve(r.size());
    for (const pqxx::row& row : r) jtis.push_back(JtiFromRow(row));
    return jtis;
  });
}

absl::StatusOr<std::vector<RevokedSubject>>
PgRevocationRepository::ListSubjects() {
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<RevokedSubject>> {
    const pqxx::result r =
        ctx_.work().exec(SubjectSelect() + " ORDER BY subject");
    std::vector<RevokedSubject> subjects;
    subjects.reserve(r.size());
    for (const pqxx::row& row : r) subjects.push_back(SubjectFromRow(row));
    return subjects;
  });
}

absl::StatusOr<RevokedJti> PgRevocationRepository::GetJti(
    absl::string_view jti) {
  RETURN_IF_ERROR(CheckText(jti, "jti"));
  return ctx_.Run([&]() -> absl::StatusOr<RevokedJti> {
    const pqxx::result r = ctx_.work().exec_params(
        JtiSelect() + " WHERE jti = $1", std::string(jti));
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("jti \"", jti, "\" not revoked"));
    }
    return JtiFromRow(r[0]);
  });
}

absl::StatusOr<RevokedSubject> PgRevocationRepository::GetSubject(
    absl::string_view subject) {
  RETURN_IF_ERROR(CheckText(subject, "subject"));
  return ctx_.Run([&]() -> absl::StatusOr<RevokedSubject> {
    const pqxx::result r = ctx_.work().exec_params(
        SubjectSelect() + " WHERE subject = $1", std::string(subject));
    if (r.empty()) {
      return absl::NotFoundError(
          absl::StrCat("subject \"", subject, "\" not revoked"));
    }
    return SubjectFromRow(r[0]);
  });
}

absl::StatusOr<int64_t> PgEventRepository::Append(ChangeKind kind,
                                                  absl::string_view subject_id,
                                                  absl::Time at) {
  RETURN_IF_ERROR(CheckText(subject_id, "change subject_id"));
  ASSIGN_OR_RETURN(std::string at_text, PgTime(at, "change time"));
  return ctx_.Run([&]() -> absl::StatusOr<int64_t> {
    pqxx::work& work = ctx_.work();
    // The UPDATE locks the counter row until this transaction ends: a second
    // writer waits here, so versions commit in the order they are taken and
    // a rollback leaves no gap (the next writer re-reads the old value).
    const int64_t version =
        work.exec1(
                "UPDATE meshid_version SET version = version + 1 "
                "WHERE id = 1 RETURNING version")[0]
            .as<int64_t>();
    work.exec_params(
        "INSERT INTO change_events (version, kind, subject_id, at) "
        "VALUES ($1, $2, $3, $4::timestamptz)",
        version, std::string(ChangeKindToDb(kind)), std::string(subject_id),
        at_text);
    // Delivered to listeners only if and when this transaction commits.
    work.exec_params("SELECT pg_notify($1, $2)", std::string(kChangeChannel),
                     std::to_string(version));
    return version;
  });
}

absl::StatusOr<int64_t> PgEventRepository::CurrentVersion() {
  return ctx_.Run([&]() -> absl::StatusOr<int64_t> {
    return ctx_.work()
        .exec1("SELECT version FROM meshid_version WHERE id = 1")[0]
        .as<int64_t>();
  });
}

absl::StatusOr<std::vector<ChangeEvent>> PgEventRepository::ListSince(
    int64_t after, int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<ChangeEvent>> {
    const pqxx::result r = ctx_.work().exec_params(
        absl::StrCat("SELECT version, kind, subject_id, ", PgMicrosColumn("at"),
                     " FROM change_events WHERE version > $1 "
                     "ORDER BY version LIMIT $2"),
        after, limit);
    std::vector<ChangeEvent> events;
    events.reserve(r.size());
    for (const pqxx::row& row : r) {
      ChangeEvent e;
      e.version = row[0].as<int64_t>();
      ASSIGN_OR_RETURN(e.kind, ChangeKindFromDb(PgText(row[1])));
      e.subject_id = PgText(row[2]);
      e.at = PgTimeField(row[3]);
      events.push_back(std::move(e));
    }
    return events;
  });
}

absl::StatusOr<int64_t> PgAuditRepository::Append(const AuditEvent& event) {
  RETURN_IF_ERROR(CheckAuditText(event));
  ASSIGN_OR_RETURN(std::string at, PgTime(event.at, "audit time"));
  return ctx_.Run([&]() -> absl::StatusOr<int64_t> {
    return ctx_.work()
        .exec_params1(
            "INSERT INTO audit_events (at, actor, action, target, kid, "
            "details, version) VALUES ($1::timestamptz, $2, $3, $4, $5, $6, "
            "$7) RETURNING id",
            at, event.actor, event.action, event.target, event.kid,
            DetailsToJson(event.details), event.version)[0]
        .as<int64_t>();
  });
}

absl::StatusOr<std::vector<AuditEvent>> PgAuditRepository::List(
    const AuditFilter& filter) {
  RETURN_IF_ERROR(CheckLimit(filter.limit));
  RETURN_IF_ERROR(CheckText(filter.actor, "actor filter"));
  RETURN_IF_ERROR(CheckText(filter.action, "action filter"));
  RETURN_IF_ERROR(CheckText(filter.kid, "kid filter"));
  ASSIGN_OR_RETURN(std::optional<std::string> since,
                   PgOptionalTime(filter.since, "since"));
  ASSIGN_OR_RETURN(std::optional<std::string> until,
                   PgOptionalTime(filter.until, "until"));
  // One statement for every filter combination: an unset filter is '' / NULL
  // / 0, and the planner sees the actual values (unnamed statement), folds
  // the "unset" branches away and can use the matching index.
  static const std::string* const kSql = new std::string(absl::StrCat(
      "SELECT id, ", PgMicrosColumn("at"),
      ", actor, action, target, kid, details, version FROM audit_events "
      "WHERE ($1 = '' OR actor = $1) AND ($2 = '' OR action = $2) "
      "AND ($3 = '' OR kid = $3) "
      "AND ($4::timestamptz IS NULL OR at >= $4::timestamptz) "
      "AND ($5::timestamptz IS NULL OR at < $5::timestamptz) "
      "AND ($6::int8 = 0 OR id < $6::int8) ORDER BY id DESC LIMIT $7"));
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<AuditEvent>> {
    const pqxx::result r = ctx_.work().exec_params(
        *kSql, filter.actor, filter.action, filter.kid, PgNullable(since),
        PgNullable(until), filter.before_id, filter.limit);
    std::vector<AuditEvent> events;
    events.reserve(r.size());
    for (const pqxx::row& row : r) {
      ASSIGN_OR_RETURN(AuditEvent e, AuditFromRow(row));
      events.push_back(std::move(e));
    }
    return events;
  });
}

}  // namespace meshid::identity::store_internal
