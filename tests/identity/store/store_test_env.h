// Shared by the store conformance tests: fresh store locations per test (a
// temp folder for SQLite, a new database for PostgreSQL), the parameterized
// fixture, record builders, and status assertions.
#ifndef MESHID_TESTS_IDENTITY_STORE_STORE_TEST_ENV_H_
#define MESHID_TESTS_IDENTITY_STORE_STORE_TEST_ENV_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "identity/store/store.h"

#define STORE_CONCAT_INNER_(a, b) a##b
#define STORE_CONCAT_(a, b) STORE_CONCAT_INNER_(a, b)

// Streamable, and a failure prints the status.
#define ASSERT_OK(expr) ASSERT_EQ((expr), ::absl::OkStatus())
#define EXPECT_OK(expr) EXPECT_EQ((expr), ::absl::OkStatus())

#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                    \
  ASSERT_OK_AND_ASSIGN_IMPL_(STORE_CONCAT_(store_statusor_, __LINE__), lhs, \
                             rexpr)
#define ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                               \
  ASSERT_TRUE(statusor.ok()) << statusor.status();       \
  lhs = std::move(statusor).value()

namespace meshid::identity::testing {

enum class Dialect { kSqlite, kPostgres };

std::string DialectName(const ::testing::TestParamInfo<Dialect>& info);

// Hands out store URLs nothing has used yet and removes what they named at
// destruction. PostgreSQL: one new database per URL (CREATE DATABASE
// meshid_t_<pid>_<random>), so tests running side by side never see each
// other's rows, versions or connections. SQLite: files in one temp folder.
class StoreLocations {
 public:
  // `pg_base_url` (MESHID_TEST_PG_URL) for kPostgres; unused for kSqlite.
  StoreLocations(Dialect dialect, std::string pg_base_url);
  StoreLocations(const StoreLocations&) = delete;
  StoreLocations& operator=(const StoreLocations&) = delete;
  ~StoreLocations();

  // A fresh location; ADD_FAILURE and "" when it cannot be made.
  std::string NewUrl();

  // The folder SQLite databases go in (kSqlite).
  const std::string& folder() const { return folder_; }

 private:
  Dialect dialect_;
  std::string pg_base_url_;
  std::string folder_;
  std::vector<std::string> databases_;
  int next_file_ = 0;
};

// `url` (a libpq URL) with its database name replaced by `database`.
std::string WithDatabase(const std::string& url, const std::string& database);

// PostgreSQL: terminates every connection to the database `url` names except
// the caller's own, and waits until they are gone. Returns how many.
int TerminateOtherConnections(const std::string& url);

// The conformance fixture: one store opened on a fresh location per test.
class StoreTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override;
  void TearDown() override;

  virtual StoreOptions Options() const;

  Store& store() { return *store_; }
  const std::string& url() const { return url_; }
  StoreLocations& locations() { return *locations_; }
  bool is_postgres() const { return GetParam() == Dialect::kPostgres; }

  std::unique_ptr<Store> store_;

 private:
  std::optional<StoreLocations> locations_;
  std::string url_;
};

// Runs `f(tx)` in one transaction on `store` and returns what it returned,
// or the store's status when the transaction itself failed (BEGIN or COMMIT).
template <typename F>
auto InTx(Store& store, F&& f) -> decltype(f(std::declval<Transaction&>())) {
  using Result = decltype(f(std::declval<Transaction&>()));
  std::optional<Result> result;
  const absl::Status status =
      store.RunInTransaction([&](Transaction& tx) -> absl::Status {
        result.emplace(f(tx));
        if constexpr (std::is_same_v<Result, absl::Status>) {
          return *result;
        } else {
          return result->status();
        }
      });
  if (!result.has_value()) return Result(status);
  if (!status.ok()) {
    if constexpr (std::is_same_v<Result, absl::Status>) {
      return status;
    } else {
      if (result->ok()) return Result(status);
    }
  }
  return *std::move(result);
}

// Microsecond-exact times, as callers store them.
absl::Time T0();
absl::Time At(int64_t seconds_after_t0);

KeyRecord MakeKey(const std::string& kid);
PrincipalRecord MakePrincipal(const std::string& id);
ClientRecord MakeClient(const std::string& client_id);
AuditEvent MakeAudit(const std::string& actor, const std::string& action,
                     const std::string& kid, absl::Time at);

// Field-by-field equality, for readable failures.
void ExpectKeyEq(const KeyRecord& actual, const KeyRecord& expected);
void ExpectPrincipalEq(const PrincipalRecord& actual,
                       const PrincipalRecord& expected);
void ExpectClientEq(const ClientRecord& actual, const ClientRecord& expected);

}  // namespace meshid::identity::testing

#endif  // MESHID_TESTS_IDENTITY_STORE_STORE_TEST_ENV_H_
