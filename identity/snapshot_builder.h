// SnapshotBuilder: the next IdentitySnapshot from the previous one plus the
// records that changed. Unchanged clients and keys are shared, not copied;
// key material is opened once, when its record first arrives.
#ifndef MESHID_IDENTITY_SNAPSHOT_BUILDER_H_
#define MESHID_IDENTITY_SNAPSHOT_BUILDER_H_

#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "identity/identity_snapshot.h"
#include "identity/master_key.h"

namespace meshid::identity {

class SnapshotBuilder {
 public:
  SnapshotBuilder(const IdentitySnapshot& base, const MasterKey* master_key);

  // `principal` gives the client's state and roles; absent means deleted.
  absl::Status PutClient(const ClientRecord& client,
                         const std::optional<PrincipalRecord>& principal);
  void RemoveClient(absl::string_view client_id);
  // Opens the material (DATA_LOSS if it does not open under the master key).
  absl::Status PutKey(const KeyRecord& key);
  void RevokeJti(const RevokedJti& jti);
  void RevokeSubject(const RevokedSubject& subject);

  // The snapshot at `version`. Revoked jtis whose tokens expired before
  // `prune_before` are dropped.
  std::shared_ptr<const IdentitySnapshot> Build(int64_t version,
                                                absl::Time prune_before) &&;

 private:
  const MasterKey* const master_key_;
  std::shared_ptr<IdentitySnapshot> next_;
  KeySet::Builder verification_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_SNAPSHOT_BUILDER_H_
