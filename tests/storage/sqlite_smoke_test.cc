// Proves SQLite works as the embedded store needs it: a real database file on
// disk, written through one connection, read back through another.
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "gtest/gtest.h"

namespace meshid {
namespace {

class SqliteSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir_template = ::testing::TempDir() + "meshid_sqlite_XXXXXX";
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr) << "mkdtemp failed";
    dir_ = dir_template;
    path_ = dir_ + "/smoke.db";
  }

  void TearDown() override {
    // SQLite may leave -journal/-wal files beside the database.
    for (const char* suffix : {"", "-journal", "-wal", "-shm"}) {
      unlink((path_ + suffix).c_str());
    }
    if (!dir_.empty()) rmdir(dir_.c_str());
  }

  sqlite3* Open() {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path_.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    EXPECT_EQ(rc, SQLITE_OK) << (db ? sqlite3_errmsg(db) : "out of memory");
    return db;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteSmokeTest, WritesFileAndReadsBackAfterReopen) {
  sqlite3* db = Open();
  ASSERT_NE(db, nullptr);
  char* error = nullptr;
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE smoke (id INTEGER PRIMARY KEY, "
                         "note TEXT NOT NULL)",
                         nullptr, nullptr, &error),
            SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);

  sqlite3_stmt* insert = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "INSERT INTO smoke (id, note) VALUES (?, ?)",
                               -1, &insert, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  ASSERT_EQ(sqlite3_bind_int(insert, 1, 7), SQLITE_OK);
  ASSERT_EQ(sqlite3_bind_text(insert, 2, "seven", -1, SQLITE_TRANSIENT),
            SQLITE_OK);
  EXPECT_EQ(sqlite3_step(insert), SQLITE_DONE) << sqlite3_errmsg(db);
  sqlite3_finalize(insert);
  ASSERT_EQ(sqlite3_close(db), SQLITE_OK);

  struct stat st {};
  ASSERT_EQ(stat(path_.c_str(), &st), 0) << path_ << " was not created";
  EXPECT_GT(st.st_size, 0);

  db = Open();
  ASSERT_NE(db, nullptr);
  sqlite3_stmt* select = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT id, note FROM smoke", -1, &select,
                               nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  ASSERT_EQ(sqlite3_step(select), SQLITE_ROW) << sqlite3_errmsg(db);
  EXPECT_EQ(sqlite3_column_int(select, 0), 7);
  EXPECT_EQ(std::string(
                reinterpret_cast<const char*>(sqlite3_column_text(select, 1))),
            "seven");
  EXPECT_EQ(sqlite3_step(select), SQLITE_DONE);
  sqlite3_finalize(select);
  EXPECT_EQ(sqlite3_close(db), SQLITE_OK);
}

}  // namespace
}  // namespace meshid
