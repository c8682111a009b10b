// What a WatchKeys stream sends, built from an IdentitySnapshot for one
// watcher. A watcher is a validator named by its token's subject; it sees
//   - the issuer's public keys (EdDSA, ES256),
//   - the HS256 pair keys whose audience is itself, secret included,
//   - every revocation,
// and nothing else: another audience's pair key is not even mentioned.
#ifndef MESHID_IDENTITY_WATCH_WATCH_MESSAGES_H_
#define MESHID_IDENTITY_WATCH_WATCH_MESSAGES_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "identity/identity_snapshot.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"

namespace meshid::identity {

using WatchMessage = ::meshid::keyadmin::v1::WatchKeysResponse;

// True when a watcher for `audience` may receive `key`.
bool VisibleTo(const KeyView& key, absl::string_view audience);

// The full state for `audience` at the snapshot's version.
WatchMessage SnapshotMessage(const IdentitySnapshot& snapshot,
                             absl::string_view audience);

// The messages for one committed change, as the snapshot now shows it
// (nothing for changes a watcher need not see, such as client updates).
void AppendChangeMessages(const IdentitySnapshot& snapshot,
                          const ChangeEvent& change, absl::string_view audience,
                          std::vector<WatchMessage>* out);

WatchMessage HeartbeatMessage(int64_t version, absl::Time now);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_WATCH_WATCH_MESSAGES_H_
