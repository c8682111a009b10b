// The principal lifecycle as a finite state machine with named events.
//
//   users:    GUEST -register-> REGISTERED -subscribe-> SUBSCRIBER
//             SUBSCRIBER -unsubscribe-> REGISTERED
//   services: ACTIVE
//   any live state -suspend-> SUSPENDED -reinstate-> the state it left
//   any state but DELETED -delete-> DELETED (terminal)
// Any other move is FAILED_PRECONDITION.
#ifndef MESHID_IDENTITY_PRINCIPAL_LIFECYCLE_H_
#define MESHID_IDENTITY_PRINCIPAL_LIFECYCLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "identity/store/records.h"

namespace meshid::identity {

enum class PrincipalEvent : uint8_t {
  kRegister = 1,
  kSubscribe = 2,
  kUnsubscribe = 3,
  kSuspend = 4,
  kReinstate = 5,
  kDelete = 6,
};

absl::string_view PrincipalEventName(PrincipalEvent event);
// Upper case, as in the API: "GUEST", "SUBSCRIBER", ...
absl::string_view PrincipalStateName(PrincipalState state);
// The token's "pst" value: lower case ("subscriber").
std::string PrincipalStateClaim(PrincipalState state);
absl::string_view PrincipalKindName(PrincipalKind kind);

// Applies `event` to a copy of `principal`: its new state (and
// suspended_from). FAILED_PRECONDITION for an illegal move.
absl::StatusOr<PrincipalRecord> ApplyPrincipalEvent(
    const PrincipalRecord& principal, PrincipalEvent event);

// True for states whose principal may authenticate.
bool IsLive(PrincipalState state);

// The roles a principal holds: those of its state (GUEST: guest;
// REGISTERED: user; SUBSCRIBER: user, subscriber; ACTIVE service: service)
// plus its explicit grants, sorted, without duplicates. SUSPENDED and
// DELETED hold none.
std::vector<std::string> RolesOf(const PrincipalRecord& principal);

// True when suspend or delete: these revoke the principal's tokens.
inline bool RevokesTokens(PrincipalEvent event) {
  return event == PrincipalEvent::kSuspend || event == PrincipalEvent::kDelete;
}

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_PRINCIPAL_LIFECYCLE_H_
