// TailHub: where committed entries meet the open Tail streams.
//
// The writer publishes every committed batch here. Each tail has a filter
// and a bounded buffer; Publish copies the matching entries into the
// buffers and wakes the tails, which drain them at their own pace. A tail
// whose buffer is full is ended at once with RESOURCE_EXHAUSTED (its
// buffered entries are dropped: the client reconnects and Queries the gap
// after the last entry it received). So a slow or stuck reader costs
// ingestion one failed push, never a wait, and never unbounded memory.
//
//   class TailStream : public TailHub::Listener { void OnReady() override; };
//   ASSIGN_OR_RETURN(auto subscription, hub.Subscribe(filter, &stream));
//   ... OnReady(): TailHub::Batch b = subscription->Take(16); write ...
//   hub.Unsubscribe(subscription);  // no OnReady after this returns
//
// Thread-safe. Lock order: the hub's lock, then a listener's own lock (in
// OnReady), then a subscription's lock; listeners never call into the hub
// from OnReady.
#ifndef MESHID_LOGGING_TAIL_HUB_H_
#define MESHID_LOGGING_TAIL_HUB_H_

#include <atomic>
#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "logging/log_filter.h"
#include "logging/log_record.h"

namespace meshid::logging {

struct TailHubOptions {
  // Entries a tail may have waiting; one more ends it.
  size_t buffer_entries = 1000;
  // Open tails at most; Subscribe beyond is RESOURCE_EXHAUSTED.
  size_t max_tails = 1000;
};

// Counts what tails do, for metrics. Thread-safe implementations.
class TailObserver {
 public:
  virtual ~TailObserver() = default;
  // One tail ended for falling behind.
  virtual void OnTailOverflow() = 0;
  virtual void OnTailEntries(size_t delivered_to_buffers) = 0;
};

class TailHub {
 public:
  // The stream side of one tail.
  class Listener {
   public:
    virtual ~Listener() = default;
    // Entries were buffered or the tail ended: Take() now. Called with the
    // hub's lock held, so it must not block and must not call the hub.
    virtual void OnReady() = 0;
  };

  struct Batch {
    std::vector<std::shared_ptr<const LogRecord>> entries;  // oldest first
    // Set once the tail has ended and nothing is left to deliver:
    // RESOURCE_EXHAUSTED (fell behind) or UNAVAILABLE (server draining).
    std::optional<absl::Status> end;
  };

  // One tail's filter and bounded buffer. Thread-safe.
  class Subscription {
   public:
    Subscription(LogFilter filter, Listener* listener, size_t capacity)
        : filter_(std::move(filter)),
          listener_(listener),
          capacity_(capacity) {}

    // Moves up to `max` buffered entries out, oldest first; `end` is set
    // when the tail has ended and there is nothing else to deliver.
    Batch Take(size_t max);

   private:
    friend class TailHub;
    enum class PushResult { kBuffered, kOverflowed, kEnded };
    // Buffers `entry`; kOverflowed when this push found the buffer full and
    // ended the tail, kEnded when it had ended before.
    PushResult Push(const std::shared_ptr<const LogRecord>& entry);
    void End(absl::Status reason);
    bool ended() const;

    const LogFilter filter_;
    Listener* const listener_;
    const size_t capacity_;
    mutable absl::Mutex mu_;
    std::deque<std::shared_ptr<const LogRecord>> buffer_ ABSL_GUARDED_BY(mu_);
    std::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);
  };

  explicit TailHub(TailHubOptions options = {},
                   TailObserver* observer = nullptr);

  // Starts a tail. `filter` must have passed CheckTailFilter. `listener`
  // (not owned) must stay valid until Unsubscribe returns.
  // RESOURCE_EXHAUSTED when max_tails are open; UNAVAILABLE after Shutdown.
  absl::StatusOr<std::shared_ptr<Subscription>> Subscribe(LogFilter filter,
                                                          Listener* listener);
  // Stops a tail; after this returns the hub calls its listener no more.
  // Idempotent.
  void Unsubscribe(const std::shared_ptr<Subscription>& subscription);

  // Offers committed entries, in commit order, to every tail. Never waits
  // for a tail.
  void Publish(const std::vector<LogRecord>& committed);

  // Ends every open tail with `reason` (they all fell behind: the
  // TailFeeder could not keep up); new tails may still start.
  void EndAll(const absl::Status& reason);

  // Ends every tail with UNAVAILABLE and refuses new ones. Idempotent.
  void Shutdown();

  // Open tails. Lock-free: the writer's path asks on every commit.
  size_t tail_count() const { return tail_count_.load(); }

 private:
  const TailHubOptions options_;
  TailObserver* const observer_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<std::shared_ptr<Subscription>> tails_
      ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<size_t> tail_count_{0};
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_TAIL_HUB_H_
