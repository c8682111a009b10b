#include "identity/revocation_operations.h"

#include "common/status_macros.h"

namespace meshid::identity {

absl::StatusOr<int64_t> RevokeSubjectInTx(Transaction& tx,
                                          absl::string_view subject,
                                          absl::Time before, absl::Time now) {
  const absl::Time floor = absl::FromUnixSeconds(absl::ToUnixSeconds(before));
  RevokedSubject revoked;
  revoked.subject = std::string(subject);
  revoked.revoked_before = floor == before ? before : floor + absl::Seconds(1);
  revoked.revoked_at = now;
  ASSIGN_OR_RETURN(
      revoked.version,
      tx.events().Append(ChangeKind::kSubjectRevoked, subject, now));
  RETURN_IF_ERROR(tx.revocations().RevokeSubject(revoked));
  return revoked.version;
}

absl::StatusOr<int64_t> RevokeJtiInTx(Transaction& tx, absl::string_view jti,
                                      absl::Time expires_at, absl::Time now) {
  RevokedJti revoked;
  revoked.jti = std::string(jti);
  revoked.expires_at = absl::FromUnixMicros(absl::ToUnixMicros(expires_at));
  revoked.revoked_at = now;
  ASSIGN_OR_RETURN(revoked.version,
                   tx.events().Append(ChangeKind::kJtiRevoked, jti, now));
  RETURN_IF_ERROR(tx.revocations().RevokeJti(revoked));
  return revoked.version;
}

}  // namespace meshid::identity
