// PostgreSQL repositories for keys, principals and clients.
#include <optional>
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

using storage::PgBytes;
using storage::PgMicrosColumn;
using storage::PgNullable;
using storage::PgOptionalTime;
using storage::PgOptionalTimeField;
using storage::PgText;
using storage::PgTime;
using storage::PgTimeField;

namespace {

// Inserts use ON CONFLICT DO NOTHING and report ALREADY_EXISTS from the row
// count: a unique_violation would abort the whole transaction, while SQLite
// lets it continue, and callers may want to carry on after a duplicate.

const std::string& KeySelect() {
  static const std::string* const kSql = new std::string(absl::StrCat(
      "SELECT kid, alg, state, client_id, audience, sealed_material, ",
      PgMicrosColumn("created_at"), ", ", PgMicrosColumn("activated_at"), ", ",
      PgMicrosColumn("retired_at"), ", ", PgMicrosColumn("expires_at"), ", ",
      PgMicrosColumn("revoked_at"), ", created_by, version FROM keys"));
  return *kSql;
}

absl::StatusOr<KeyRecord> KeyFromRow(const pqxx::row& row) {
  KeyRecord key;
  key.kid = PgText(row[0]);
  ASSIGN_OR_RETURN(key.alg, AlgorithmFromDb(PgText(row[1])));
  ASSIGN_OR_RETURN(key.state, KeyStateFromDb(PgText(row[2])));
  key.client_id = PgText(row[3]);
  key.audience = PgText(row[4]);
  key.sealed_material = PgBytes(row[5]);
  key.created_at = PgTimeField(row[6]);
  key.activated_at = PgOptionalTimeField(row[7]);
  key.retired_at = PgOptionalTimeField(row[8]);
  key.expires_at = PgOptionalTimeField(row[9]);
  key.revoked_at = PgOptionalTimeField(row[10]);
  key.created_by = PgText(row[11]);
  key.version = row[12].as<int64_t>();
  return key;
}

// The key's mutable times as parameters.
struct PgKeyTimes {
  std::optional<std::string> activated, retired, expires, revoked;
};

absl::StatusOr<PgKeyTimes> EncodeKeyTimes(const KeyRecord& key) {
  PgKeyTimes t;
  ASSIGN_OR_RETURN(t.activated,
                   PgOptionalTime(key.activated_at, "key activated_at"));
  ASSIGN_OR_RETURN(t.retired, PgOptionalTime(key.retired_at, "key retired_at"));
  ASSIGN_OR_RETURN(t.expires, PgOptionalTime(key.expires_at, "key expires_at"));
  ASSIGN_OR_RETURN(t.revoked, PgOptionalTime(key.revoked_at, "key revoked_at"));
  return t;
}

const std::string& PrincipalSelect() {
  static const std::string* const kSql = new std::string(absl::StrCat(
      "SELECT id, kind, state, suspended_from, granted_roles, password_hash, ",
      PgMicrosColumn("created_at"), ", ", PgMicrosColumn("updated_at"),
      ", version FROM principals"));
  return *kSql;
}

absl::StatusOr<PrincipalRecord> PrincipalFromRow(const pqxx::row& row) {
  PrincipalRecord p;
  p.id = PgText(row[0]);
  ASSIGN_OR_RETURN(p.kind, PrincipalKindFromDb(PgText(row[1])));
  ASSIGN_OR_RETURN(p.state, PrincipalStateFromDb(PgText(row[2])));
  if (!row[3].is_null()) {
    ASSIGN_OR_RETURN(p.suspended_from, PrincipalStateFromDb(PgText(row[3])));
  }
  ASSIGN_OR_RETURN(p.granted_roles, RolesFromJson(PgText(row[4])));
  p.password_hash = PgText(row[5]);
  p.created_at = PgTimeField(row[6]);
  p.updated_at = PgTimeField(row[7]);
  p.version = row[8].as<int64_t>();
  return p;
}

std::optional<std::string> SuspendedFrom(const PrincipalRecord& p) {
  if (!p.suspended_from.has_value()) return std::nullopt;
  return std::string(PrincipalStateToDb(*p.suspended_from));
}

const std::string& ClientSelect() {
  static const std::string* const kSql = new std::string(
      absl::StrCat("SELECT client_id, display_name, secret_hash, policy_json, ",
                   PgMicrosColumn("created_at"), ", ",
                   PgMicrosColumn("updated_at"), ", version FROM clients"));
  return *kSql;
}

ClientRecord ClientFromRow(const pqxx::row& row) {
  ClientRecord c;
  c.client_id = PgText(row[0]);
  c.display_name = PgText(row[1]);
  c.secret_hash = PgText(row[2]);
  c.policy_json = PgText(row[3]);
  c.created_at = PgTimeField(row[4]);
  c.updated_at = PgTimeField(row[5]);
  c.version = row[6].as<int64_t>();
  return c;
}

}  // namespace

absl::Status PgKeyRepository::Insert(const KeyRecord& key) {
  RETURN_IF_ERROR(CheckKeyText(key));
  ASSIGN_OR_RETURN(std::string created,
                   PgTime(key.created_at, "key created_at"));
  ASSIGN_OR_RETURN(PgKeyTimes t, EncodeKeyTimes(key));
  return ctx_.Run([&]() -> absl::Status {
    const pqxx::result r = ctx_.work().exec_params(
        "INSERT INTO keys (kid, alg, state, client_id, audience, "
        "sealed_material, created_at, activated_at, retired_at, expires_at, "
        "revoked_at, created_by, version) VALUES ($1, $2, $3, $4, $5, $6, "
        "$7::timestamptz, $8::timestamptz, $9::timestamptz, $10::timestamptz, "
        "$11::timestamptz, $12, $13) ON CONFLICT DO NOTHING",
        key.kid, std::string(AlgorithmToDb(key.alg)),
        std::string(KeyStateToDb(key.state)), key.client_id, key.audience,
        pqxx::binarystring(key.sealed_material), created,
        PgNullable(t.activated), PgNullable(t.retired), PgNullable(t.expires),
        PgNullable(t.revoked), key.created_by, key.version);
    if (r.affected_rows() == 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("key \"", key.kid, "\" already exists"));
    }
    return absl::OkStatus();
  });
}

absl::Status PgKeyRepository::Update(const KeyRecord& key) {
  RETURN_IF_ERROR(CheckKeyText(key));
  ASSIGN_OR_RETURN(PgKeyTimes t, EncodeKeyTimes(key));
  return ctx_.Run([&]() -> absl::Status {
    const pqxx::result r = ctx_.work().exec_params(
        "UPDATE keys SET state = $2, activated_at = $3::timestamptz, "
        "retired_at = $4::timestamptz, expires_at = $5::timestamptz, "
        "revoked_at = $6::timestamptz, version = $7 WHERE kid = $1",
        key.kid, std::string(KeyStateToDb(key.state)), PgNullable(t.activated),
        PgNullable(t.retired), PgNullable(t.expires), PgNullable(t.revoked),
        key.version);
    if (r.affected_rows() == 0) {
      return absl::NotFoundError(
          absl::StrCat("key \"", key.kid, "\" not found"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<KeyRecord> PgKeyRepository::Get(absl::string_view kid) {
  RETURN_IF_ERROR(CheckText(kid, "kid"));
  return ctx_.Run([&]() -> absl::StatusOr<KeyRecord> {
    const pqxx::result r = ctx_.work().exec_params(
        KeySelect() + " WHERE kid = $1", std::string(kid));
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("key \"", kid, "\" not found"));
    }
    return KeyFromRow(r[0]);
  });
}

absl::StatusOr<std::vector<KeyRecord>> PgKeyRepository::ListAll() {
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<KeyRecord>> {
    const pqxx::result r =
        ctx_.work().exec(KeySelect() + " ORDER BY created_at, kid");
    std::vector<KeyRecord> keys;
    keys.reserve(r.size());
    for (const pqxx::row& row : r) {
      ASSIGN_OR_RETURN(KeyRecord key, KeyFromRow(row));
      keys.push_back(std::move(key));
    }
    return keys;
  });
}

absl::Status PgPrincipalRepository::Insert(const PrincipalRecord& p) {
  RETURN_IF_ERROR(CheckPrincipalText(p));
  ASSIGN_OR_RETURN(std::string created,
                   PgTime(p.created_at, "principal created_at"));
  ASSIGN_OR_RETURN(std::string updated,
                   PgTime(p.updated_at, "principal updated_at"));
  const std::optional<std::string> suspended_from = SuspendedFrom(p);
  return ctx_.Run([&]() -> absl::Status {
    const pqxx::result r = ctx_.work().exec_params(
        "INSERT INTO principals (id, kind, state, suspended_from, "
        "granted_roles, password_hash, created_at, updated_at, version) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7::timestamptz, $8::timestamptz, $9) "
        "ON CONFLICT DO NOTHING",
        p.id, std::string(PrincipalKindToDb(p.kind)),
        std::string(PrincipalStateToDb(p.state)), PgNullable(suspended_from),
        RolesToJson(p.granted_roles), p.password_hash, created, updated,
        p.version);
    if (r.affected_rows() == 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("principal \"", p.id, "\" already exists"));
    }
    return absl::OkStatus();
  });
}

absl::Status PgPrincipalRepository::Update(const PrincipalRecord& p) {
  RETURN_IF_ERROR(CheckPrincipalText(p));
  ASSIGN_OR_RETURN(std::string updated,
                   PgTime(p.updated_at, "principal updated_at"));
  const std::optional<std::string> suspended_from = SuspendedFrom(p);
  // id, kind and created_at never change.
  return ctx_.Run([&]() -> absl::Status {
    const pqxx::result r = ctx_.work().exec_params(
        "UPDATE principals SET state = $2, suspended_from = $3, "
        "granted_roles = $4, password_hash = $5, updated_at = $6::timestamptz, "
        "version = $7 WHERE id = $1",
        p.id, std::string(PrincipalStateToDb(p.state)),
        PgNullable(suspended_from), RolesToJson(p.granted_roles),
        p.password_hash, updated, p.version);
    if (r.affected_rows() == 0) {
      return absl::NotFoundError(
          absl::StrCat("principal \"", p.id, "\" not found"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<PrincipalRecord> PgPrincipalRepository::Get(
    absl::string_view id) {
  RETURN_IF_ERROR(CheckText(id, "principal id"));
  return ctx_.Run([&]() -> absl::StatusOr<PrincipalRecord> {
    const pqxx::result r = ctx_.work().exec_params(
        PrincipalSelect() + " WHERE id = $1", std::string(id));
    if (r.empty()) {
      return absl::NotFoundError(
          absl::StrCat("principal \"", id, "\" not found"));
    }
    return PrincipalFromRow(r[0]);
  });
}

absl::StatusOr<std::vector<PrincipalRecord>> PgPrincipalRepository::List(
    absl::string_view after_id, int limit) {
  RETURN_IF_ERROR(CheckLimit(limit));
  RETURN_IF_ERROR(CheckText(after_id, "after_id"));
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<PrincipalRecord>> {
    const pqxx::result r = ctx_.work().exec_params(
        PrincipalSelect() + " WHERE id > $1 ORDER BY id LIMIT $2",
        std::string(after_id), limit);
    std::vector<PrincipalRecord> principals;
    principals.reserve(r.size());
    for (const pqxx::row& row : r) {
      ASSIGN_OR_RETURN(PrincipalRecord p, PrincipalFromRow(row));
      principals.push_back(std::move(p));
    }
    return principals;
  });
}

absl::Status PgClientRepository::Insert(const ClientRecord& c) {
  RETURN_IF_ERROR(CheckClientText(c));
  ASSIGN_OR_RETURN(std::string created,
                   PgTime(c.created_at, "client created_at"));
  ASSIGN_OR_RETURN(std::string updated,
                   PgTime(c.updated_at, "client updated_at"));
  return ctx_.Run([&]() -> absl::Status {
    const pqxx::result r = ctx_.work().exec_params(
        "INSERT INTO clients (client_id, display_name, secret_hash, "
        "policy_json, created_at, updated_at, version) VALUES ($1, $2, $3, $4, "
        "$5::timestamptz, $6::timestamptz, $7) ON CONFLICT DO NOTHING",
        c.client_id, c.display_name, c.secret_hash, c.policy_json, created,
        updated, c.version);
    if (r.affected_rows() == 0) {
      return absl::AlreadyExistsError(
          absl::StrCat("client \"", c.client_id, "\" already exists"));
    }
    return absl::OkStatus();
  });
}

absl::Status PgClientRepository::Update(const ClientRecord& c) {
  RETURN_IF_ERROR(CheckClientText(c));
  ASSIGN_OR_RETURN(std::string updated,
                   PgTime(c.updated_at, "client updated_at"));
  // client_id and created_at never change.
  return ctx_.Run([&]() -> absl::Status {
    const pqxx::result r = ctx_.work().exec_params(
        "UPDATE clients SET display_name = $2, secret_hash = $3, "
        "policy_json = $4, updated_at = $5::timestamptz, version = $6 "
        "WHERE client_id = $1",
        c.client_id, c.display_name, c.secret_hash, c.policy_json, updated,
        c.version);
    if (r.affected_rows() == 0) {
      return absl::NotFoundError(
          absl::StrCat("client \"", c.client_id, "\" not found"));
    }
    return absl::OkStatus();
  });
}

absl::Status PgClientRepository::Delete(absl::string_view client_id) {
  RETURN_IF_ERROR(CheckText(client_id, "client_id"));
  return ctx_.Run([&]() -> absl::Status {
    const pqxx::result r = ctx_.work().exec_params(
        "DELETE FROM clients WHERE client_id = $1", std::string(client_id));
    if (r.affected_rows() == 0) {
      return absl::NotFoundError(
          absl::StrCat("client \"", client_id, "\" not found"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<ClientRecord> PgClientRepository::Get(
    absl::string_view client_id) {
  RETURN_IF_ERROR(CheckText(client_id, "client_id"));
  return ctx_.Run([&]() -> absl::StatusOr<ClientRecord> {
    const pqxx::result r = ctx_.work().exec_params(
        ClientSelect() + " WHERE client_id = $1", std::string(client_id));
    if (r.empty()) {
      return absl::NotFoundError(
          absl::StrCat("client \"", client_id, "\" not found"));
    }
    return ClientFromRow(r[0]);
  });
}

absl::StatusOr<std::vector<ClientRecord>> PgClientRepository::ListAll() {
  return ctx_.Run([&]() -> absl::StatusOr<std::vector<ClientRecord>> {
    const pqxx::result r =
        ctx_.work().exec(ClientSelect() + " ORDER BY client_id");
    std::vector<ClientRecord> clients;
    clients.reserve(r.size());
    for (const pqxx::row& row : r) clients.push_back(ClientFromRow(row));
    return clients;
  });
}

}  // namespace meshid::identity::store_internal
