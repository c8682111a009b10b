// KeySetWatcher: keeps a validator's key set current from KeyAdmin.WatchKeys
// (DESIGN.md "Key distribution: WatchKeys"; keyadmin.proto is the contract).
//
// One dedicated thread per watcher:
//   1. gets the watcher's own token with Identity.IssueToken (client
//      credentials; audience `meshid-keyadmin`, scope `keys:watch`), and
//      re-issues it before it expires (at 80% of its lifetime, checked before
//      each stream is opened: the server checks the token when the stream
//      opens) or when the server answers UNAUTHENTICATED;
//   2. opens WatchKeys(since_version = its version, 0 before the first
//      snapshot) with `authorization: Bearer <token>`; every message is
//      applied through a KeySetUpdater right on the gRPC thread that read
//      it (WatchCall), without a hop to the watcher thread;
//   3. publishes each new snapshot with std::atomic_store; Current() is one
//      std::atomic_load, so validators take no lock of ours;
//   4. when the stream ends, fails, sends something the updater refuses, or
//      is silent for `idle_timeout` (30 s: heartbeats come every 10 s), it
//      keeps the last good set (keys still expire on their own verify_until)
//      and reconnects after a jittered exponential backoff (reset once a
//      stream delivered a message), resuming from its version.
// RequestResync() (a validator saw an unknown kid) cancels the current
// stream, or cuts a backoff wait short, so a new stream brings what changed
// since our version; it is rate limited to one per resync_min_interval.
//
//   KeySetWatcherOptions options;
//   options.identity_address = "meshid-identity:50051";
//   options.keyadmin_address = "meshid-identity:50052";
//   options.client_id = "logging-service";
//   options.client_secret = crypto::SecretBytes(secret_from_file);
//   options.registry = &registry;
//   KeySetWatcher watcher(std::move(options));
//   RETURN_IF_ERROR(watcher.Start());
//   if (!watcher.WaitForVersion(1, absl::Seconds(10))) { /* not synced */ }
//   TokenValidator validator(&watcher, policy);
//
// Logs (common/server/json_log.h): keyset.token_issued / keyset.token_failed,
// keyset.watch_connect, keyset.snapshot_applied, keyset.message_rejected,
// keyset.watch_idle, keyset.watch_disconnect (with the gRPC code),
// keyset.resync. Never the client secret, never a token, never key material.
#ifndef MESHID_COMMON_KEYSET_KEY_SET_WATCHER_H_
#define MESHID_COMMON_KEYSET_KEY_SET_WATCHER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/crypto/secret_bytes.h"
#include "common/keyset/backoff.h"
#include "common/keyset/key_set_metrics.h"
#include "common/keyset/key_set_source.h"
#include "common/keyset/key_set_updater.h"
#include "common/keyset/watch_call.h"
#include "common/token/key_set.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/credentials.h"
#include "meshid/identity/v1/identity.grpc.pb.h"
#include "meshid/keyadmin/v1/keyadmin.grpc.pb.h"
#include "prometheus/registry.h"

namespace meshid::keyset {

inline constexpr absl::string_view kKeyAdminAudience = "meshid-keyadmin";
inline constexpr absl::string_view kWatchScope = "keys:watch";

struct KeySetWatcherOptions {
  // Identity server (IssueToken), e.g. "meshid-identity:50051".
  std::string identity_address;
  // KeyAdmin server (WatchKeys), e.g. "meshid-identity:50052".
  std::string keyadmin_address;
  // The watcher's own client credentials. Its tokens' `sub` is the client
  // id: the service name whose HS256 pair secrets it receives.
  std::string client_id;
  crypto::SecretBytes client_secret;  // never logged
  // Audience of the watcher's own token (the KeyAdmin server's name).
  std::string token_audience = std::string(kKeyAdminAudience);
  // Requested token lifetime; zero means the server default.
  absl::Duration token_ttl = absl::ZeroDuration();
  // Null means insecure (plaintext) channels.
  std::shared_ptr<grpc::ChannelCredentials> channel_credentials;
  // Delays between reconnect attempts. Also set as the channels' own
  // reconnect backoff, so a returning server is found as fast.
  BackoffOptions backoff;
  // At most one accepted RequestResync per interval.
  absl::Duration resync_min_interval = absl::Seconds(1);
  // A stream without any message for this long is dead (the server sends a
  // heartbeat after at most 10 s of quiet).
  absl::Duration idle_timeout = absl::Seconds(30);
  // Deadline of each IssueToken call.
  absl::Duration rpc_timeout = absl::Seconds(10);
  // Time source for token lifetimes, the resync rate limit and
  // seconds_since_last_event (not for waiting: waits use real time). Null
  // means SystemClock. Not owned.
  const Clock* clock = nullptr;
  // Where to register the metrics (key_set_metrics.h); null for none. Not
  // owned; must outlive the watcher.
  prometheus::Registry* registry = nullptr;
  // How the updater prunes revoked jtis.
  KeySetUpdater::Options updater;
  // Called with the version of each newly published set, on the thread that
  // published it, right after Current() started returning it. For metrics
  // and benchmarks; must be quick and may call no method of the watcher
  // but Current(). Null for none.
  std::function<void(int64_t version)> on_publish;
};

class KeySetWatcher final : public KeySetSource {
 public:
  explicit KeySetWatcher(KeySetWatcherOptions options);
  // Stops (see Stop).
  ~KeySetWatcher() override;

  KeySetWatcher(const KeySetWatcher&) = delete;
  KeySetWatcher& operator=(const KeySetWatcher&) = delete;

  // Checks the options, creates the channels and starts the watcher thread.
  // Returns at once (it does not wait for keys: see WaitForVersion).
  // INVALID_ARGUMENT for missing options; FAILED_PRECONDITION when called
  // twice or after Stop.
  absl::Status Start();
  // Cancels the open call, ends the thread and joins it. Idempotent and
  // thread-safe; Current() keeps returning the last set afterwards.
  void Stop();

  // The current snapshot (never null: the empty set at version 0 before the
  // first snapshot). Lock-free for the caller: one std::atomic_load.
  std::shared_ptr<const KeySet> Current() const override;
  // See the header comment. Cheap when rate limited (a clock read and an
  // atomic compare); thread-safe; returns at once.
  void RequestResync() override;

  // Blocks until the published version is >= `version`, Stop is called, or
  // `timeout` passes; true when the version was reached. For startup and
  // tests: a deadline, never a sleep.
  bool WaitForVersion(int64_t version, absl::Duration timeout) const;

 private:
  enum class StreamEnd {
    kServer,    // ended or failed by the server or the network
    kIdle,      // no message for idle_timeout; cancelled by us
    kRejected,  // a message was refused; cancelled by us
    kResync,    // cancelled for RequestResync
    kStop,      // cancelled for Stop
  };
  struct StreamResult {
    StreamEnd end = StreamEnd::kServer;
    bool healthy = false;  // at least one message applied
    bool unauthenticated = false;
  };

  void Run();
  // Ensures a token fresh enough to open a stream; false on failure.
  bool EnsureToken();
  StreamResult RunStream(bool first);
  // The WatchCall handler (gRPC thread): applies one message, publishes
  // what changed and records the stream's progress; false when the updater
  // refused it.
  bool OnStreamMessage(const keyadmin::v1::WatchKeysResponse& message);
  // Applies one message; the new set to publish (null when nothing
  // changed), or an error when the updater refused it.
  absl::StatusOr<std::shared_ptr<const KeySet>> ApplyMessage(
      const keyadmin::v1::WatchKeysResponse& message);
  // Waits `delay` (real time); returns early on Stop or an accepted resync.
  void WaitBackoff(absl::Duration delay);
  void RefreshFreshnessMetric();
  bool stopping() const;

  const KeySetWatcherOptions options_;
  const Clock* const clock_;
  KeySetMetrics metrics_;

  std::shared_ptr<grpc::Channel> identity_channel_;
  std::shared_ptr<grpc::Channel> keyadmin_channel_;
  std::unique_ptr<::meshid::identity::v1::Identity::Stub> identity_stub_;
  std::unique_ptr<keyadmin::v1::KeyAdmin::Stub> keyadmin_stub_;

  // The published snapshot: std::atomic_store / std::atomic_load only.
  std::shared_ptr<const KeySet> current_;

  // Resync rate limit: clock time (ns since the epoch) of the last accepted
  // request; INT64_MIN before any.
  std::atomic<int64_t> last_resync_ns_;

  // Touched by the open stream's handler while a stream runs, and by the
  // watcher thread only between streams (a call's reactions are over once
  // it is done(), which the watcher thread sees under mu_).
  KeySetUpdater updater_;
  // Watcher-thread state (no lock: only that thread touches it).
  crypto::SecretBytes token_;
  absl::Time token_refresh_at_ = absl::InfinitePast();
  // Clock time of the last applied message, as Unix ns (handler writes,
  // watcher thread reads for the freshness metric).
  std::atomic<int64_t> last_event_unix_ns_;

  mutable absl::Mutex mu_;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool resync_requested_ ABSL_GUARDED_BY(mu_) = false;
  int64_t published_version_ ABSL_GUARDED_BY(mu_) = 0;
  // The open stream's progress, reset when it opens.
  bool stream_healthy_ ABSL_GUARDED_BY(mu_) = false;      // a message applied
  bool stream_rejected_ ABSL_GUARDED_BY(mu_) = false;     // a message refused
  absl::Time stream_idle_deadline_ ABSL_GUARDED_BY(mu_);  // real time
  // The open calls, for Stop and RequestResync to cancel.
  std::shared_ptr<WatchCall> active_call_ ABSL_GUARDED_BY(mu_);
  std::shared_ptr<grpc::ClientContext> token_call_ ABSL_GUARDED_BY(mu_);

  std::mutex join_mu_;  // serialises Stop's join
  std::thread thread_;
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_KEY_SET_WATCHER_H_
