// Conformance: the audit log, newest first, filtered and paged.
#include <string>
#include <vector>

#include "common/status_macros.h"
#include "gtest/gtest.h"
#include "identity/store/store.h"
#include "tests/identity/store/store_test_env.h"

namespace meshid::identity::testing {
namespace {

class StoreAuditTest : public StoreTest {
 protected:
  // Appends the events in order and returns their ids.
  std::vector<int64_t> AppendAll(const std::vector<AuditEvent>& events) {
    std::vector<int64_t> ids;
    for (const AuditEvent& e : events) {
      absl::StatusOr<int64_t> id =
          InTx(store(), [&](Transaction& tx) { return tx.audit().Append(e); });
      EXPECT_TRUE(id.ok()) << id.status();
      ids.push_back(id.ok() ? *id : -1);
    }
    return ids;
  }

  std::vector<int64_t> ListIds(const AuditFilter& filter) {
    absl::StatusOr<std::vector<AuditEvent>> got =
        InTx(store(), [&](Transaction& tx) { return tx.audit().List(filter); });
    EXPECT_TRUE(got.ok()) << got.status();
    std::vector<int64_t> ids;
    if (got.ok()) {
      for (const AuditEvent& e : *got) ids.push_back(e.id);
    }
    return ids;
  }
};

TEST_P(StoreAuditTest, AppendAssignsIncreasingIdsAndRoundTrips) {
  AuditEvent event = MakeAudit("admin", "key.rotate", "kid-1", At(5));
  event.version = 42;
  event.details["empty"] = "";
  event.details["unicode"] = "\u00e9\u4e2d\U0001F600";
  AuditEvent bare = MakeAudit("system", "key.expire", "", At(6));
  bare.details.clear();
  const std::vector<int64_t> ids = AppendAll({event, bare});
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_GT(ids[0], 0);
  EXPECT_GT(ids[1], ids[0]);

  ASSERT_OK_AND_ASSIGN(std::vector<AuditEvent> got,
                       InTx(store(), [](Transaction& tx) {
                         return tx.audit().List(AuditFilter());
                       }));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id, ids[1]);
  EXPECT_TRUE(got[0].details.empty());
  EXPECT_EQ(got[0].kid, "");
  const AuditEvent& e = got[1];
  EXPECT_EQ(e.id, ids[0]);
  EXPECT_EQ(e.at, At(5));
  EXPECT_EQ(e.actor, "admin");
  EXPECT_EQ(e.action, "key.rotate");
  EXPECT_EQ(e.target, "kid-1");
  EXPECT_EQ(e.kid, "kid-1");
  EXPECT_EQ(e.details, event.details);
  EXPECT_EQ(e.version, 42);
}

TEST_P(StoreAuditTest, FiltersCombineAndResultsAreNewestFirst) {
  const std::vector<int64_t> ids = AppendAll({
      MakeAudit("admin", "key.create", "k1", At(1)),   // 0
      MakeAudit("admin", "key.rotate", "k1", At(2)),   // 1
      MakeAudit("ops", "key.rotate", "k2", At(3)),     // 2
      MakeAudit("admin", "client.create", "", At(4)),  // 3
      MakeAudit("ops", "key.revoke", "k1", At(5)),     // 4
  });
  ASSERT_EQ(ids.size(), 5u);

  EXPECT_EQ(ListIds(AuditFilter()),
            (std::vector<int64_t>{ids[4], ids[3], ids[2], ids[1], ids[0]}));

  AuditFilter by_actor;
  by_actor.actor = "admin";
  EXPECT_EQ(ListIds(by_actor), (std::vector<int64_t>{ids[3], ids[1], ids[0]}));

  AuditFilter by_action;
  by_action.action = "key.rotate";
  EXPECT_EQ(ListIds(by_action), (std::vector<int64_t>{ids[2], ids[1]}));

  AuditFilter by_kid;
  by_kid.kid = "k1";
  EXPECT_EQ(ListIds(by_kid), (std::vector<int64_t>{ids[4], ids[1], ids[0]}));

  AuditFilter window;  // since inclusive, until exclusive
  window.since = At(2);
  window.until = At(4);
  EXPECT_EQ(ListIds(window), (std::vector<int64_t>{ids[2], ids[1]}));

  AuditFilter combined;
  combined.actor = "admin";
  combined.kid = "k1";
  combined.since = At(2);
  EXPECT_EQ(ListIds(combined), (std::vector<int64_t>{ids[1]}));

  AuditFilter none;
  none.actor = "nobody";
  EXPECT_TRUE(ListIds(none).empty());
}

TEST_P(StoreAuditTest, PagesWithBeforeIdAndLimit) {
  std::vector<AuditEvent> events;
  for (int i = 0; i < 7; ++i) {
    events.push_back(
        MakeAudit(i % 2 == 0 ? "admin" : "ops", "key.rotate", "k", At(i)));
  }
  const std::vector<int64_t> ids = AppendAll(events);

  std::vector<int64_t> seen;
  AuditFilter filter;
  filter.limit = 3;
  for (int page = 0; page < 10; ++page) {
    const std::vector<int64_t> got = ListIds(filter);
    if (got.empty()) break;
    EXPECT_LE(got.size(), 3u);
    seen.insert(seen.end(), got.begin(), got.end());
    filter.before_id = got.back();
  }
  EXPECT_EQ(seen, std::vector<int64_t>(ids.rbegin(), ids.rend()));

  // Paging composes with a filter.
  AuditFilter admin;
  admin.actor = "admin";
  admin.limit = 2;
  admin.before_id = ids[6];
  EXPECT_EQ(ListIds(admin), (std::vector<int64_t>{ids[4], ids[2]}));

  AuditFilter zero;
  zero.limit = 0;
  EXPECT_TRUE(absl::IsInvalidArgument(InTx(store(), [&](Transaction& tx) {
                                        return tx.audit().List(zero);
                                      }).status()));
}

INSTANTIATE_TEST_SUITE_P(Dialects, StoreAuditTest,
                         ::testing::Values(Dialect::kSqlite,
                                           Dialect::kPostgres),
                         DialectName);

}  // namespace
}  // namespace meshid::identity::testing
