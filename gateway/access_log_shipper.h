// AccessLogShipper: the consumer side of the AccessLogQueue. On its own
// thread it takes every queued record, writes the ACCESS ones to stderr as
// JSON lines (many lines per write(2), at line boundaries), and, when a Log
// server is configured, ships entries to Log.Append in batches of at most
// batch_size, a partial batch after flush_interval. The request path only
// ever pushes to the queue, so neither a slow stderr nor a slow or absent
// Log server can block a call.
//
//   AccessLogShipper shipper(&queue, &log_sender, WriteToStderr, options,
//                            clock, metrics);
//   shipper.Start();
//   ...
//   shipper.Stop(absl::Seconds(2));  // last lines and batches, bounded
//
// At most one Append is in flight. A failed batch is retried (UNAVAILABLE,
// DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, UNAUTHENTICATED, ABORTED, INTERNAL
// and UNKNOWN) with backoff up to max_attempts, then dropped; other codes
// drop it at once. Entries waiting to ship are bounded by max_pending; what
// does not fit is dropped. Every drop is counted.
//
// Poll() is one round of that work; the thread calls it every
// poll_interval, and tests call it directly with a FakeClock.
#ifndef MESHID_GATEWAY_ACCESS_LOG_SHIPPER_H_
#define MESHID_GATEWAY_ACCESS_LOG_SHIPPER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/keyset/backoff.h"
#include "gateway/access_log_format.h"
#include "gateway/access_log_queue.h"
#include "meshid/logging/v1/log.pb.h"

namespace meshid::gateway {

// Sends one Append batch. Implemented over gRPC by LogAppendService; tests
// use a fake.
class LogBatchSender {
 public:
  virtual ~LogBatchSender() = default;
  // Sends `batch` (1 to 1000 entries). Calls `done` exactly once, from any
  // thread, possibly before Send returns.
  virtual void Send(std::shared_ptr<const logging::v1::AppendRequest> batch,
                    std::function<void(absl::Status)> done) = 0;
};

// Receives complete JSON lines (each ending in '\n'), in chunks of at most
// kMaxLineChunkBytes unless one line is longer.
using LineWriter = std::function<void(absl::string_view chunk)>;

inline constexpr size_t kMaxLineChunkBytes = 4096;  // PIPE_BUF: atomic

// Writes to fd 2, retrying short writes.
void WriteToStderr(absl::string_view chunk);

struct AccessLogShipperOptions {
  // The `service` member of the stderr lines.
  std::string service_name = "meshid-gateway";
  // False: stderr only (no Log server configured).
  bool ship = false;
  size_t batch_size = 200;
  absl::Duration flush_interval = absl::Seconds(1);
  // Entries taken from the queue and waiting for Append.
  size_t max_pending = 10000;
  int max_attempts = 3;
  keyset::BackoffOptions retry_backoff{absl::Milliseconds(500),
                                       absl::Seconds(10), 2.0, 0.2};
  // How often the thread polls the queue (real time).
  absl::Duration poll_interval = absl::Milliseconds(10);
  // Records taken per poll, so one poll never runs long.
  size_t max_records_per_poll = 8192;
};

// Counters the shipper reports to; each may be null.
struct AccessLogShipperMetrics {
  std::function<void(uint64_t)> on_shipped;            // entries accepted
  std::function<void(uint64_t)> on_dropped_unshipped;  // gave up sending
  std::function<void(size_t)> on_queue_depth;          // after each poll
};

class AccessLogShipper {
 public:
  // `queue` (not owned) must outlive the shipper; `sender` (not owned) may
  // be null only when !options.ship. `clock` null means SystemClock.
  AccessLogShipper(AccessLogQueue* queue, LogBatchSender* sender,
                   LineWriter writer, AccessLogShipperOptions options,
                   const Clock* clock, AccessLogShipperMetrics metrics);
  ~AccessLogShipper();  // Stop(ZeroDuration()) if running

  AccessLogShipper(const AccessLogShipper&) = delete;
  AccessLogShipper& operator=(const AccessLogShipper&) = delete;

  // One round: collect a finished Append, drain the queue into stderr lines
  // and pending entries, start an Append when one is due. Not thread-safe:
  // one poller (the thread, or a test).
  void Poll(absl::Time now);

  // Starts the polling thread.
  void Start();
  // Stops the thread, then keeps polling until every pending entry is
  // shipped or dropped, or `flush_timeout` passes (real time).
  void Stop(absl::Duration flush_timeout);

  // For tests and the queue-depth gauge.
  size_t pending_entries() const { return pending_.size(); }
  bool append_in_flight() const { return in_flight_ != nullptr; }

 private:
  // Where the sender's callback leaves its result; shared with the
  // callback, which may outlive a shipper stopped with an Append in flight.
  struct Completion {
    absl::Mutex mu;
    absl::CondVar cv;
    bool ready ABSL_GUARDED_BY(mu) = false;
    absl::Status status ABSL_GUARDED_BY(mu);
  };

  void TakeRecords(absl::Time now);
  void FlushLines();
  void CollectCompletion(absl::Time now);
  void MaybeSend(absl::Time now);
  void SendInFlight();
  // Waits (real time) until the in-flight Append completes or `deadline`.
  void WaitForCompletion(absl::Time deadline);
  void DropPending(uint64_t n);

  AccessLogQueue* const queue_;
  LogBatchSender* const sender_;
  const LineWriter writer_;
  const AccessLogShipperOptions options_;
  const Clock* const clock_;
  const AccessLogShipperMetrics metrics_;

  // Poller state.
  AccessLineFormatter formatter_;
  AccessRecord scratch_;
  std::string lines_;
  std::deque<logging::v1::LogEntry> pending_;
  absl::Time oldest_pending_since_ = absl::InfiniteFuture();
  std::shared_ptr<logging::v1::AppendRequest> in_flight_;
  int attempts_ = 0;
  absl::Time retry_at_ = absl::InfinitePast();
  bool waiting_for_retry_ = false;
  // Stop's final rounds: send partial batches and retries at once.
  bool flushing_ = false;
  keyset::Backoff backoff_;

  const std::shared_ptr<Completion> completion_;

  absl::Mutex thread_mu_;
  bool stopping_ ABSL_GUARDED_BY(thread_mu_) = false;
  std::thread thread_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_ACCESS_LOG_SHIPPER_H_
