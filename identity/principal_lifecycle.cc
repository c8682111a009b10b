#include "identity/principal_lifecycle.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace meshid::identity {

absl::string_view PrincipalEventName(PrincipalEvent event) {
  switch (event) {
    case PrincipalEvent::kRegister:
      return "register";
    case PrincipalEvent::kSubscribe:
      return "subscribe";
    case PrincipalEvent::kUnsubscribe:
      return "unsubscribe";
    case PrincipalEvent::kSuspend:
      return "suspend";
    case PrincipalEvent::kReinstate:
      return "reinstate";
    case PrincipalEvent::kDelete:
      return "delete";
  }
  return "unknown";
}

absl::string_view PrincipalStateName(PrincipalState state) {
  switch (state) {
    case PrincipalState::kGuest:
      return "GUEST";
    case PrincipalState::kRegistered:
      return "REGISTERED";
    case PrincipalState::kSubscriber:
      return "SUBSCRIBER";
    case PrincipalState::kActive:
      return "ACTIVE";
    case PrincipalState::kSuspended:
      return "SUSPENDED";
    case PrincipalState::kDeleted:
      return "DELETED";
  }
  return "UNKNOWN";
}

std::string PrincipalStateClaim(PrincipalState state) {
  return absl::AsciiStrToLower(PrincipalStateName(state));
}

absl::string_view PrincipalKindName(PrincipalKind kind) {
  return kind == PrincipalKind::kUser ? "USER" : "SERVICE";
}

bool IsLive(PrincipalState state) {
  return state != PrincipalState::kSuspended &&
         state != PrincipalState::kDeleted;
}

absl::StatusOr<PrincipalRecord> ApplyPrincipalEvent(
    const PrincipalRecord& principal, PrincipalEvent event) {
  const PrincipalState from = principal.state;
  const bool user = principal.kind == PrincipalKind::kUser;
  PrincipalRecord next = principal;
  bool legal = false;
  switch (event) {
    case PrincipalEvent::kRegister:
      legal = user && from == PrincipalState::kGuest;
      next.state = PrincipalState::kRegistered;
      break;
    case PrincipalEvent::kSubscribe:
      legal = user && from == PrincipalState::kRegistered;
      next.state = PrincipalState::kSubscriber;
      break;
    case PrincipalEvent::kUnsubscribe:
      legal = user && from == PrincipalState::kSubscriber;
      next.state = PrincipalState::kRegistered;
      break;
    case PrincipalEvent::kSuspend:
      legal = IsLive(from);
      next.state = PrincipalState::kSuspended;
      next.suspended_from = from;
      break;
    case PrincipalEvent::kReinstate:
      legal = from == PrincipalState::kSuspended &&
              principal.suspended_from.has_value();
      if (legal) next.state = *principal.suspended_from;
      next.suspended_from.reset();
      break;
    case PrincipalEvent::kDelete:
      legal = from != PrincipalState::kDeleted;
      next.state = PrincipalState::kDeleted;
      next.suspended_from.reset();
      break;
  }
  if (!legal) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event '", PrincipalEventName(event), "' is not allowed for a ",
        PrincipalKindName(principal.kind), " in state ",
        PrincipalStateName(from)));
  }
  return next;
}

std::vector<std::string> RolesOf(const PrincipalRecord& principal) {
  std::set<std::string> roles;
  switch (principal.state) {
    case PrincipalState::kGuest:
      roles.insert("guest");
      break;
    case PrincipalState::kRegistered:
      roles.insert("user");
      break;
    case PrincipalState::kSubscriber:
      roles.insert({"user", "subscriber"});
      break;
    case PrincipalState::kActive:
      roles.insert("service");
      break;
    case PrincipalState::kSuspended:
    case PrincipalState::kDeleted:
      return {};
  }
  roles.insert(principal.granted_roles.begin(), principal.granted_roles.end());
  return std::vector<std::string>(roles.begin(), roles.end());
}

}  // namespace meshid::identity
