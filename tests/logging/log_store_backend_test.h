// The fixture of the store-level tests: a LogStore opened, per test
// parameter, on a fresh SQLite file or a PostgreSQL scratch database
// (MESHID_TEST_PG_URL; skipped without it, failed under CI=true).
//
//   class MyTest : public LogStoreBackendTest {};
//   TEST_P(MyTest, ...) { store_->Append(...); Open(); /* reopened */ }
//   INSTANTIATE_TEST_SUITE_P(Backends, MyTest, AllLogBackends(),
//                            LogBackendName);
#ifndef MESHID_TESTS_LOGGING_LOG_STORE_BACKEND_TEST_H_
#define MESHID_TESTS_LOGGING_LOG_STORE_BACKEND_TEST_H_

#include <stdlib.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "logging/store/open_log_store.h"
#include "tests/testing/postgres_env.h"
#include "tests/testing/scratch_database.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging::testing {

enum class LogBackend { kSqlite, kPostgres };

inline std::string LogBackendName(
    const ::testing::TestParamInfo<LogBackend>& info) {
  return info.param == LogBackend::kSqlite ? "Sqlite" : "Postgres";
}

inline auto AllLogBackends() {
  return ::testing::Values(LogBackend::kSqlite, LogBackend::kPostgres);
}

class LogStoreBackendTest : public ::testing::TestWithParam<LogBackend> {
 protected:
  void SetUp() override {
    if (GetParam() == LogBackend::kSqlite) {
      char pattern[] = "/tmp/meshid-logstore-XXXXXX";
      ASSERT_NE(mkdtemp(pattern), nullptr);
      folder_ = pattern;
      url_ = absl::StrCat("sqlite://", folder_, "/log.db");
    } else {
      std::string base;
      MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(base);
      ASSERT_OK_AND_ASSIGN(database_, ScratchDatabase::Create(base));
      url_ = database_->url();
    }
    Open();
  }

  void TearDown() override {
    store_.reset();
    database_.reset();
    if (!folder_.empty()) {
      std::system(absl::StrCat("rm -rf '", folder_, "'").c_str());
    }
  }

  // (Re)opens the store at url_.
  void Open() {
    store_.reset();
    ASSERT_OK_AND_ASSIGN(store_, OpenLogStore(url_, LogStoreOptions()));
  }

  std::string folder_;  // SQLite only
  std::string url_;
  std::unique_ptr<ScratchDatabase> database_;  // PostgreSQL only
  std::unique_ptr<LogStore> store_;
};

}  // namespace meshid::logging::testing

#endif  // MESHID_TESTS_LOGGING_LOG_STORE_BACKEND_TEST_H_
