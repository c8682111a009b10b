// The text blocks behind `text_contains` (logging/store/text_blocks.h), on
// SQLite and on PostgreSQL: random entries and random filters, page by
// page, give exactly what a brute-force filter in C++ gives; the blocks are
// written in the entries' transaction; retention removes them; entries
// stored before the blocks existed are still found.
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <pqxx/pqxx>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "logging/store/open_log_store.h"
#include "tests/logging/log_store_backend_test.h"
#include "tests/logging/log_test_util.h"
#include "tests/testing/postgres_env.h"
#include "tests/testing/scratch_database.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging {
namespace {

using testing::BaseTime;
using testing::ValidRecord;

using testing::LogBackend;
using testing::LogStoreBackendTest;

// Message pieces: common words, a rare one, case variants, unicode, and
// characters LIKE, GLOB and COPY treat specially.
const std::vector<std::string>& Pieces() {
  static const auto* pieces = new std::vector<std::string>{"request served",
                                                           "cache miss",
                                                           "Cache Miss",
                                                           "CACHE",
                                                           "worker panic",
                                                           "caf\xC3\xA9",
                                                           "\xF0\x9F\x99\x82",
                                                           "100%_done",
                                                           "tab\there",
                                                           "back\\slash",
                                                           "a",
                                                           "xy",
                                                           "upstream slow",
                                                           "[glob*?]",
                                                           "token refreshed"};
  return *pieces;
}

// Needles: pieces, their parts, short ones, absent ones.
const std::vector<std::string>& Needles() {
  static const auto* needles =
      new std::vector<std::string>{"panic",       "worker panic",
                                   "cache",       "Cache",
                                   "CACHE",       "miss c",
                                   "caf\xC3\xA9", "f\xC3\xA9",
                                   "\xC3\xA9",    "\xF0\x9F\x99\x82",
                                   "%_d",         "e\tt",
                                   "\\s",         "a",
                                   "xy",          "xyz",
                                   "zzzz",        "served",
                                   "rved",        "ss",
                                   "*?]",         "upstream slow cache",
                                   "ed t",        "refreshedtoken"};
  return *needles;
}

class LogTextSearchTest : public LogStoreBackendTest {
 protected:
  // Runs `sql` on a connection of its own (statements separated by ';').
  void Exec(const std::string& sql) {
    if (GetParam() == LogBackend::kSqlite) {
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open((folder_ + "/log.db").c_str(), &db), SQLITE_OK);
      char* error = nullptr;
      const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
      const std::string message = error == nullptr ? "" : error;
      sqlite3_free(error);
      sqlite3_close(db);
      ASSERT_EQ(rc, SQLITE_OK) << message;
    } else {
      pqxx::connection connection(url_);
      pqxx::nontransaction tx(connection);
      tx.exec(sql);
    }
  }

  int64_t Count(const std::string& table) {
    const std::string sql = absl::StrCat("SELECT count(*) FROM ", table);
    if (GetParam() == LogBackend::kSqlite) {
      sqlite3* db = nullptr;
      EXPECT_EQ(sqlite3_open((folder_ + "/log.db").c_str(), &db), SQLITE_OK);
      sqlite3_stmt* stmt = nullptr;
      sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr);
      int64_t n = -1;
      if (sqlite3_step(stmt) == SQLITE_ROW) n = sqlite3_column_int64(stmt, 0);
      sqlite3_finalize(stmt);
      sqlite3_close(db);
      return n;
    }
    pqxx::connection connection(url_);
    pqxx::read_transaction read(connection);
    return read.exec1(sql)[0].as<int64_t>();
  }

  // Appends random entries in random batch sizes (blocks of one entry up
  // to several per batch), with times that rise but go back and forth by a
  // few seconds, so that id order and time order differ, neighbouring
  // blocks' times overlap, and many entries tie.
  void AppendRandom(std::mt19937& rng, int count, int first_second) {
    int appended = 0;
    while (appended < count) {
      const int size = std::min<int>(count - appended, 1 + rng() % 150);
      std::vector<LogRecord> batch;
      for (int i = 0; i < size; ++i) {
        std::string message;
        const int parts = rng() % 4;
        for (int p = 0; p < parts; ++p) {
          if (p > 0) message += rng() % 2 ? " " : "";
          message += Pieces()[rng() % Pieces().size()];
        }
        // A rare piece, as in the benchmark's 0.1%-ish "panic".
        if (rng() % 300 == 0) message += " rare-needle-qq";
        LogRecord r = ValidRecord(
            first_second + (appended + i) / 15 + static_cast<int>(rng() % 4),
            message);
        r.time += absl::Microseconds(rng() % 3);
        r.service = absl::StrCat("svc-", rng() % 3);
        r.level = static_cast<EntryLevel>(1 + rng() % 4);
        r.kind = static_cast<EntryKind>(1 + rng() % 3);
        r.method = rng() % 2 ? "/a.v1.S/Get" : "/b.v1.S/Put";
        batch.push_back(std::move(r));
      }
      std::vector<LogRecord> stored = batch;
      ASSERT_OK(store_->Append(stored));
      for (LogRecord& r : stored) all_.push_back(std::move(r));
      appended += size;
    }
  }

  LogFilter RandomFilter(std::mt19937& rng) {
    LogFilter f;
    f.text_contains = Needles()[rng() % Needles().size()];
    if (rng() % 4 == 0) f.service = absl::StrCat("svc-", rng() % 3);
    if (rng() % 4 == 0) f.min_level = static_cast<EntryLevel>(1 + rng() % 4);
    if (rng() % 5 == 0) f.kind = static_cast<EntryKind>(1 + rng() % 3);
    if (rng() % 5 == 0) f.method_prefix = "/b.";
    if (rng() % 3 == 0) {
      f.start_time = BaseTime() + absl::Seconds(rng() % 400);
    }
    if (rng() % 3 == 0) {
      f.end_time = BaseTime() + absl::Seconds(rng() % 400);
    }
    if (f.start_time && f.end_time && *f.start_time > *f.end_time) {
      std::swap(f.start_time, f.end_time);
    }
    return f;
  }

  // Every page of `filter` at `page_size`, from the store and by brute
  // force over all_, as id lists.
  void ExpectPagesAgree(const LogFilter& filter, int page_size) {
    std::vector<LogRecord> expected;
    for (const LogRecord& r : all_) {
      if (Matches(filter, r)) expected.push_back(r);
    }
    std::sort(expected.begin(), expected.end(),
              [](const LogRecord& a, const LogRecord& b) {
                if (a.time != b.time) return a.time > b.time;
                return a.id > b.id;
              });
    LogQuery query;
    query.filter = filter;
    query.limit = page_size;
    size_t position = 0;
    while (true) {
      ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> page, store_->Query(query));
      const size_t want =
          std::min<size_t>(page_size, expected.size() - position);
      ASSERT_EQ(page.size(), want)
          << CanonicalFilterBytes(filter) << " at " << position;
      for (size_t i = 0; i < page.size(); ++i) {
        ASSERT_EQ(page[i].id, expected[position + i].id)
            << CanonicalFilterBytes(filter) << " at " << position + i;
        ASSERT_EQ(page[i].message, expected[position + i].message);
      }
      position += page.size();
      if (page.size() < static_cast<size_t>(page_size)) break;
      query.after =
          PageCursor{absl::ToUnixMicros(page.back().time), page.back().id};
    }
    EXPECT_EQ(position, expected.size());
  }

  std::vector<LogRecord> all_;  // as stored, with ids
};

TEST_P(LogTextSearchTest, RandomFiltersPageLikeBruteForce) {
  std::mt19937 rng(20261208);
  AppendRandom(rng, 6000, 0);
  for (const std::string& needle : Needles()) {
    LogFilter f;
    f.text_contains = needle;
    ExpectPagesAgree(f, 1 + rng() % 120);
  }
  for (int i = 0; i < 60; ++i) {
    ExpectPagesAgree(RandomFilter(rng), 1 + rng() % 200);
  }
  LogFilter rare;
  rare.text_contains = "rare-needle-qq";
  ExpectPagesAgree(rare, 3);
}

TEST_P(LogTextSearchTest, BlocksCommitWithTheirEntriesOrNotAtAll) {
  // A block the database refuses takes its entries with it...
  if (GetParam() == LogBackend::kSqlite) {
    Exec(
        "CREATE TRIGGER refuse_blocks BEFORE INSERT ON log_text_blocks "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  } else {
    Exec(
        "ALTER TABLE log_text_blocks ADD CONSTRAINT refuse_blocks "
        "CHECK (first_id < 0)");
  }
  std::vector<LogRecord> batch(5, ValidRecord(1, "worker panic"));
  EXPECT_FALSE(store_->Append(batch).ok());
  EXPECT_EQ(Count("log_entries"), 0);
  EXPECT_EQ(Count("log_text_blocks"), 0);
  // ...and entries the database refuses take their block.
  if (GetParam() == LogBackend::kSqlite) {
    Exec(
        "DROP TRIGGER refuse_blocks; CREATE TRIGGER refuse_poison BEFORE "
        "INSERT ON log_entries WHEN NEW.message = 'poison' "
        "BEGIN SELECT RAISE(ABORT, 'refused'); END");
  } else {
    Exec(
        "ALTER TABLE log_text_blocks DROP CONSTRAINT refuse_blocks; "
        "ALTER TABLE log_entries ADD CONSTRAINT refuse_poison "
        "CHECK (message <> 'poison')");
  }
  Open();  // fresh connections
  batch = {ValidRecord(1, "worker panic"), ValidRecord(2, "poison")};
  EXPECT_FALSE(store_->Append(batch).ok());
  EXPECT_EQ(Count("log_entries"), 0);
  EXPECT_EQ(Count("log_text_blocks"), 0);
  batch = {ValidRecord(1, "worker panic")};
  ASSERT_OK(store_->Append(batch));
  EXPECT_EQ(Count("log_entries"), 1);
  EXPECT_EQ(Count("log_text_blocks"), 1);
}

TEST_P(LogTextSearchTest, RetentionRemovesBlocksOnlyOnceTheirEntriesAreGone) {
  for (int second : {0, 10, 20}) {
    std::vector<LogRecord> batch;
    for (int i = 0; i < 3; ++i) {
      batch.push_back(ValidRecord(second + i, "worker panic"));
    }
    ASSERT_OK(store_->Append(batch));
  }
  EXPECT_EQ(Count("log_text_blocks"), 3);
  // A bounded delete takes two of the first block's three entries: the
  // block stays, and its last entry is still found.
  ASSERT_OK_AND_ASSIGN(int64_t deleted, store_->DeleteOlderThan(
                                            BaseTime() + absl::Seconds(15), 2));
  EXPECT_EQ(deleted, 2);
  EXPECT_EQ(Count("log_text_blocks"), 3);
  LogQuery query;
  query.filter.text_contains = "panic";
  ASSERT_OK_AND_ASSIGN(std::vector<LogRecord> found, store_->Query(query));
  EXPECT_EQ(found.size(), 7u);
  ASSERT_OK_AND_ASSIGN(
      deleted, store_->DeleteOlderThan(BaseTime() + absl::Seconds(15), 100));
  EXPECT_EQ(deleted, 4);
  EXPECT_EQ(Count("log_text_blocks"), 1);
  ASSERT_OK_AND_ASSIGN(found, store_->Query(query));
  EXPECT_EQ(found.size(), 3u);
}

TEST_P(LogTextSearchTest, EntriesStoredBeforeTheBlocksAreStillFound) {
  std::mt19937 rng(5);
  AppendRandom(rng, 700, 0);
  // Back to the schema before 0002: no blocks, and the migration pending.
  Exec(
      "DROP TABLE log_text_blocks; DELETE FROM schema_migrations "
      "WHERE name = '0002_log_text_blocks'");
  Open();  // applies 0002 again: one block without a filter covers them
  EXPECT_EQ(Count("log_text_blocks"), 1);
  AppendRandom(rng, 700, 100);
  for (const std::string& needle : Needles()) {
    LogFilter f;
    f.text_contains = needle;
    ExpectPagesAgree(f, 50);
  }
  // Retention removes the covering block with the last old entry.
  ASSERT_OK(store_->DeleteOlderThan(BaseTime() + absl::Seconds(10000), 100000)
                .status());
  EXPECT_EQ(Count("log_text_blocks"), 0);
}

INSTANTIATE_TEST_SUITE_P(Stores, LogTextSearchTest, testing::AllLogBackends(),
                         testing::LogBackendName);

}  // namespace
}  // namespace meshid::logging
