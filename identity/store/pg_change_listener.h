// PgChangeListener: LISTEN meshid_changes on a dedicated PostgreSQL
// connection and call back on every notification, so that a change
// committed through one identity replica reaches the others' views (and
// their WatchKeys streams) at once. A replica that misses a notification
// (listener reconnecting, say) still catches up: its periodic refresh reads
// every change after its version.
#ifndef MESHID_IDENTITY_STORE_PG_CHANGE_LISTENER_H_
#define MESHID_IDENTITY_STORE_PG_CHANGE_LISTENER_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace meshid::identity {

class PgChangeListener {
 public:
  // `on_change(version)` runs on the listener's thread; it must not block
  // for long. Reconnects after `retry` when the connection drops.
  PgChangeListener(std::string url, std::function<void(int64_t)> on_change,
                   absl::Duration retry = absl::Seconds(1));
  ~PgChangeListener();  // stops and joins

  // True once LISTEN is in place (for tests and readiness).
  bool listening() const { return listening_.load(); }

 private:
  void Run();

  const std::string url_;
  const std::function<void(int64_t)> on_change_;
  const absl::Duration retry_;
  std::atomic<bool> listening_{false};
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_STORE_PG_CHANGE_LISTENER_H_
