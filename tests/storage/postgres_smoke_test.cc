// Proves the harness gives tests a working PostgreSQL: one connection, a
// uniquely named table created, written, read back in a later transaction and
// dropped.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "tests/testing/postgres_env.h"

namespace meshid {
namespace {

std::string UniqueTableName() {
  std::random_device rd;
  const std::uint64_t r = (std::uint64_t{rd()} << 32) | rd();
  char suffix[17];
  std::snprintf(suffix, sizeof(suffix), "%016llx",
                static_cast<unsigned long long>(r));
  return "meshid_smoke_" + std::to_string(getpid()) + "_" + suffix;
}

// Drops the table if the test stops half way, so a shared database stays clean.
class DropTableOnExit {
 public:
  DropTableOnExit(pqxx::connection& conn, std::string table)
      : conn_(conn), table_(std::move(table)) {}
  ~DropTableOnExit() {
    try {
      pqxx::nontransaction tx(conn_);
      tx.exec0("DROP TABLE IF EXISTS " + tx.quote_name(table_));
    } catch (const std::exception&) {
      // Best effort: the connection may be what failed.
    }
  }

 private:
  pqxx::connection& conn_;
  std::string table_;
};

TEST(PostgresSmokeTest, CreateInsertReadBackDrop) {
  std::string url;
  MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(url);

  pqxx::connection conn(url);
  ASSERT_TRUE(conn.is_open());
  const std::string table = UniqueTableName();
  DropTableOnExit cleanup(conn, table);

  {
    pqxx::work tx(conn);
    const std::string name = tx.quote_name(table);
    tx.exec0("CREATE TABLE " + name +
             " (id integer PRIMARY KEY, note text NOT NULL)");
    tx.exec_params0("INSERT INTO " + name + " (id, note) VALUES ($1, $2)", 1,
                    "first");
    tx.exec_params0("INSERT INTO " + name + " (id, note) VALUES ($1, $2)", 2,
                    "second");
    tx.commit();
  }

  {
    pqxx::work tx(conn);
    const pqxx::result rows = tx.exec("SELECT id, note FROM " +
                                      tx.quote_name(table) + " ORDER BY id");
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0][0].as<int>(), 1);
    EXPECT_EQ(rows[0][1].as<std::string>(), "first");
    EXPECT_EQ(rows[1][0].as<int>(), 2);
    EXPECT_EQ(rows[1][1].as<std::string>(), "second");
    tx.exec0("DROP TABLE " + tx.quote_name(table));
    tx.commit();
  }

  {
    pqxx::work tx(conn);
    const pqxx::row gone =
        tx.exec_params1("SELECT to_regclass($1) IS NULL", table);
    EXPECT_TRUE(gone[0].as<bool>()) << "table " << table << " still exists";
  }
}

}  // namespace
}  // namespace meshid
