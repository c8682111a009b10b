// Conformance: migrations apply once, are recorded, and survive reopening.
#include <sys/stat.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "common/status_macros.h"
#include "gtest/gtest.h"
#include "identity/store/store.h"
#include "tests/identity/store/store_test_env.h"

namespace meshid::identity::testing {
namespace {

using StoreMigrationsTest = StoreTest;

TEST_P(StoreMigrationsTest, OpenAppliesEveryMigrationOnceAndRecordsIt) {
  ASSERT_OK_AND_ASSIGN(MigrationStatus status, GetMigrationStatus(url()));
  ASSERT_FALSE(status.available.empty());
  EXPECT_EQ(status.available.front(), "0001_init");
  EXPECT_EQ(status.applied, status.available);

  // A second store on the same database (a second replica, a restart) finds
  // nothing to do.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> second,
                       OpenStore(url(), StoreOptions()));
  ASSERT_OK_AND_ASSIGN(MigrationStatus again, GetMigrationStatus(url()));
  EXPECT_EQ(again.applied, status.applied);
  EXPECT_EQ(std::string(second->dialect()),
            is_postgres() ? "postgresql" : "sqlite");
}

TEST_P(StoreMigrationsTest, DataAndVersionSurviveReopening) {
  ASSERT_OK(InTx(store(), [](Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(int64_t v,
                     tx.events().Append(ChangeKind::kKeyChanged, "k1", T0()));
    KeyRecord key = MakeKey("k1");
    key.version = v;
    return tx.keys().Insert(key);
  }));
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, OpenStore(url(), StoreOptions()));
  ASSERT_OK_AND_ASSIGN(KeyRecord key, InTx(store(), [](Transaction& tx) {
                         return tx.keys().Get("k1");
                       }));
  ExpectKeyEq(key, MakeKey("k1"));
  ASSERT_OK_AND_ASSIGN(int64_t v, InTx(store(), [](Transaction& tx) {
                         return tx.events().Append(ChangeKind::kKeyChanged,
                                                   "k1", T0());
                       }));
  EXPECT_EQ(v, 2);
}

TEST_P(StoreMigrationsTest, StatusOfAnUnopenedStoreListsNothingApplied) {
  const std::string fresh = locations().NewUrl();
  ASSERT_FALSE(fresh.empty());
  ASSERT_OK_AND_ASSIGN(MigrationStatus before, GetMigrationStatus(fresh));
  EXPECT_TRUE(before.applied.empty());
  EXPECT_FALSE(before.available.empty());
  if (!is_postgres()) {
    // Asking must not create the database file.
    struct stat st {};
    const std::string path = fresh.substr(std::string("sqlite://").size());
    EXPECT_NE(stat(path.c_str(), &st), 0) << path << " was created";
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Store> opened,
                       OpenStore(fresh, StoreOptions()));
  ASSERT_OK_AND_ASSIGN(MigrationStatus after, GetMigrationStatus(fresh));
  EXPECT_EQ(after.applied, after.available);
}

TEST_P(StoreMigrationsTest, ReplicasOpeningTogetherApplyMigrationsOnce) {
  const std::string fresh = locations().NewUrl();
  ASSERT_FALSE(fresh.empty());
  constexpr int kReplicas = 4;
  std::vector<absl::Status> results(kReplicas);
  std::vector<std::unique_ptr<Store>> stores(kReplicas);
  std::vector<std::thread> threads;
  for (int i = 0; i < kReplicas; ++i) {
    threads.emplace_back([&, i] {
      absl::StatusOr<std::unique_ptr<Store>> s =
          OpenStore(fresh, StoreOptions());
      results[i] = s.status();
      if (s.ok()) stores[i] = *std::move(s);
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_OK(s);
  ASSERT_OK_AND_ASSIGN(MigrationStatus status, GetMigrationStatus(fresh));
  EXPECT_EQ(status.applied, status.available);
  // One schema, one counter: the replicas share versions.
  ASSERT_NE(stores[0], nullptr);
  ASSERT_NE(stores[1], nullptr);
  ASSERT_OK_AND_ASSIGN(int64_t a, InTx(*stores[0], [](Transaction& tx) {
                         return tx.events().Append(ChangeKind::kKeyChanged, "a",
                                                   T0());
                       }));
  ASSERT_OK_AND_ASSIGN(int64_t b, InTx(*stores[1], [](Transaction& tx) {
                         return tx.events().Append(ChangeKind::kKeyChanged, "b",
                                                   T0());
                       }));
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
}

INSTANTIATE_TEST_SUITE_P(Dialects, StoreMigrationsTest,
                         ::testing::Values(Dialect::kSqlite,
                                           Dialect::kPostgres),
                         DialectName);

}  // namespace
}  // namespace meshid::identity::testing
