// Conformance: keys, principals and clients behave the same on every dialect.
#include <string>
#include <vector>

#include "common/status_macros.h"
#include "gtest/gtest.h"
#include "identity/store/store.h"
#include "tests/identity/store/store_test_env.h"

namespace meshid::identity::testing {
namespace {

using StoreRecordsTest = StoreTest;

TEST_P(StoreRecordsTest, KeyRoundTripsEveryField) {
  KeyRecord bare = MakeKey("kid-bare");
  KeyRecord full = MakeKey("kid-full");
  full.alg = Algorithm::kEs256;
  full.state = KeyState::kRevoked;
  full.client_id = "";
  full.audience = "";
  full.activated_at = At(10);
  full.retired_at = At(20);
  full.expires_at = At(30);
  full.revoked_at = At(40);
  ASSERT_OK(InTx(store(), [&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.keys().Insert(bare));
    return tx.keys().Insert(full);
  }));
  ASSERT_OK_AND_ASSIGN(KeyRecord got_bare, InTx(store(), [](Transaction& tx) {
                         return tx.keys().Get("kid-bare");
                       }));
  ExpectKeyEq(got_bare, bare);
  ASSERT_OK_AND_ASSIGN(KeyRecord got_full, InTx(store(), [](Transaction& tx) {
                         return tx.keys().Get("kid-full");
                       }));
  ExpectKeyEq(got_full, full);
}

TEST_P(StoreRecordsTest, TimesRoundTripExactlyToTheMicrosecond) {
  const std::vector<absl::Time> times = {
      absl::FromUnixMicros(0),
      absl::FromUnixMicros(1),
      absl::FromUnixMicros(-1),  // before the epoch
      absl::FromUnixMicros(1700000000999999),
      absl::FromUnixMicros(-62135596800000000),  // 0001-01-01T00:00:00Z
      absl::FromUnixMicros(253402300799999999),  // 9999-12-31T23:59:59.999999Z
      absl::FromUnixMicros(951782400000001),     // 2000-02-29, leap day
  };
  for (size_t i = 0; i < times.size(); ++i) {
    KeyRecord key = MakeKey("kid-" + std::to_string(i));
    key.created_at = times[i];
    key.expires_at = times[i];
    ASSERT_OK(
        InTx(store(), [&](Transaction& tx) { return tx.keys().Insert(key); }));
    ASSERT_OK_AND_ASSIGN(KeyRecord got, InTx(store(), [&](Transaction& tx) {
                           return tx.keys().Get(key.kid);
                         }));
    EXPECT_EQ(got.created_at, times[i]) << absl::FormatTime(times[i]);
    EXPECT_EQ(got.expires_at, times[i]) << absl::FormatTime(times[i]);
  }
}

TEST_P(StoreRecordsTest, UnstorableValuesAreInvalidArgument) {
  KeyRecord unset_time = MakeKey("kid-1");
  unset_time.created_at = absl::InfinitePast();
  KeyRecord far_future = MakeKey("kid-2");
  far_future.activated_at = absl::FromUnixSeconds(253402300800);  // year 10000
  KeyRecord bad_text = MakeKey("kid-3");
  bad_text.created_by = std::string("a\0b", 3);
  KeyRecord bad_utf8 = MakeKey("kid-4");
  bad_utf8.audience = "\xc3\x28";
  KeyRecord empty_kid = MakeKey("");
  for (const KeyRecord& key :
       {unset_time, far_future, bad_text, bad_utf8, empty_kid}) {
    const absl::Status status =
        InTx(store(), [&](Transaction& tx) { return tx.keys().Insert(key); });
    EXPECT_TRUE(absl::IsInvalidArgument(status)) << key.kid << ": " << status;
  }
  const absl::Status limit = InTx(store(), [](Transaction& tx) {
    return tx.principals().List("", 0).status();
  });
  EXPECT_TRUE(absl::IsInvalidArgument(limit)) << limit;
  ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> keys, InTx(store(), [](auto& tx) {
                         return tx.keys().ListAll();
                       }));
  EXPECT_TRUE(keys.empty());
}

TEST_P(StoreRecordsTest, KeyDuplicateIsAlreadyExistsAndMissingIsNotFound) {
  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.keys().Insert(MakeKey("kid-1"));
  }));
  KeyRecord again = MakeKey("kid-1");
  again.state = KeyState::kActive;
  EXPECT_TRUE(absl::IsAlreadyExists(
      InTx(store(), [&](Transaction& tx) { return tx.keys().Insert(again); })));
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](Transaction& tx) {
                                 return tx.keys().Get("nope");
                               }).status()));
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](Transaction& tx) {
    return tx.keys().Update(MakeKey("nope"));
  })));
  // The first row is untouched.
  ASSERT_OK_AND_ASSIGN(KeyRecord got, InTx(store(), [](Transaction& tx) {
                         return tx.keys().Get("kid-1");
                       }));
  EXPECT_EQ(got.state, KeyState::kPending);
}

TEST_P(StoreRecordsTest, AlreadyExistsDoesNotSpoilTheTransaction) {
  ASSERT_OK(InTx(store(), [](Transaction& tx) {
    return tx.keys().Insert(MakeKey("kid-1"));
  }));
  // A caller may treat a duplicate as an answer and carry on.
  ASSERT_OK(InTx(store(), [](Transaction& tx) -> absl::Status {
    const absl::Status dup = tx.keys().Insert(MakeKey("kid-1"));
    if (!absl::IsAlreadyExists(dup)) return absl::InternalError("no dup");
    const absl::Status missing = tx.keys().Get("kid-9").status();
    if (!absl::IsNotFound(missing)) return absl::InternalError("found");
    return tx.keys().Insert(MakeKey("kid-2"));
  }));
  ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> keys, InTx(store(), [](auto& tx) {
                         return tx.keys().ListAll();
                       }));
  EXPECT_EQ(keys.size(), 2u);
}

TEST_P(StoreRecordsTest, KeyUpdateChangesOnlyStateTimesAndVersion) {
  const KeyRecord original = MakeKey("kid-1");
  ASSERT_OK(InTx(store(),
                 [&](Transaction& tx) { return tx.keys().Insert(original); }));
  KeyRecord changed = original;
  changed.state = KeyState::kRetired;
  changed.activated_at = At(5);
  changed.retired_at = At(6);
  changed.expires_at = At(7);
  changed.version = 9;
  // Immutable parts: an Update must not touch them.
  changed.alg = Algorithm::kEdDsa;
  changed.client_id = "someone-else";
  changed.audience = "elsewhere";
  changed.sealed_material = "other material";
  changed.created_by = "mallory";
  ASSERT_OK(InTx(store(),
                 [&](Transaction& tx) { return tx.keys().Update(changed); }));
  ASSERT_OK_AND_ASSIGN(KeyRecord got, InTx(store(), [](Transaction& tx) {
                         return tx.keys().Get("kid-1");
                       }));
  KeyRecord expected = original;
  expected.state = KeyState::kRetired;
  expected.activated_at = At(5);
  expected.retired_at = At(6);
  expected.expires_at = At(7);
  expected.version = 9;
  ExpectKeyEq(got, expected);

  // Clearing an optional time stores NULL.
  expected.activated_at.reset();
  ASSERT_OK(InTx(store(),
                 [&](Transaction& tx) { return tx.keys().Update(expected); }));
  ASSERT_OK_AND_ASSIGN(got, InTx(store(), [](Transaction& tx) {
                         return tx.keys().Get("kid-1");
                       }));
  EXPECT_FALSE(got.activated_at.has_value());
}

TEST_P(StoreRecordsTest, KeyListAllOrdersByCreatedAtThenKid) {
  KeyRecord b = MakeKey("b");
  KeyRecord a_late = MakeKey("a");
  a_late.created_at = At(100);
  KeyRecord c = MakeKey("c");
  KeyRecord upper = MakeKey("B");  // byte order: "B" < "b"
  ASSERT_OK(InTx(store(), [&](Transaction& tx) -> absl::Status {
    for (const KeyRecord* k : {&c, &a_late, &b, &upper}) {
      RETURN_IF_ERROR(tx.keys().Insert(*k));
    }
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(std::vector<KeyRecord> keys, InTx(store(), [](auto& tx) {
                         return tx.keys().ListAll();
                       }));
  std::vector<std::string> kids;
  for (const KeyRecord& k : keys) kids.push_back(k.kid);
  EXPECT_EQ(kids, (std::vector<std::string>{"B", "b", "c", "a"}));
}

TEST_P(StoreRecordsTest, PrincipalInsertGetUpdate) {
  PrincipalRecord p = MakePrincipal("alice");
  PrincipalRecord service = MakePrincipal("billing");
  service.kind = PrincipalKind::kService;
  service.state = PrincipalState::kActive;
  service.granted_roles.clear();
  service.password_hash.clear();
  ASSERT_OK(InTx(store(), [&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.principals().Insert(p));
    return tx.principals().Insert(service);
  }));
  ASSERT_OK_AND_ASSIGN(PrincipalRecord got, InTx(store(), [](auto& tx) {
                         return tx.principals().Get("alice");
                       }));
  ExpectPrincipalEq(got, p);
  ASSERT_OK_AND_ASSIGN(got, InTx(store(), [](auto& tx) {
                         return tx.principals().Get("billing");
                       }));
  ExpectPrincipalEq(got, service);

  PrincipalRecord suspended = p;
  suspended.state = PrincipalState::kSuspended;
  suspended.suspended_from = PrincipalState::kRegistered;
  suspended.granted_roles = {"x"};
  suspended.password_hash = "changed";
  suspended.updated_at = At(50);
  suspended.version = 7;
  ASSERT_OK(InTx(store(), [&](Transaction& tx) {
    return tx.principals().Update(suspended);
  }));
  ASSERT_OK_AND_ASSIGN(got, InTx(store(), [](auto& tx) {
                         return tx.principals().Get("alice");
                       }));
  ExpectPrincipalEq(got, suspended);

  EXPECT_TRUE(absl::IsAlreadyExists(
      InTx(store(), [&](auto& tx) { return tx.principals().Insert(p); })));
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](auto& tx) {
    return tx.principals().Update(MakePrincipal("bob"));
  })));
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](auto& tx) {
                                 return tx.principals().Get("bob");
                               }).status()));
}

TEST_P(StoreRecordsTest, PrincipalListPagesInIdOrder) {
  const std::vector<std::string> ids = {"u05", "u01", "u04", "u02", "u03"};
  ASSERT_OK(InTx(store(), [&](Transaction& tx) -> absl::Status {
    for (const std::string& id : ids) {
      RETURN_IF_ERROR(tx.principals().Insert(MakePrincipal(id)));
    }
    return absl::OkStatus();
  }));
  std::vector<std::string> seen;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    ASSERT_OK_AND_ASSIGN(std::vector<PrincipalRecord> got,
                         InTx(store(), [&](Transaction& tx) {
                           return tx.principals().List(after, 2);
                         }));
    if (got.empty()) break;
    EXPECT_LE(got.size(), 2u);
    for (const PrincipalRecord& p : got) seen.push_back(p.id);
    after = got.back().id;
  }
  EXPECT_EQ(seen,
            (std::vector<std::string>{"u01", "u02", "u03", "u04", "u05"}));
}

TEST_P(StoreRecordsTest, ClientInsertGetUpdateDeleteList) {
  const ClientRecord billing = MakeClient("billing");
  const ClientRecord api = MakeClient("api");
  ASSERT_OK(InTx(store(), [&](Transaction& tx) -> absl::Status {
    RETURN_IF_ERROR(tx.clients().Insert(billing));
    return tx.clients().Insert(api);
  }));
  ASSERT_OK_AND_ASSIGN(ClientRecord got, InTx(store(), [](auto& tx) {
                         return tx.clients().Get("billing");
                       }));
  ExpectClientEq(got, billing);

  ClientRecord updated = billing;
  updated.display_name = "Billing v2";
  updated.secret_hash = "bmV3LWhhc2g";
  updated.policy_json = "{}";
  updated.updated_at = At(9);
  updated.version = 4;
  updated.created_at = At(999);  // immutable: ignored
  ASSERT_OK(InTx(
      store(), [&](Transaction& tx) { return tx.clients().Update(updated); }));
  ASSERT_OK_AND_ASSIGN(
      got, InTx(store(), [](auto& tx) { return tx.clients().Get("billing"); }));
  updated.created_at = billing.created_at;
  ExpectClientEq(got, updated);

  ASSERT_OK_AND_ASSIGN(
      std::vector<ClientRecord> all,
      InTx(store(), [](auto& tx) { return tx.clients().ListAll(); }));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].client_id, "api");
  EXPECT_EQ(all[1].client_id, "billing");

  ASSERT_OK(InTx(store(), [](auto& tx) { return tx.clients().Delete("api"); }));
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](auto& tx) {
                                 return tx.clients().Get("api");
                               }).status()));
  EXPECT_TRUE(absl::IsNotFound(
      InTx(store(), [](auto& tx) { return tx.clients().Delete("api"); })));
  EXPECT_TRUE(absl::IsNotFound(InTx(store(), [](auto& tx) {
    return tx.clients().Update(MakeClient("api"));
  })));
  EXPECT_TRUE(absl::IsAlreadyExists(
      InTx(store(), [&](auto& tx) { return tx.clients().Insert(billing); })));
}

INSTANTIATE_TEST_SUITE_P(Dialects, StoreRecordsTest,
                         ::testing::Values(Dialect::kSqlite,
                                           Dialect::kPostgres),
                         DialectName);

}  // namespace
}  // namespace meshid::identity::testing
