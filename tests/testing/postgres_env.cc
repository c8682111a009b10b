#include "tests/testing/postgres_env.h"

#include <cstdlib>
#include <string>

namespace meshid {

std::optional<std::string> TestPostgresUrl() {
  const char* url = std::getenv(kTestPostgresUrlEnv);
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

bool RunningInCi() {
  const char* ci = std::getenv("CI");
  if (ci == nullptr) return false;
  const std::string value(ci);
  return value == "true" || value == "1";
}

std::string TestPostgresUrlMissingMessage() {
  std::string message = std::string(kTestPostgresUrlEnv) + " is not set";
  if (RunningInCi()) {
    message += " and CI=true: PostgreSQL tests must run in CI, not skip.";
  } else {
    message += ": skipping PostgreSQL test.";
  }
  message +=
      " Run the suite with tests/run.sh, which starts a throwaway PostgreSQL "
      "and sets it, or set " +
      std::string(kTestPostgresUrlEnv) +
      "=postgresql://USER@HOST:PORT/DB to a database the tests may write.";
  return message;
}

}  // namespace meshid
