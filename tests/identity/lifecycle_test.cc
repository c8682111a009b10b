// The two state machines, exhaustively: every (from, to) key move and every
// (state, event) principal move is either in the legal table or refused
// with FAILED_PRECONDITION.
#include <set>
#include <tuple>

#include "gtest/gtest.h"
#include "identity/key_lifecycle.h"
#include "identity/principal_lifecycle.h"

namespace meshid::identity {
namespace {

TEST(KeyLifecycleTest, OnlyTheLegalMovesAreAllowed) {
  const std::set<std::pair<KeyState, KeyState>> legal = {
      {KeyState::kPending, KeyState::kActive},
      {KeyState::kActive, KeyState::kRetired},
      {KeyState::kRetired, KeyState::kExpired},
      {KeyState::kPending, KeyState::kRevoked},
      {KeyState::kActive, KeyState::kRevoked},
      {KeyState::kRetired, KeyState::kRevoked},
  };
  const KeyState all[] = {KeyState::kPending, KeyState::kActive,
                          KeyState::kRetired, KeyState::kExpired,
                          KeyState::kRevoked};
  int allowed = 0;
  for (KeyState from : all) {
    for (KeyState to : all) {
      const absl::Status s = CheckKeyTransition(from, to);
      if (legal.count({from, to})) {
        EXPECT_TRUE(s.ok()) << KeyStateName(from) << "->" << KeyStateName(to);
        ++allowed;
      } else {
        EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition)
            << KeyStateName(from) << "->" << KeyStateName(to);
      }
    }
  }
  EXPECT_EQ(allowed, 6);
}

TEST(KeySlotTest, NamesAndValidation) {
  EXPECT_EQ(KeySlot::Pair("c", "a").Name(), "HS256:c:a");
  EXPECT_EQ(KeySlot::Issuer(Algorithm::kEdDsa).Name(), "issuer:EdDSA");
  EXPECT_TRUE(KeySlot::Pair("c", "a").Validate().ok());
  EXPECT_FALSE(KeySlot::Pair("", "a").Validate().ok());
  EXPECT_FALSE(KeySlot::Pair("c", "bad aud").Validate().ok());
  EXPECT_FALSE((KeySlot{Algorithm::kEs256, "c", ""}.Validate().ok()));
}

PrincipalRecord Make(PrincipalKind kind, PrincipalState state) {
  PrincipalRecord p;
  p.id = "p";
  p.kind = kind;
  p.state = state;
  return p;
}

TEST(PrincipalLifecycleTest, UserJourney) {
  PrincipalRecord p = Make(PrincipalKind::kUser, PrincipalState::kGuest);
  auto step = [&](PrincipalEvent e, PrincipalState expected) {
    absl::StatusOr<PrincipalRecord> next = ApplyPrincipalEvent(p, e);
    ASSERT_TRUE(next.ok()) << next.status();
    EXPECT_EQ(next->state, expected);
    p = *next;
  };
  step(PrincipalEvent::kRegister, PrincipalState::kRegistered);
  step(PrincipalEvent::kSubscribe, PrincipalState::kSubscriber);
  EXPECT_EQ(RolesOf(p), (std::vector<std::string>{"subscriber", "user"}));
  step(PrincipalEvent::kSuspend, PrincipalState::kSuspended);
  EXPECT_TRUE(RolesOf(p).empty());
  step(PrincipalEvent::kReinstate, PrincipalState::kSubscriber);  // as it left
  step(PrincipalEvent::kUnsubscribe, PrincipalState::kRegistered);
  step(PrincipalEvent::kDelete, PrincipalState::kDeleted);
  for (PrincipalEvent e :
       {PrincipalEvent::kRegister, PrincipalEvent::kSubscribe,
        PrincipalEvent::kUnsubscribe, PrincipalEvent::kSuspend,
        PrincipalEvent::kReinstate, PrincipalEvent::kDelete}) {
    EXPECT_EQ(ApplyPrincipalEvent(p, e).status().code(),
              absl::StatusCode::kFailedPrecondition)
        << "DELETED is terminal: " << PrincipalEventName(e);
  }
}

TEST(PrincipalLifecycleTest, EveryIllegalMoveIsRefused) {
  using E = PrincipalEvent;
  using S = PrincipalState;
  // (kind, state, event) -> resulting state, for the legal moves only.
  const std::set<std::tuple<PrincipalKind, S, E>> legal = {
      {PrincipalKind::kUser, S::kGuest, E::kRegister},
      {PrincipalKind::kUser, S::kRegistered, E::kSubscribe},
      {PrincipalKind::kUser, S::kSubscriber, E::kUnsubscribe},
  };
  const S states[] = {S::kGuest,  S::kRegistered, S::kSubscriber,
                      S::kActive, S::kSuspended,  S::kDeleted};
  const E events[] = {E::kRegister, E::kSubscribe, E::kUnsubscribe,
                      E::kSuspend,  E::kReinstate, E::kDelete};
  for (PrincipalKind kind : {PrincipalKind::kUser, PrincipalKind::kService}) {
    for (S s : states) {
      for (E e : events) {
        PrincipalRecord p = Make(kind, s);
        if (s == S::kSuspended) p.suspended_from = S::kActive;
        const bool ok = legal.count({kind, s, e}) ||
                        (e == E::kSuspend && IsLive(s)) ||
                        (e == E::kReinstate && s == S::kSuspended) ||
                        (e == E::kDelete && s != S::kDeleted);
        const absl::StatusOr<PrincipalRecord> next = ApplyPrincipalEvent(p, e);
        EXPECT_EQ(next.ok(), ok)
            << PrincipalKindName(kind) << " " << PrincipalStateName(s) << " "
            << PrincipalEventName(e);
        if (!ok) {
          EXPECT_EQ(next.status().code(),
                    absl::StatusCode::kFailedPrecondition);
        }
      }
    }
  }
}

TEST(PrincipalLifecycleTest, RolesFollowStatePlusGrants) {
  PrincipalRecord p = Make(PrincipalKind::kUser, PrincipalState::kGuest);
  EXPECT_EQ(RolesOf(p), (std::vector<std::string>{"guest"}));
  p.state = PrincipalState::kRegistered;
  p.granted_roles = {"beta", "user"};
  EXPECT_EQ(RolesOf(p), (std::vector<std::string>{"beta", "user"}));
  EXPECT_EQ(PrincipalStateClaim(PrincipalState::kSubscriber), "subscriber");
}

}  // namespace
}  // namespace meshid::identity
