// Finds the PostgreSQL server that storage tests run against.
//
// tests/run.sh starts a throwaway server and exports MESHID_TEST_PG_URL. Run
// outside it, a PostgreSQL test skips (locally) or fails (CI=true): CI must
// never pass by skipping the database tests.
#ifndef MESHID_TESTS_TESTING_POSTGRES_ENV_H_
#define MESHID_TESTS_TESTING_POSTGRES_ENV_H_

#include <optional>
#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace meshid {

inline constexpr char kTestPostgresUrlEnv[] = "MESHID_TEST_PG_URL";

// The value of MESHID_TEST_PG_URL, or nullopt when it is unset or empty.
std::optional<std::string> TestPostgresUrl();

// True when the environment variable CI is "true" or "1".
bool RunningInCi();

// Why the test cannot run and how to run it, for the skip/fail message.
std::string TestPostgresUrlMissingMessage();

}  // namespace meshid

// Assigns the test PostgreSQL URL to `lvalue` (a std::string), or returns from
// the enclosing void function (TestBody or SetUp): GTEST_SKIP() when the URL
// is unset, FAIL() instead when running in CI.
#define MESHID_ASSIGN_TEST_POSTGRES_URL_OR_RETURN(lvalue)                    \
  do {                                                                       \
    std::optional<std::string> meshid_pg_url_ = ::meshid::TestPostgresUrl(); \
    if (meshid_pg_url_.has_value()) {                                        \
      (lvalue) = *std::move(meshid_pg_url_);                                 \
    } else if (::meshid::RunningInCi()) {                                    \
      FAIL() << ::meshid::TestPostgresUrlMissingMessage();                   \
    } else {                                                                 \
      GTEST_SKIP() << ::meshid::TestPostgresUrlMissingMessage();             \
    }                                                                        \
  } while (0)

#endif  // MESHID_TESTS_TESTING_POSTGRES_ENV_H_
