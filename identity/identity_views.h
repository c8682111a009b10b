// IdentityViews keeps the in-memory IdentitySnapshot current with the store.
//
// Load() reads everything once at start. Refresh() reads the change events
// after the snapshot's version and re-reads only the records they name, in
// one store transaction, then publishes a new snapshot. Admin operations
// call Refresh() after they commit, so their own changes are visible when
// they return; a periodic Refresh() picks up changes committed by other
// replicas (and later, LISTEN/NOTIFY triggers it at once).
//
// Thread-safe: Refresh() calls are serialized; Current() never blocks on
// them.
#ifndef MESHID_IDENTITY_IDENTITY_VIEWS_H_
#define MESHID_IDENTITY_IDENTITY_VIEWS_H_

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "identity/identity_snapshot.h"
#include "identity/master_key.h"
#include "identity/store/store.h"

namespace meshid::identity {

class IdentityViews {
 public:
  // `store`, `master_key` and `clock` must outlive this object.
  IdentityViews(Store* store, const MasterKey* master_key, const Clock* clock);

  // Reads the whole state. Call once before serving.
  absl::Status Load();
  // Applies every change committed since the current snapshot's version.
  absl::Status Refresh();

  std::shared_ptr<const IdentitySnapshot> Current() const {
    return std::atomic_load(&current_);
  }

  // Called after each new snapshot is published, with the change events it
  // applied (empty after a full load). Calls are serialized. Set before
  // serving; the listener must not call Refresh.
  using Listener = std::function<void(
      const std::shared_ptr<const IdentitySnapshot>& snapshot,
      const std::vector<ChangeEvent>& changes, bool full_load)>;
  void SetListener(Listener listener) { listener_ = std::move(listener); }

 private:
  absl::Status ApplyChanges(bool full_load);

  Store* const store_;
  const MasterKey* const master_key_;
  const Clock* const clock_;
  absl::Mutex refresh_mu_;
  std::shared_ptr<const IdentitySnapshot> current_;
  Listener listener_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_IDENTITY_VIEWS_H_
