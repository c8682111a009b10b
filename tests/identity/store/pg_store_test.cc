// PostgreSQL only: broken connections, NOTIFY, and the pool under failure.
#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/synchronization/mutex.h"
#include "common/status_macros.h"
#include "gtest/gtest.h"
#include "identity/store/store.h"
#include "tests/identity/store/store_test_env.h"

namespace meshid::identity::testing {
namespace {

using PgStoreTest = StoreTest;

// Holds `n` transactions open at once, so the pool ends up with `n` idle
// connections.
void WarmPool(Store& store, int n) {
  absl::Mutex mu;
  int inside = 0;
  bool all_inside = false;
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(n);
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      results[i] = store.RunInTransaction([&](Transaction& tx) {
        absl::MutexLock lock(&mu);
        if (++inside == n) all_inside = true;
        mu.Await(absl::Condition(&all_inside));
        return tx.events().CurrentVersion().status();
      });
    });
  }
  for (std::thread& t : threads) t.join();
  for (const absl::Status& s : results) EXPECT_OK(s);
}

TEST_P(PgStoreTest, TerminatedConnectionsAreReplaced) {
  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.keys().Insert(MakeKey("before"));
  }));
  WarmPool(store(), 4);
  EXPECT_GE(TerminateOtherConnections(url()), 4);

  // The next call may fail (UNAVAILABLE) or reconnect transparently...
  const absl::Status first = InTx(store(), [](Transaction& tx) {
    return tx.keys().Get("before").status();
  });
  EXPECT_TRUE(first.ok() || absl::IsUnavailable(first)) << first;
  // ...and the one after that works.
  ASSERT_OK_AND_ASSIGN(KeyRecord key, InTx(store(), [](Transaction& tx) {
                         return tx.keys().Get("before");
                       }));
  EXPECT_EQ(key.kid, "before");
  // All four slots work again, concurrently.
  WarmPool(store(), 4);
}

TEST_P(PgStoreTest, ConnectionKilledMidTransactionLeavesNothing) {
  const std::string db_url = url();
  for (const bool caller_ignores_error : {false, true}) {
    SCOPED_TRACE(caller_ignores_error ? "caller ignores the error"
                                      : "caller returns the error");
    int attempts = 0;
    const absl::Status status =
        store().RunInTransaction([&](Transaction& tx) -> absl::Status {
          ++attempts;
          ASSIGN_OR_RETURN(int64_t v, tx.events().Append(
                                          ChangeKind::kKeyChanged, "a", T0()));
          KeyRecord a = MakeKey("a");
          a.version = v;
          RETURN_IF_ERROR(tx.keys().Insert(a));
          TerminateOtherConnections(db_url);
          const absl::Status b = tx.keys().Insert(MakeKey("b"));
          EXPECT_TRUE(absl::IsUnavailable(b)) << b;
          // Later calls in the same transaction fail the same way.
          EXPECT_FALSE(tx.keys().Get("a").ok());
          return caller_ignores_error ? absl::OkStatus() : b;
        });
    EXPECT_TRUE(absl::IsUnavailable(status)) << status;
    EXPECT_EQ(attempts, 1);
    // Nothing of it is visible, and the version was not spent.
    ASSERT_OK(InTx(store(), [](Transaction& tx) -> absl::Status {
      if (tx.keys().Get("a").ok() || tx.keys().Get("b").ok()) {
        return absl::InternalError("half a transaction is visible");
      }
      ASSIGN_OR_RETURN(int64_t v, tx.events().CurrentVersion());
      if (v != 0) return absl::InternalError("version spent");
      return absl::OkStatus();
    }));
  }
}

TEST_P(PgStoreTest, CommittedVersionsAreNotified) {
  pqxx::connection listener(url());
  class Receiver : public pqxx::notification_receiver {
   public:
    Receiver(pqxx::connection_base& c, std::vector<std::string>* payloads)
        : pqxx::notification_receiver(c, "meshid_changes"),
          payloads_(payloads) {}
    void operator()(const std::string& payload, int) override {
      payloads_->push_back(payload);
    }

   private:
    std::vector<std::string>* payloads_;
  };
  std::vector<std::string> payloads;
  Receiver receiver(listener, &payloads);
  // Makes the LISTEN take effect before anything is committed.
  listener.get_notifs();

  ASSERT_OK_AND_ASSIGN(int64_t v1, InTx(store(), [](Transaction& tx) {
                         return tx.events().Append(ChangeKind::kKeyChanged, "k",
                                                   T0());
                       }));
  ASSERT_OK_AND_ASSIGN(int64_t v2, InTx(store(), [](Transaction& tx) {
                         return tx.events().Append(ChangeKind::kJtiRevoked, "j",
                                                   T0());
                       }));
  // Bounded waits: each returns as soon as a notification arrives.
  for (int i = 0; i < 10 && payloads.size() < 2; ++i) {
    listener.await_notification(5, 0);
  }
  EXPECT_EQ(payloads,
            (std::vector<std::string>{std::to_string(v1), std::to_string(v2)}));
}

TEST_P(PgStoreTest, BlockingWritersQueueOnTheVersionRow) {
  // A writer holding the counter makes the next one wait rather than take a
  // version that could commit out of order.
  absl::Mutex mu;
  bool first_has_version = false;
  bool release_first = false;
  int64_t first_version = 0;
  std::thread first([&] {
    const absl::Status s =
        store().RunInTransaction([&](Transaction& tx) -> absl::Status {
          ASSIGN_OR_RETURN(
              first_version,
              tx.events().Append(ChangeKind::kKeyChanged, "1", T0()));
          absl::MutexLock lock(&mu);
          first_has_version = true;
          mu.Await(absl::Condition(&release_first));
          return absl::OkStatus();
        });
    EXPECT_OK(s);
  });
  {
    absl::MutexLock lock(&mu);
    mu.Await(absl::Condition(&first_has_version));
  }
  // While the first is open, another connection still sees version 0.
  ASSERT_OK_AND_ASSIGN(int64_t seen, InTx(store(), [](Transaction& tx) {
                         return tx.events().CurrentVersion();
                       }));
  EXPECT_EQ(seen, 0);
  {
    absl::MutexLock lock(&mu);
    release_first = true;
  }
  first.join();
  ASSERT_OK_AND_ASSIGN(int64_t second, InTx(store(), [](Transaction& tx) {
                         return tx.events().Append(ChangeKind::kKeyChanged, "2",
                                                   T0());
                       }));
  EXPECT_EQ(first_version, 1);
  EXPECT_EQ(second, 2);
}

INSTANTIATE_TEST_SUITE_P(Dialects, PgStoreTest,
                         ::testing::Values(Dialect::kPostgres), DialectName);

}  // namespace
}  // namespace meshid::identity::testing
