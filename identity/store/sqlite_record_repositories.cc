// SQLite repositories for keys, principals and clients.
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
using storage::OptionalMicrosToTime;
using storage::OptionalTimeToMicros;
using storage::SqliteStatement;
using storage::TimeToMicros;

namespace {

// Inserts use ON CONFLICT DO NOTHING and report ALREADY_EXISTS from the row
// count, the same way the PostgreSQL store must (see pg_record_repositories).

constexpr char kKeySelect[] =
    "SELECT kid, alg, state, client_id, audience, sealed_material, created_at, "
    "activated_at, retired_at, expires_at, revoked_at, created_by, version "
    "FROM keys";

absl::StatusOr<KeyRecord> KeyFromRow(const SqliteStatement& row) {
  KeyRecord key;
  key.kid = row.Text(0);
  ASSIGN_OR_RETURN(key.alg, AlgorithmFromDb(row.Text(1)));
  ASSIGN_OR_RETURN(key.state, KeyStateFromDb(row.Text(2)));
  key.client_id = row.Text(3);
  key.audience = row.Text(4);
  key.sealed_material = row.Blob(5);
  key.created_at = MicrosToTime(row.Int64(6));
  key.activated_at = OptionalMicrosToTime(row.OptionalInt64(7));
  key.retired_at = OptionalMicrosToTime(row.OptionalInt64(8));
  key.expires_at = OptionalMicrosToTime(row.OptionalInt64(9));
  key.revoked_at = OptionalMicrosToTime(row.OptionalInt64(10));
  key.created_by = row.Text(11);
  key.version = row.Int64(12);
  return key;
}

// The key's mutable times as parameters.
struct SqliteKeyTimes {
  std::optional<int64_t> activated, retired, expires, revoked;
};

absl::StatusOr<SqliteKeyTimes> EncodeKeyTimes(const KeyRecord& key) {
  SqliteKeyTimes t;
  ASSIGN_OR_RETURN(t.activated,
                   OptionalTimeToMicros(key.activated_at, "key activated_at"));
  ASSIGN_OR_RETURN(t.retired,
                   OptionalTimeToMicros(key.retired_at, "key retired_at"));
  ASSIGN_OR_RETURN(t.expires,
                   OptionalTimeToMicros(key.expires_at, "key expires_at"));
  ASSIGN_OR_RETURN(t.revoked,
                   OptionalTimeToMicros(key.revoked_at, "key revoked_at"));
  return t;
}

constexpr char kPrincipalSelect[] =
    "SELECT id, kind, state, suspended_from, granted_roles, password_hash, "
    "created_at, updated_at, version FROM principals";

absl::StatusOr<PrincipalRecord> PrincipalFromRow(const SqliteStatement& row) {
  PrincipalRecord p;
  p.id = row.Text(0);
  ASSIGN_OR_RETURN(p.kind, PrincipalKindFromDb(row.Text(1)));
  ASSIGN_OR_RETURN(p.state, PrincipalStateFromDb(row.Text(2)));
  if (!row.IsNull(3)) {
    ASSIGN_OR_RETURN(p.suspended_from, PrincipalStateFromDb(row.Text(3)));
  }
  ASSIGN_OR_RETURN(p.granted_roles, RolesFromJson(row.Text(4)));
  p.password_hash = row.Text(5);
  p.created_at = MicrosToTime(row.Int64(6));
  p.updated_at = MicrosToTime(row.Int64(7));
  p.version = row.Int64(8);
  return p;
}

std::optional<std::string> SuspendedFrom(const PrincipalRecord& p) {
  if (!p.suspended_from.has_value()) return std::nullopt;
  return std::string(PrincipalStateToDb(*p.suspended_from));
}

constexpr char kClientSelect[] =
    "SELECT client_id, display_name, secret_hash, policy_json, created_at, "
    "updated_at, version FROM clients";

ClientRecord ClientFromRow(const SqliteStatement& row) {
  ClientRecord c;
  c.client_id = row.Text(0);
  c.display_name = row.Text(1);
  c.secret_hash = row.Text(2);
  c.policy_json = row.Text(3);
  c.created_at = MicrosToTime(row.Int64(4));
  c.updated_at = MicrosToTime(row.Int64(5));
  c.version = row.Int64(6);
  return c;
}

}  // namespace

absl::Status SqliteKeyRepository::Insert(const KeyRecord& key) {
  RETURN_IF_ERROR(CheckKeyText(key));
  ASSIGN_OR_RETURN(int64_t created,
                   TimeToMicros(key.created_at, "key created_at"));
  ASSIGN_OR_RETURN(SqliteKeyTimes t, EncodeKeyTimes(key));
  return ctx_.Run([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "INSERT INTO keys (kid, alg, state, client_id, audience, "
            "sealed_material, created_at, activated_at, retired_at, "
            "expires_at, revoked_at, created_by, version) VALUES (?1, ?2, ?3, "
            "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
            "ON CONFLICT DO NOTHING"));
    stmt.BindText(1, key.kid)
        .BindText(2, AlgorithmToDb(key.alg))
        .BindText(3, KeyStateToDb(key.state))
        .BindText(4, key.client_id)
        .BindText(5, key.audience)
        .BindBlob(6, key.sealed_material)
        .BindInt64(7, created)
        .BindOptionalInt64(8, t.activated)
        .BindOptionalInt64(9, t.retired)
        .BindOptionalInt64(10, t.expires)
        .BindOptionalInt64(11, t.revoked)
        .BindText(12, key.created_by)
        .BindInt64(13, key.version);
    return RunInsert(stmt, Quoted("key", key.kid));
  });
}

absl::Status SqliteKeyRepository::Update(const KeyRecord& key) {
  RETURN_IF_ERROR(CheckKeyText(key));
  ASSIGN_OR_RETURN(SqliteKeyTimes t, EncodeKeyTimes(key));
  return ctx_.Run([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "UPDATE keys SET state = ?2, activated_at = ?3, retired_at = ?4, "
            "expires_at = ?5, revoked_at = ?6, version = ?7 WHERE kid = ?1"));
    stmt.BindText(1, key.kid)
        .BindText(2, KeyStateToDb(key.state))
        .BindOptionalInt64(3, t.activated)
        .BindOptionalInt64(4, t.retired)
        .BindOptionalInt64(5, t.expires)
        .BindOptionalInt64(6, t.revoked)
        .BindInt64(7, key.version);
    return RunChange(stmt, Quoted("key", key.kid));
  });
}

absl::StatusOr<KeyRecord> SqliteKeyRepository::Get(absl::string_view kid) {
  RETURN_IF_ERROR(CheckText(kid, "kid"));
  return ctx_.Run([&]() -> absl::StatusOr<KeyRecord> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(ctx_.db(),
                                 absl::StrCat(kKeySelect, " WHERE kid = ?1")));
    stmt.BindText(1, kid);
    return ReadOne<KeyRecord>(stmt, KeyFromRow, Quoted("key", kid));
  });
}

absl::StatusOr<std::vector<KeyRecord>> SqliteKeyRepository::ListAll() {
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<KeyRecord>> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), absl::StrCat(kKeySelect, " ORDER BY created_at, kid")));
    return ReadAll<KeyRecord>(stmt, KeyFromRow);
  });
}

absl::Status SqlitePrincipalRepository::Insert(const PrincipalRecord& p) {
  RETURN_IF_ERROR(CheckPrincipalText(p));
  ASSIGN_OR_RETURN(int64_t created,
                   TimeToMicros(p.created_at, "principal created_at"));
  ASSIGN_OR_RETURN(int64_t updated,
                   TimeToMicros(p.updated_at, "principal updated_at"));
  return ctx_.Run([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "INSERT INTO principals (id, kind, state, suspended_from, "
            "granted_roles, password_hash, created_at, updated_at, version) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
            "ON CONFLICT DO NOTHING"));
    stmt.BindText(1, p.id)
        .BindText(2, PrincipalKindToDb(p.kind))
        .BindText(3, PrincipalStateToDb(p.state))
        .BindOptionalText(4, SuspendedFrom(p))
        .BindText(5, RolesToJson(p.granted_roles))
        .BindText(6, p.password_hash)
        .BindInt64(7, created)
        .BindInt64(8, updated)
        .BindInt64(9, p.version);
    return RunInsert(stmt, Quoted("principal", p.id));
  });
}

absl::Status SqlitePrincipalRepository::Update(const PrincipalRecord& p) {
  RETURN_IF_ERROR(CheckPrincipalText(p));
  ASSIGN_OR_RETURN(int64_t updated,
                   TimeToMicros(p.updated_at, "principal updated_at"));
  // id, kind and created_at never change.
  return ctx_.Run([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "UPDATE principals SET state = ?2, suspended_from = ?3, "
            "granted_roles = ?4, password_hash = ?5, updated_at = ?6, "
            "version = ?7 WHERE id = ?1"));
    stmt.BindText(1, p.id)
        .BindText(2, PrincipalStateToDb(p.state))
        .BindOptionalText(3, SuspendedFrom(p))
        .BindText(4, RolesToJson(p.granted_roles))
        .BindText(5, p.password_hash)
        .BindInt64(6, updated)
        .BindInt64(7, p.version);
    return RunChange(stmt, Quoted("principal", p.id));
  });
}

absl::StatusOr<PrincipalRecord> SqlitePrincipalRepository::Get(
    absl::string_view id) {
  RETURN_IF_ERROR(CheckText(id, "principal id"));
  return ctx_.Run([&]() -> absl::StatusOr<PrincipalRecord> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), absl::StrCat(kPrincipalSelect, " WHERE id = ?1")));
    stmt.BindText(1, id);
    return ReadOne<PrincipalRecord>(stmt, PrincipalFromRow,
                                    Quoted("principal", id));
  });
}

absl::StatusOr<std::vector<PrincipalRecord>> SqlitePrincipalRepository::List(
    absl::string_view after_id, int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  RETURN_IF_ERROR(CheckText(after_id, "after_id"));
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<PrincipalRecord>> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), absl::StrCat(kPrincipalSelect,
                                    " WHERE id > ?1 ORDER BY id LIMIT ?2")));
    stmt.BindText(1, after_id).BindInt64(2, limit);
    return ReadAll<PrincipalRecord>(stmt, PrincipalFromRow);
  });
}

absl::Status SqliteClientRepository::Insert(const ClientRecord& c) {
  RETURN_IF_ERROR(CheckClientText(c));
  ASSIGN_OR_RETURN(int64_t created,
                   TimeToMicros(c.created_at, "client created_at"));
  ASSIGN_OR_RETURN(int64_t updated,
                   TimeToMicros(c.updated_at, "client updated_at"));
  return ctx_.Run([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "INSERT INTO clients (client_id, display_name, secret_hash, "
            "policy_json, created_at, updated_at, version) VALUES (?1, ?2, "
            "?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING"));
    stmt.BindText(1, c.client_id)
        .BindText(2, c.display_name)
        .BindText(3, c.secret_hash)
        .BindText(4, c.policy_json)
        .BindInt64(5, created)
        .BindInt64(6, updated)
        .BindInt64(7, c.version);
    return RunInsert(stmt, Quoted("client", c.client_id));
  });
}

absl::Status SqliteClientRepository::Update(const ClientRecord& c) {
  RETURN_IF_ERROR(CheckClientText(c));
  ASSIGN_OR_RETURN(int64_t updated,
                   TimeToMicros(c.updated_at, "client updated_at"));
  // client_id and created_at never change.
  return ctx_.Run([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(),
            "UPDATE clients SET display_name = ?2, secret_hash = ?3, "
            "policy_json = ?4, updated_at = ?5, version = ?6 "
            "WHERE client_id = ?1"));
    stmt.BindText(1, c.client_id)
        .BindText(2, c.display_name)
        .BindText(3, c.secret_hash)
        .BindText(4, c.policy_json)
        .BindInt64(5, updated)
        .BindInt64(6, c.version);
    return RunChange(stmt, Quoted("client", c.client_id));
  });
}

absl::Status SqliteClientRepository::Delete(absl::string_view client_id) {
  RETURN_IF_ERROR(CheckText(client_id, "client_id"));
  return ctx_.Run([&]() -> absl::Status {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(ctx_.db(),
                                 "DELETE FROM clients WHERE client_id = ?1"));
    stmt.BindText(1, client_id);
    return RunChange(stmt, Quoted("client", client_id));
  });
}

absl::StatusOr<ClientRecord> SqliteClientRepository::Get(
    absl::string_view client_id) {
  RETURN_IF_ERROR(CheckText(client_id, "client_id"));
  return ctx_.Run([&]() -> absl::StatusOr<ClientRecord> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), absl::StrCat(kClientSelect, " WHERE client_id = ?1")));
    stmt.BindText(1, client_id);
    return ReadOne<ClientRecord>(
        stmt,
        [](const SqliteStatement& row) -> absl::StatusOr<ClientRecord> {
          return ClientFromRow(row);
        },
        Quoted("client", client_id));
  });
}

absl::StatusOr<std::vector<ClientRecord>> SqliteClientRepository::ListAll() {
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<ClientRecord>> {
    ASSIGN_OR_RETURN(
        SqliteStatement stmt,
        SqliteStatement::Prepare(
            ctx_.db(), absl::StrCat(kClientSelect, " ORDER BY client_id")));
    return ReadAll<ClientRecord>(
        stmt, [](const SqliteStatement& row) -> absl::StatusOr<ClientRecord> {
          return ClientFromRow(row);
        });
  });
}

}  // namespace meshid::identity::store_internal
