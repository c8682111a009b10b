// PrincipalService: users and services as principals moving through their
// lifecycle (principal_lifecycle.h). Each move is one transaction with its
// audit event; suspend and delete revoke the principal's outstanding tokens
// in that same transaction.
#ifndef MESHID_IDENTITY_PRINCIPAL_SERVICE_H_
#define MESHID_IDENTITY_PRINCIPAL_SERVICE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "identity/identity_context.h"
#include "identity/principal_lifecycle.h"

namespace meshid::identity {

// User principal ids are "user:<username>": they can never clash with a
// client_id, and a username, like every id, is never reused.
inline constexpr absl::string_view kUserIdPrefix = "user:";
std::string UserPrincipalId(absl::string_view username);

// Applies `event` to principal `id` inside `tx`: the state move, the
// subject revocation for suspend/delete, and for a deleted service its keys
// revoked. Returns the updated record. NOT_FOUND or FAILED_PRECONDITION.
absl::StatusOr<PrincipalRecord> TransitionInTx(Transaction& tx,
                                               const IdentityContext& ctx,
                                               absl::string_view id,
                                               PrincipalEvent event,
                                               absl::Time now);

struct PrincipalFilter {
  std::optional<PrincipalKind> kind;
  std::optional<PrincipalState> state;
  std::string after_id;  // paging
  int limit = 100;
};

class PrincipalService {
 public:
  explicit PrincipalService(const IdentityContext& ctx) : ctx_(ctx) {}

  // A new user, GUEST moved by "register" to REGISTERED. ALREADY_EXISTS
  // when the username is or was taken.
  absl::StatusOr<PrincipalRecord> RegisterUser(absl::string_view username,
                                               absl::string_view password);
  // The user when `password` matches and the user may log in; one
  // UNAUTHENTICATED answer for a wrong name or password (the same work is
  // done for both, so timing does not tell them apart).
  absl::StatusOr<PrincipalRecord> AuthenticateUser(absl::string_view username,
                                                   absl::string_view password);

  absl::StatusOr<PrincipalRecord> Transition(absl::string_view id,
                                             PrincipalEvent event,
                                             absl::string_view reason,
                                             absl::string_view actor);
  absl::StatusOr<PrincipalRecord> UpdateRoles(
      absl::string_view id, const std::vector<std::string>& granted_roles,
      absl::string_view actor);
  absl::StatusOr<PrincipalRecord> Get(absl::string_view id);
  // Tokens of `subject` (any principal id, existing or not) issued before
  // `before` fail from now on.
  absl::StatusOr<RevokedSubject> RevokeSubject(absl::string_view subject,
                                               absl::Time before,
                                               absl::string_view reason,
                                               absl::string_view actor);
  // Matching principals with id > filter.after_id, at most filter.limit.
  absl::StatusOr<std::vector<PrincipalRecord>> List(
      const PrincipalFilter& filter);

 private:
  const IdentityContext& ctx_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_PRINCIPAL_SERVICE_H_
