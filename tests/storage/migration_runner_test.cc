// The migration runner on its own, with a MigrationSet made up here: each
// migration applies once, in order, is recorded in schema_migrations, and a
// failing one leaves nothing behind; on SQLite and on PostgreSQL alike.
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "storage/pg_connection_pool.h"
#include "storage/pg_migrator.h"
#include "storage/sqlite_db.h"
#include "storage/sqlite_migrator.h"
#include "tests/testing/postgres_env.h"
#include "tests/testing/scratch_database.h"
#include "tests/testing/status_assertions.h"

namespace meshid::storage {
namespace {

const std::vector<Migration> kTwoSteps = {
    {"0001_first", "CREATE TABLE t (a INTEGER NOT NULL);"},
    {"0002_second", "ALTER TABLE t ADD COLUMN b INTEGER;"},
};
const std::vector<Migration> kBroken = {
    {"0001_first", "CREATE TABLE t (a INTEGER NOT NULL);"},
    {"0002_second", "ALTER TABLE t ADD COLUMN b INTEGER;"},
    {"0003_broken", "CREATE TABLE u (x INTEGER); SELECT no_such_function();"},
};

class SqliteMigrationRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/meshid-mig-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    folder_ = pattern;
    ASSERT_OK_AND_ASSIGN(
        db_, OpenSqlite(folder_ + "/t.db", /*create=*/true, absl::Seconds(5)));
  }
  void TearDown() override {
    db_.reset();
    std::system(absl::StrCat("rm -rf '", folder_, "'").c_str());
  }

  std::string folder_;
  SqliteHandle db_;
};

TEST_F(SqliteMigrationRunnerTest, AppliesEachOnceInOrder) {
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> none,
                       ListAppliedSqliteMigrations(db_.get()));
  EXPECT_TRUE(none.empty());
  ASSERT_OK(ApplySqliteMigrations(db_.get(), {kTwoSteps[0]}));
  ASSERT_OK(ApplySqliteMigrations(db_.get(), kTwoSteps));
  // Again: nothing pending, nothing re-run (ALTER ... ADD COLUMN twice would
  // fail).
  ASSERT_OK(ApplySqliteMigrations(db_.get(), kTwoSteps));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> applied,
                       ListAppliedSqliteMigrations(db_.get()));
  EXPECT_EQ(applied, (std::vector<std::string>{"0001_first", "0002_second"}));
  ASSERT_OK(SqliteExec(db_.get(), "INSERT INTO t (a, b) VALUES (1, 2)"));
}

TEST_F(SqliteMigrationRunnerTest, AFailingMigrationLeavesNoTrace) {
  const absl::Status status = ApplySqliteMigrations(db_.get(), kBroken);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("0003_broken"), std::string::npos) << status;
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> applied,
                       ListAppliedSqliteMigrations(db_.get()));
  EXPECT_EQ(applied, (std::vector<std::string>{"0001_first", "0002_second"}));
  // Its first statement was rolled back with it.
  EXPECT_FALSE(SqliteExec(db_.get(), "SELECT x FROM u").ok());
}

class PgMigrationRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base;
    MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(base);
    ASSERT_OK_AND_ASSIGN(database_, ScratchDatabase::Create(base));
    ASSERT_OK_AND_ASSIGN(connection_,
                         PgConnectionPool::Connect(database_->url(), {}));
  }

  std::unique_ptr<ScratchDatabase> database_;
  std::unique_ptr<pqxx::connection> connection_;
};

TEST_F(PgMigrationRunnerTest, AppliesEachOnceInOrder) {
  ASSERT_OK(ApplyPgMigrations(*connection_, {kTwoSteps[0]}, {}));
  ASSERT_OK(ApplyPgMigrations(*connection_, kTwoSteps, {}));
  ASSERT_OK(ApplyPgMigrations(*connection_, kTwoSteps, {}));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> applied,
                       ListAppliedPgMigrations(*connection_, {}));
  EXPECT_EQ(applied, (std::vector<std::string>{"0001_first", "0002_second"}));
}

TEST_F(PgMigrationRunnerTest, AFailingMigrationLeavesNoTrace) {
  const absl::Status status = ApplyPgMigrations(*connection_, kBroken, {});
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("0003_broken"), std::string::npos) << status;
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> applied,
                       ListAppliedPgMigrations(*connection_, {}));
  EXPECT_EQ(applied, (std::vector<std::string>{"0001_first", "0002_second"}));
  pqxx::read_transaction read(*connection_);
  EXPECT_TRUE(read.exec1("SELECT to_regclass('u') IS NULL")[0].as<bool>());
}

}  // namespace
}  // namespace meshid::storage
