// Token revocations made inside an open store transaction.
#ifndef MESHID_IDENTITY_REVOCATION_OPERATIONS_H_
#define MESHID_IDENTITY_REVOCATION_OPERATIONS_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "identity/identity_context.h"
#include "identity/store/store.h"

namespace meshid::identity {

// Tokens of `subject` issued before `before` fail from now on. Returns the
// change version. `before` is rounded UP to a whole second: tokens carry
// whole-second iat, so a token issued in the same second as the revocation
// must not slip through (the cost: one issued in that second after a
// reinstatement fails too).
absl::StatusOr<int64_t> RevokeSubjectInTx(Transaction& tx,
                                          absl::string_view subject,
                                          absl::Time before, absl::Time now);

// The token with `jti` (which expires at `expires_at`) fails from now on.
absl::StatusOr<int64_t> RevokeJtiInTx(Transaction& tx, absl::string_view jti,
                                      absl::Time expires_at, absl::Time now);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_REVOCATION_OPERATIONS_H_
