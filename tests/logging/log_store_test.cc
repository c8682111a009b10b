// The LogStore conformance suite: every TEST_P runs on SQLite and on
// PostgreSQL (a scratch database each), and both must agree with the
// reference semantics (MemoryLogStore: Matches, newest first by (time, id)).
#include <sqlite3.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "logging/log_reader.h"
#include "logging/store/open_log_store.h"
#include "tests/logging/log_store_backend_test.h"
#include "tests/logging/log_test_util.h"
#include "tests/logging/memory_log_store.h"
#include "tests/testing/postgres_env.h"
#include "tests/testing/scratch_database.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging {
namespace {

using testing::BaseTime;
using testing::MemoryLogStore;
using testing::ValidRecord;

using testing::LogBackend;
using testing::LogStoreBackendTest;

// The "n" attribute tells entries apart across stores (ids differ).
std::string TagOf(const LogRecord& r) {
  for (const Attribute& a : r.attributes) {
    if (a.first == "n") return a.second;
  }
  return "";
}

std::vector<std::string> Tags(const std::vector<LogRecord>& records) {
  std::vector<std::string> tags;
  for (const LogRecord& r : records) tags.push_back(TagOf(r));
  return tags;
}

class LogStoreTest : public LogStoreBackendTest {
 protected:
  // Appends `records` to the store under test and to the reference.
  void AppendBoth(std::vector<LogRecord> records) {
    std::vector<LogRecord> copy = records;
    ASSERT_OK(store_->Append(records));
    ASSERT_OK(reference_.Append(copy));
  }

  std::vector<LogRecord> QueryAll(const LogFilter& filter, int limit = 10000) {
    LogQuery q;
    q.filter = filter;
    q.limit = limit;
    absl::StatusOr<std::vector<LogRecord>> got = store_->Query(q);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.value_or(std::vector<LogRecord>());
  }

  std::vector<std::string> ReferenceTags(const LogFilter& filter) {
    LogQuery q;
    q.filter = filter;
    q.limit = 10000;
    return Tags(*reference_.Query(q));
  }

  // A few hundred varied entries: services, subjects, levels, kinds,
  // methods and messages holding LIKE/GLOB metacharacters and COPY escapes,
  // many sharing a time.
  void AppendVariety() {
    const std::vector<std::string> methods = {
        "/meshid.keyadmin.v1.KeyAdmin/RotateKey",
        "/meshid.keyadmin.v1.KeyAdmin/ListKeys",
        "/meshid.identity.v1.Identity/IssueToken",
        "/odd%service_x.v1.S/M",
        "/odd*service?x.v1.S/[M]",
        "/oddXservice\\x.v1.S/M",
        ""};
    const std::vector<std::string> messages = {
        "granted",
        "denied: bad_signature",
        "100% done_now",
        "tab\there\nnew line \\ backslash",
        "caf\xC3\xA9 \xF0\x9F\x99\x82",
        "star*question?bracket[x]"};
    std::vector<LogRecord> batch;
    for (int i = 0; i < 240; ++i) {
      LogRecord r = ValidRecord(i / 4, messages[i % messages.size()]);
      r.service = absl::StrCat("svc-", i % 3);
      r.subject = absl::StrCat("user-", i % 5);
      r.level = static_cast<EntryLevel>(1 + i % 4);
      r.kind = static_cast<EntryKind>(1 + i % 3);
      r.method = methods[i % methods.size()];
      r.status_code = i % 17;
      r.attributes = {{"n", absl::StrCat(i)}, {"quote\"key", "va\\lue\n"}};
      batch.push_back(r);
      if (batch.size() == 60) {
        AppendBoth(std::move(batch));
        batch.clear();
      }
    }
  }

  MemoryLogStore reference_;
};

TEST_P(LogStoreTest, MigrationsAreRecordedInTheLogDatabasesOwnTable) {
  std::vector<std::string> applied;
  if (GetParam() == LogBackend::kSqlite) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((folder_ + "/log.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(
                  db, "SELECT name FROM schema_migrations ORDER BY name", -1,
                  &stmt, nullptr),
              SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      applied.emplace_back(
          reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)));
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
  } else {
    pqxx::connection connection(url_);
    pqxx::read_transaction read(connection);
    for (const pqxx::row& row :
         read.exec("SELECT name FROM schema_migrations ORDER BY name")) {
      applied.push_back(row[0].as<std::string>());
    }
  }
  EXPECT_EQ(applied, (std::vector<std::string>{"0001_log_entries",
                                               "0002_log_text_blocks"}));
  // Opening again applies nothing twice.
  Open();
}

TEST_P(LogStoreTest, AppendAssignsIdsAndEveryFieldRoundTrips) {
  std::vector<LogRecord> batch = {ValidRecord(1), ValidRecord(2),
                                  ValidRecord(3)};
  batch[1].time += absl::Microseconds(999999);
  batch[1].latency = absl::Nanoseconds(123456789);
  batch[2].attributes.clear();
  batch[2].message = std::string(8192, 'x');
  ASSERT_OK(store_->Append(batch));
  EXPECT_GT(batch[0].id, 0);
  EXPECT_LT(batch[0].id, batch[1].id);
  EXPECT_LT(batch[1].id, batch[2].id);
  const std::vector<LogRecord> stored = QueryAll(LogFilter());
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(stored[0], batch[2]);
  EXPECT_EQ(stored[1], batch[1]);
  EXPECT_EQ(stored[2], batch[0]);
}

TEST_P(LogStoreTest, EveryFilterAgreesWithTheReference) {
  AppendVariety();
  std::vector<LogFilter> filters(1);
  auto add = [&](auto set) {
    LogFilter f;
    set(f);
    filters.push_back(f);
  };
  add([](LogFilter& f) { f.service = "svc-1"; });
  add([](LogFilter& f) { f.subject = "user-3"; });
  add([](LogFilter& f) { f.min_level = EntryLevel::kWarning; });
  add([](LogFilter& f) { f.min_level = EntryLevel::kError; });
  add([](LogFilter& f) { f.kind = EntryKind::kAudit; });
  add([](LogFilter& f) { f.method_prefix = "/meshid.keyadmin.v1.KeyAdmin/"; });
  add([](LogFilter& f) {
    f.method_prefix = "/meshid.identity.v1.Identity/IssueToken";
  });
  add([](LogFilter& f) { f.method_prefix = "/odd%"; });  // literal %
  add([](LogFilter& f) { f.method_prefix = "/odd*"; });  // literal *
  add([](LogFilter& f) { f.method_prefix = "/odd*service?x.v1.S/["; });
  add([](LogFilter& f) { f.method_prefix = "/oddXservice\\"; });
  add([](LogFilter& f) { f.method_prefix = "/odd_"; });  // _ is no wildcard
  add([](LogFilter& f) { f.text_contains = "denied"; });
  add([](LogFilter& f) { f.text_contains = "100%"; });
  add([](LogFilter& f) { f.text_contains = "_"; });
  add([](LogFilter& f) { f.text_contains = "\t"; });
  add([](LogFilter& f) { f.text_contains = "\xC3\xA9"; });
  add([](LogFilter& f) { f.text_contains = "Denied"; });  // case matters
  add([](LogFilter& f) { f.start_time = BaseTime() + absl::Seconds(20); });
  add([](LogFilter& f) { f.end_time = BaseTime() + absl::Seconds(20); });
  add([](LogFilter& f) {
    f.start_time = BaseTime() + absl::Seconds(10);
    f.end_time = BaseTime() + absl::Seconds(10);
  });
  add([](LogFilter& f) {
    f.service = "svc-2";
    f.min_level = EntryLevel::kInfo;
    f.kind = EntryKind::kAccess;
    f.start_time = BaseTime() + absl::Seconds(5);
    f.end_time = BaseTime() + absl::Seconds(50);
  });
  for (const LogFilter& filter : filters) {
    EXPECT_EQ(Tags(QueryAll(filter)), ReferenceTags(filter))
        << CanonicalFilterBytes(filter);
  }
  EXPECT_EQ(QueryAll(LogFilter()).size(), 240u);
}

TEST_P(LogStoreTest, PagesVisitEveryMatchOnceInOrder) {
  AppendVariety();
  LogReader reader(store_.get());
  LogFilter filter;
  filter.min_level = EntryLevel::kInfo;
  std::vector<LogRecord> seen;
  std::string token;
  do {
    ASSERT_OK_AND_ASSIGN(QueryPage page, reader.Read(filter, 7, token));
    ASSERT_LE(page.entries.size(), 7u);
    for (LogRecord& r : page.entries) seen.push_back(std::move(r));
    token = page.next_page_token;
  } while (!token.empty());
  EXPECT_EQ(Tags(seen), ReferenceTags(filter));
}

TEST_P(LogStoreTest, DeleteOlderThanIsBoundedAndOldestFirst) {
  AppendVariety();  // times BaseTime() + 0..59 s, four entries each
  const absl::Time cutoff = BaseTime() + absl::Seconds(10);
  ASSERT_OK_AND_ASSIGN(int64_t deleted, store_->DeleteOlderThan(cutoff, 30));
  EXPECT_EQ(deleted, 30);
  ASSERT_OK_AND_ASSIGN(deleted, store_->DeleteOlderThan(cutoff, 30));
  EXPECT_EQ(deleted, 10);
  ASSERT_OK_AND_ASSIGN(deleted, store_->DeleteOlderThan(cutoff, 30));
  EXPECT_EQ(deleted, 0);
  LogFilter old;
  old.end_time = cutoff;
  EXPECT_TRUE(QueryAll(old).empty());
  EXPECT_EQ(QueryAll(LogFilter()).size(), 200u);
}

TEST_P(LogStoreTest, IdsAreNeverReusedAcrossDeletesAndRestarts) {
  std::vector<LogRecord> first = {ValidRecord(1), ValidRecord(2)};
  ASSERT_OK(store_->Append(first));
  ASSERT_OK_AND_ASSIGN(int64_t deleted, store_->DeleteOlderThan(
                                            BaseTime() + absl::Hours(1), 100));
  ASSERT_EQ(deleted, 2);
  Open();
  std::vector<LogRecord> second = {ValidRecord(3)};
  ASSERT_OK(store_->Append(second));
  EXPECT_GT(second[0].id, first[1].id);
}

TEST_P(LogStoreTest, ConcurrentAppendsGetDistinctIds) {
  constexpr int kThreads = 4;
  constexpr int kBatches = 10;
  std::vector<std::vector<int64_t>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < kBatches; ++b) {
        std::vector<LogRecord> batch(20, ValidRecord(t));
        if (!store_->Append(batch).ok()) return;
        for (const LogRecord& r : batch) ids[t].push_back(r.id);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  std::set<int64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  EXPECT_EQ(all.size(), static_cast<size_t>(kThreads * kBatches * 20));
  EXPECT_EQ(QueryAll(LogFilter()).size(), all.size());
}

TEST_P(LogStoreTest, BadCallsAreInvalidArgument) {
  std::vector<LogRecord> empty;
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Append(empty)));
  LogQuery q;
  q.limit = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(store_->Query(q).status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(store_->DeleteOlderThan(BaseTime(), 0).status()));
}

INSTANTIATE_TEST_SUITE_P(Backends, LogStoreTest, testing::AllLogBackends(),
                         testing::LogBackendName);

TEST(OpenLogStoreTest, BadUrlsAreInvalidArgumentWithoutThePassword) {
  for (const std::string url :
       {"", "mysql://u@h/db", "sqlite://relative/log.db",
        "sqlite:///no/such/folder/log.db",
        "postgresql://u:Sup3rSecret@127.0.0.1/db?no_such_option=1"}) {
    const absl::Status status = OpenLogStore(url, LogStoreOptions()).status();
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << url << ": " << status;
    EXPECT_EQ(status.message().find("Sup3rSecret"), std::string::npos);
  }
}

}  // namespace
}  // namespace meshid::logging
