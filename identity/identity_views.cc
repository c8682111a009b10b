#include "identity/identity_views.h"

#include "common/status_macros.h"
#include "identity/snapshot_builder.h"

namespace meshid::identity {
namespace {

constexpr int kChangePage = 1000;

// Re-reads the client and its principal, applying either or a removal.
absl::Status ApplyClient(Transaction& tx, absl::string_view client_id,
                         SnapshotBuilder& builder) {
  absl::StatusOr<ClientRecord> client = tx.clients().Get(client_id);
  if (absl::IsNotFound(client.status())) {
    builder.RemoveClient(client_id);
    return absl::OkStatus();
  }
  if (!client.ok()) return client.status();
  absl::StatusOr<PrincipalRecord> principal = tx.principals().Get(client_id);
  if (!principal.ok() && !absl::IsNotFound(principal.status())) {
    return principal.status();
  }
  return builder.PutClient(
      *client, principal.ok() ? std::optional<PrincipalRecord>(*principal)
                              : std::nullopt);
}

absl::Status ApplyChange(Transaction& tx, const ChangeEvent& change,
                         SnapshotBuilder& builder) {
  switch (change.kind) {
    case ChangeKind::kKeyChanged: {
      ASSIGN_OR_RETURN(KeyRecord key, tx.keys().Get(change.subject_id));
      return builder.PutKey(key);
    }
    case ChangeKind::kJtiRevoked: {
      ASSIGN_OR_RETURN(RevokedJti jti,
                       tx.revocations().GetJti(change.subject_id));
      builder.RevokeJti(jti);
      return absl::OkStatus();
    }
    case ChangeKind::kSubjectRevoked: {
      ASSIGN_OR_RETURN(RevokedSubject subject,
                       tx.revocations().GetSubject(change.subject_id));
      builder.RevokeSubject(subject);
      return absl::OkStatus();
    }
    case ChangeKind::kClientChanged:
    case ChangeKind::kPrincipalChanged:
      // A principal change matters here only when it is a client's.
      return ApplyClient(tx, change.subject_id, builder);
  }
  return absl::OkStatus();
}

}  // namespace

IdentityViews::IdentityViews(Store* store, const MasterKey* master_key,
                             const Clock* clock)
    : store_(store),
      master_key_(master_key),
      clock_(clock),
      current_(std::make_shared<const IdentitySnapshot>()) {}

absl::Status IdentityViews::Load() { return ApplyChanges(/*full_load=*/true); }

absl::Status IdentityViews::Refresh() {
  return ApplyChanges(/*full_load=*/false);
}

absl::Status IdentityViews::ApplyChanges(bool full_load) {
  absl::MutexLock lock(&refresh_mu_);
  const std::shared_ptr<const IdentitySnapshot> base =
      full_load ? std::make_shared<const IdentitySnapshot>() : Current();
  const absl::Time now = clock_->Now();
  SnapshotBuilder builder(*base, master_key_);
  int64_t version = base->version();
  bool changed = full_load;
  std::vector<ChangeEvent> applied;
  RETURN_IF_ERROR(
      store_->RunInTransaction([&](Transaction& tx) -> absl::Status {
        // The store may run this more than once (a retried transaction).
        version = base->version();
        applied.clear();
        if (full_load) {
          // The version first: anything committed after it is re-applied by
          // the next Refresh, and applying a record twice is harmless.
          ASSIGN_OR_RETURN(version, tx.events().CurrentVersion());
          ASSIGN_OR_RETURN(std::vector<KeyRecord> keys, tx.keys().ListAll());
          for (const KeyRecord& key : keys)
            RETURN_IF_ERROR(builder.PutKey(key));
          ASSIGN_OR_RETURN(std::vector<ClientRecord> clients,
                           tx.clients().ListAll());
          for (const ClientRecord& client : clients) {
            RETURN_IF_ERROR(ApplyClient(tx, client.client_id, builder));
          }
          ASSIGN_OR_RETURN(std::vector<RevokedJti> jtis,
                           tx.revocations().ListJtis(now));
          for (const RevokedJti& jti : jtis) builder.RevokeJti(jti);
          ASSIGN_OR_RETURN(std::vector<RevokedSubject> subjects,
                           tx.revocations().ListSubjects());
          for (const RevokedSubject& s : subjects) builder.RevokeSubject(s);
          return absl::OkStatus();
        }
        while (true) {
          ASSIGN_OR_RETURN(std::vector<ChangeEvent> changes,
                           tx.events().ListSince(version, kChangePage));
          for (const ChangeEvent& change : changes) {
            RETURN_IF_ERROR(ApplyChange(tx, change, builder));
            version = change.version;
            changed = true;
            applied.push_back(change);
          }
          if (changes.size() < static_cast<size_t>(kChangePage)) break;
        }
        return absl::OkStatus();
      }));
  if (!changed) return absl::OkStatus();  // nothing new: keep the snapshot
  std::shared_ptr<const IdentitySnapshot> next =
      std::move(builder).Build(version, now);
  std::atomic_store(&current_, next);
  if (listener_) listener_(next, applied, full_load);
  return absl::OkStatus();
}

}  // namespace meshid::identity
