// Conformance: versions, change events, revocations, audit and rollback.
#include <algorithm>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "gtest/gtest.h"
#include "identity/store/store.h"
#include "tests/identity/store/store_test_env.h"

namespace meshid::identity::testing {
namespace {

using StoreEventsTest = StoreTest;

absl::StatusOr<int64_t> AppendKeyChange(Store& store, const std::string& kid) {
  return InTx(store, [&](Transaction& tx) {
    return tx.events().Append(ChangeKind::kKeyChanged, kid, T0());
  });
}

TEST_P(StoreEventsTest, VersionsStartAtOneAndEachAppendTakesTheNext) {
  ASSERT_OK_AND_ASSIGN(int64_t v0, InTx(store(), [](Transaction& tx) {
                         return tx.events().CurrentVersion();
                       }));
  EXPECT_EQ(v0, 0);
  ASSERT_OK_AND_ASSIGN(int64_t v1, AppendKeyChange(store(), "k1"));
  EXPECT_EQ(v1, 1);
  // Two changes in one transaction: two consecutive versions.
  ASSERT_OK_AND_ASSIGN(
      std::vector<int64_t> both,
      InTx(store(),
           [](Transaction& tx) -> absl::StatusOr<std::vector<int64_t>> {
             ASSIGN_OR_RETURN(
                 int64_t a,
                 tx.events().Append(ChangeKind::kJtiRevoked, "jti-1", At(1)));
             ASSIGN_OR_RETURN(int64_t b,
                              tx.events().Append(ChangeKind::kPrincipalChanged,
                                                 "alice", At(2)));
             return std::vector<int64_t>{a, b};
           }));
  EXPECT_EQ(both, (std::vector<int64_t>{2, 3}));
  ASSERT_OK_AND_ASSIGN(int64_t current, InTx(store(), [](Transaction& tx) {
                         return tx.events().CurrentVersion();
                       }));
  EXPECT_EQ(current, 3);

  ASSERT_OK_AND_ASSIGN(std::vector<ChangeEvent> events,
                       InTx(store(), [](Transaction& tx) {
                         return tx.events().ListSince(0, 100);
                       }));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].version, 1);
  EXPECT_EQ(events[0].kind, ChangeKind::kKeyChanged);
  EXPECT_EQ(events[0].subject_id, "k1");
  EXPECT_EQ(events[0].at, T0());
  EXPECT_EQ(events[1].kind, ChangeKind::kJtiRevoked);
  EXPECT_EQ(events[1].at, At(1));
  EXPECT_EQ(events[2].kind, ChangeKind::kPrincipalChanged);
  EXPECT_EQ(events[2].subject_id, "alice");
}

TEST_P(StoreEventsTest, FailedFunctionLeavesNoTrace) {
  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.keys().Insert(MakeKey("kept"));
  }));
  const absl::Status status = store().RunInTransaction([](Transaction& tx)
                                                           -> absl::Status {
    ASSIGN_OR_RETURN(
        int64_t v, tx.events().Append(ChangeKind::kKeyChanged, "k-new", T0()));
    KeyRecord key = MakeKey("k-new");
    key.version = v;
    RETURN_IF_ERROR(tx.keys().Insert(key));
    KeyRecord kept = MakeKey("kept");
    kept.state = KeyState::kRevoked;
    RETURN_IF_ERROR(tx.keys().Update(kept));
    RETURN_IF_ERROR(tx.principals().Insert(MakePrincipal("p")));
    RETURN_IF_ERROR(tx.clients().Insert(MakeClient("c")));
    RETURN_IF_ERROR(tx.revocations().RevokeJti({"jti-1", At(100), T0(), v}));
    RETURN_IF_ERROR(tx.revocations().RevokeSubject({"alice", T0(), T0(), v}));
    RETURN_IF_ERROR(tx.audit()
                        .Append(MakeAudit("admin", "key.create", "k-new", T0()))
                        .status());
    return absl::FailedPreconditionError("caller changed its mind");
  });
  EXPECT_TRUE(absl::IsFailedPrecondition(status)) << status;
  EXPECT_EQ(status.message(), "caller changed its mind");

  ASSERT_OK(InTx(store(), [](Transaction& tx) -> absl::Status {
    if (!absl::IsNotFound(tx.keys().Get("k-new").status())) {
      return absl::InternalError("key k-new is visible");
    }
    ASSIGN_OR_RETURN(KeyRecord kept, tx.keys().Get("kept"));
    if (kept.state != KeyState::kPending) {
      return absl::InternalError("update of kept is visible");
    }
    if (!absl::IsNotFound(tx.principals().Get("p").status()) ||
        !absl::IsNotFound(tx.clients().Get("c").status()) ||
        !absl::IsNotFound(tx.revocations().GetJti("jti-1").status()) ||
        !absl::IsNotFound(tx.revocations().GetSubject("alice").status())) {
      return absl::InternalError("a rolled back row is visible");
    }
    ASSIGN_OR_RETURN(std::vector<AuditEvent> audit,
                     tx.audit().List(AuditFilter()));
    ASSIGN_OR_RETURN(std::vector<ChangeEvent> events,
                     tx.events().ListSince(0, 10));
    ASSIGN_OR_RETURN(int64_t version, tx.events().CurrentVersion());
    if (!audit.empty() || !events.empty() || version != 0) {
      return absl::InternalError("rolled back events are visible");
    }
    return absl::OkStatus();
  }));
  // The rolled back version is taken again: no gap.
  ASSERT_OK_AND_ASSIGN(int64_t v, AppendKeyChange(store(), "k2"));
  EXPECT_EQ(v, 1);
}

TEST_P(StoreEventsTest, ConcurrentWritersGetGapFreeVersionsInCommitOrder) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 50;
  std::vector<std::vector<int64_t>> got(kThreads);
  std::vector<absl::Status> failures(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const std::string kid = absl::StrCat("t", t, "-", i);
        absl::StatusOr<int64_t> v =
            InTx(store(), [&](Transaction& tx) -> absl::StatusOr<int64_t> {
              ASSIGN_OR_RETURN(
                  int64_t version,
                  tx.events().Append(ChangeKind::kKeyChanged, kid, T0()));
              KeyRecord key = MakeKey(kid);
              key.version = version;
              RETURN_IF_ERROR(tx.keys().Insert(key));
              return version;
            });
        if (!v.ok()) {
          failures[t] = v.status();
          return;
        }
        got[t].push_back(*v);
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (const absl::Status& s : failures) ASSERT_OK(s);

  std::vector<int64_t> all;
  for (const std::vector<int64_t>& versions : got) {
    // One thread's transactions commit one after another: increasing.
    EXPECT_TRUE(std::is_sorted(versions.begin(), versions.end()));
    all.insert(all.end(), versions.begin(), versions.end());
  }
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected(kThreads * kPerThread);
  for (size_t i = 0; i < expected.size(); ++i) expected[i] = i + 1;
  EXPECT_EQ(all, expected);

  // The change log agrees: every version once, each with its key's record.
  ASSERT_OK_AND_ASSIGN(std::vector<ChangeEvent> events,
                       InTx(store(), [](Transaction& tx) {
                         return tx.events().ListSince(0, 1000);
                       }));
  ASSERT_EQ(events.size(), expected.size());
  ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> keys, InTx(store(), [](auto& tx) {
                         return tx.keys().ListAll();
                       }));
  std::map<std::string, int64_t> key_versions;
  for (const KeyRecord& k : keys) key_versions[k.kid] = k.version;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].version, static_cast<int64_t>(i + 1));
    EXPECT_EQ(key_versions[events[i].subject_id], events[i].version);
  }
}

TEST_P(StoreEventsTest, ListSincePagesInVersionOrder) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_OK(AppendKeyChange(store(), absl::StrCat("k", i)).status());
  }
  std::vector<int64_t> seen;
  int64_t after = 0;
  for (int page = 0; page < 10; ++page) {
    ASSERT_OK_AND_ASSIGN(std::vector<ChangeEvent> events,
                         InTx(store(), [&](Transaction& tx) {
                           return tx.events().ListSince(after, 3);
                         }));
    if (events.empty()) break;
    EXPECT_LE(events.size(), 3u);
    for (const ChangeEvent& e : events) seen.push_back(e.version);
    after = events.back().version;
  }
  EXPECT_EQ(seen, (std::vector<int64_t>{1, 2, 3, 4, 5, 6, 7}));
  ASSERT_OK_AND_ASSIGN(std::vector<ChangeEvent> tail,
                       InTx(store(), [](Transaction& tx) {
                         return tx.events().ListSince(5, 100);
                       }));
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0].version, 6);
  EXPECT_EQ(tail[0].subject_id, "k5");
}

TEST_P(StoreEventsTest, RevokedJtiKeepsTheFirstRevocation) {
  const RevokedJti first{"jti-1", At(3600), At(1), 1};
  const RevokedJti second{"jti-1", At(7200), At(2), 2};
  ASSERT_OK(InTx(store(), [&](Transaction& tx) {
    return tx.revocations().RevokeJti(first);
  }));
  ASSERT_OK(InTx(store(), [&](Transaction& tx) {
    return tx.revocations().RevokeJti(second);
  }));
  ASSERT_OK_AND_ASSIGN(RevokedJti got, InTx(store(), [](Transaction& tx) {
                         return tx.revocations().GetJti("jti-1");
                       }));
  EXPECT_EQ(got.jti, "jti-1");
  EXPECT_EQ(got.expires_at, first.expires_at);
  EXPECT_EQ(got.revoked_at, first.revoked_at);
  EXPECT_EQ(got.version, 1);
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](Transaction& tx) {
                                 return tx.revocations().GetJti("jti-2");
                               }).status()));
}

TEST_P(StoreEventsTest, RevokedSubjectKeepsTheLaterCutoff) {
  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.revocations().RevokeSubject({"alice", At(100), At(100), 1});
  }));
  // Earlier cut-off: changes nothing.
  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.revocations().RevokeSubject({"alice", At(50), At(200), 2});
  }));
  ASSERT_OK_AND_ASSIGN(RevokedSubject got, InTx(store(), [](Transaction& tx) {
                         return tx.revocations().GetSubject("alice");
                       }));
  EXPECT_EQ(got.revoked_before, At(100));
  EXPECT_EQ(got.revoked_at, At(100));
  EXPECT_EQ(got.version, 1);
  // Later cut-off: replaces the row.
  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.revocations().RevokeSubject({"alice", At(300), At(300), 3});
  }));
  ASSERT_OK_AND_ASSIGN(got, InTx(store(), [](Transaction& tx) {
                         return tx.revocations().GetSubject("alice");
                       }));
  EXPECT_EQ(got.revoked_before, At(300));
  EXPECT_EQ(got.revoked_at, At(300));
  EXPECT_EQ(got.version, 3);

  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.revocations().RevokeSubject({"aaron", At(1), At(1), 4});
  }));
  ASSERT_OK_AND_ASSIGN(std::vector<RevokedSubject> all,
                       InTx(store(), [](Transaction& tx) {
                         return tx.revocations().ListSubjects();
                       }));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].subject, "aaron");
  EXPECT_EQ(all[1].subject, "alice");
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](Transaction& tx) {
                                 return tx.revocations().GetSubject("bob");
                               }).status()));
}

TEST_P(StoreEventsTest, ListJtisLeavesOutExpiredOnes) {
  ASSERT_OK(InTx(store(), [](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.revocations().RevokeJti({"expired", At(9), T0(), 1}));
    RETURN_IF_ERROR(tx.revocations().RevokeJti({"boundary", At(10), T0(), 2}));
    return tx.revocations().RevokeJti({"live", At(11), T0(), 3});
  }));
  ASSERT_OK_AND_ASSIGN(std::vector<RevokedJti> jtis,
                       InTx(store(), [](Transaction& tx) {
                         return tx.revocations().ListJtis(At(10));
                       }));
  std::vector<std::string> ids;
  for (const RevokedJti& j : jtis) ids.push_back(j.jti);
  EXPECT_EQ(ids, (std::vector<std::string>{"boundary", "live"}));
  EXPECT_EQ(jtis[0].expires_at, At(10));
}

INSTANTIATE_TEST_SUITE_P(Dialects, StoreEventsTest,
                         ::testing::Values(Dialect::kSqlite,
                                           Dialect::kPostgres),
                         DialectName);

}  // namespace
}  // namespace meshid::identity::testing
