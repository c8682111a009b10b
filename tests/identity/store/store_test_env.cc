#include "tests/identity/store/store_test_env.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <pqxx/pqxx>
#include <random>

#include "absl/strings/str_cat.h"
#include "tests/testing/postgres_env.h"

namespace meshid::identity::testing {
namespace {

std::string RandomSuffix() {
  std::random_device rd;
  const uint64_t r = (uint64_t{rd()} << 32) | rd();
  char buffer[17];
  std::snprintf(buffer, sizeof(buffer), "%016llx",
                static_cast<unsigned long long>(r));
  return buffer;
}

}  // namespace

std::string DialectName(const ::testing::TestParamInfo<Dialect>& info) {
  return info.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
}

std::string WithDatabase(const std::string& url, const std::string& database) {
  const size_t authority = url.find("://");
  const size_t path = url.find_first_of("/?", authority + 3);
  if (path == std::string::npos) return absl::StrCat(url, "/", database);
  const size_t query = url.find('?', path);
  const std::string rest = query == std::string::npos ? "" : url.substr(query);
  return absl::StrCat(url.substr(0, path), "/", database, rest);
}

int TerminateOtherConnections(const std::string& url) {
  pqxx::connection admin(url);
  pqxx::nontransaction tx(admin);
  // The timeout makes pg_terminate_backend wait until each backend has
  // exited (PostgreSQL 14+), so the caller sees them gone, not going.
  const pqxx::result r = tx.exec(
      "SELECT pg_terminate_backend(pid, 30000) FROM pg_stat_activity "
      "WHERE datname = current_database() AND pid <> pg_backend_pid()");
  return static_cast<int>(r.size());
}

StoreLocations::StoreLocations(Dialect dialect, std::string pg_base_url)
    : dialect_(dialect), pg_base_url_(std::move(pg_base_url)) {
  if (dialect_ == Dialect::kSqlite) {
    std::string pattern = ::testing::TempDir() + "meshid_store_XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    folder_ = pattern;
  }
}

StoreLocations::~StoreLocations() {
  if (!folder_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }
  if (databases_.empty()) return;
  try {
    pqxx::connection admin(pg_base_url_);
    for (const std::string& db : databases_) {
      pqxx::nontransaction tx(admin);
      // FORCE (PostgreSQL 13+): a store a failed test leaked may still hold
      // connections.
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(db) + " WITH (FORCE)");
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot drop test databases: " << e.what();
  }
}

std::string StoreLocations::NewUrl() {
  if (dialect_ == Dialect::kSqlite) {
    if (folder_.empty()) return "";
    return absl::StrCat("sqlite://", folder_, "/meshid_", next_file_++, ".db");
  }
  const std::string name =
      absl::StrCat("meshid_t_", getpid(), "_", RandomSuffix());
  try {
    pqxx::connection admin(pg_base_url_);
    pqxx::nontransaction tx(admin);
    tx.exec("CREATE DATABASE " + tx.quote_name(name));
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cannot create test database " << name << ": " << e.what();
    return "";
  }
  databases_.push_back(name);
  return WithDatabase(pg_base_url_, name);
}

void StoreTest::SetUp() {
  std::string pg_url;
  if (GetParam() == Dialect::kPostgres) {
    MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(pg_url);
  }
  locations_.emplace(GetParam(), pg_url);
  url_ = locations_->NewUrl();
  ASSERT_FALSE(url_.empty());
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(url_, Options());
  ASSERT_TRUE(store.ok()) << store.status();
  store_ = *std::move(store);
}

void StoreTest::TearDown() {
  store_.reset();  // closes its connections before the database is dropped
  locations_.reset();
}

StoreOptions StoreTest::Options() const { return StoreOptions(); }

absl::Time T0() { return absl::FromUnixMicros(1700000000123456); }

absl::Time At(int64_t seconds_after_t0) {
  return T0() + absl::Seconds(seconds_after_t0);
}

KeyRecord MakeKey(const std::string& kid) {
  KeyRecord key;
  key.kid = kid;
  key.alg = Algorithm::kHs256;
  key.state = KeyState::kPending;
  key.client_id = "billing";
  key.audience = "logging-service";
  // Bytes, not text: NUL and high bytes must survive.
  key.sealed_material = std::string("\x00\x01\xfe\xff sealed \x00", 13);
  key.created_at = T0();
  key.created_by = "admin";
  key.version = 1;
  return key;
}

PrincipalRecord MakePrincipal(const std::string& id) {
  PrincipalRecord p;
  p.id = id;
  p.kind = PrincipalKind::kUser;
  p.state = PrincipalState::kRegistered;
  p.granted_roles = {"auditor", "r\u00f4le \"quoted\"\n"};
  p.password_hash = "pbkdf2-sha256$600000$c2FsdA$aGFzaA";
  p.created_at = T0();
  p.updated_at = At(1);
  p.version = 2;
  return p;
}

ClientRecord MakeClient(const std::string& client_id) {
  ClientRecord c;
  c.client_id = client_id;
  c.display_name = "Client " + client_id;
  c.secret_hash = "c2VjcmV0LWhhc2g";
  c.policy_json = R"({"audiences":{"logging-service":["logs:write"]}})";
  c.created_at = T0();
  c.updated_at = T0();
  c.version = 3;
  return c;
}

AuditEvent MakeAudit(const std::string& actor, const std::string& action,
                     const std::string& kid, absl::Time at) {
  AuditEvent e;
  e.at = at;
  e.actor = actor;
  e.action = action;
  e.target = kid.empty() ? "billing" : kid;
  e.kid = kid;
  e.details = {{"reason", "rotation \"scheduled\""}, {"slot", "billing/logs"}};
  e.version = 0;
  return e;
}

void ExpectKeyEq(const KeyRecord& a, const KeyRecord& e) {
  EXPECT_EQ(a.kid, e.kid);
  EXPECT_EQ(a.alg, e.alg);
  EXPECT_EQ(a.state, e.state);
  EXPECT_EQ(a.client_id, e.client_id);
  EXPECT_EQ(a.audience, e.audience);
  EXPECT_EQ(a.sealed_material, e.sealed_material);
  EXPECT_EQ(a.created_at, e.created_at);
  EXPECT_EQ(a.activated_at, e.activated_at);
  EXPECT_EQ(a.retired_at, e.retired_at);
  EXPECT_EQ(a.expires_at, e.expires_at);
  EXPECT_EQ(a.revoked_at, e.revoked_at);
  EXPECT_EQ(a.created_by, e.created_by);
  EXPECT_EQ(a.version, e.version);
}

void ExpectPrincipalEq(const PrincipalRecord& a, const PrincipalRecord& e) {
  EXPECT_EQ(a.id, e.id);
  EXPECT_EQ(a.kind, e.kind);
  EXPECT_EQ(a.state, e.state);
  EXPECT_EQ(a.suspended_from, e.suspended_from);
  EXPECT_EQ(a.granted_roles, e.granted_roles);
  EXPECT_EQ(a.password_hash, e.password_hash);
  EXPECT_EQ(a.created_at, e.created_at);
  EXPECT_EQ(a.updated_at, e.updated_at);
  EXPECT_EQ(a.version, e.version);
}

void ExpectClientEq(const ClientRecord& a, const ClientRecord& e) {
  EXPECT_EQ(a.client_id, e.client_id);
  EXPECT_EQ(a.display_name, e.display_name);
  EXPECT_EQ(a.secret_hash, e.secret_hash);
  EXPECT_EQ(a.policy_json, e.policy_json);
  EXPECT_EQ(a.created_at, e.created_at);
  EXPECT_EQ(a.updated_at, e.updated_at);
  EXPECT_EQ(a.version, e.version);
}

}  // namespace meshid::identity::testing
