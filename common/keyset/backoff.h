// Backoff: jittered exponential delays between reconnect attempts (the gRPC
// connection-backoff scheme): the base delay starts at `initial`, is
// multiplied by `multiplier` after each attempt up to `max`, and each delay
// handed out is the base times a uniform factor in [1 - jitter, 1 + jitter],
// so a fleet of watchers cut off together does not come back in lock step.
//
//   Backoff backoff(BackoffOptions{});
//   absl::Duration d = backoff.Next();  // ~100ms, then ~200ms, ... ~10s
//   backoff.Reset();                    // after a healthy stream
//
// Not thread-safe: one owner (the watcher thread).
#ifndef MESHID_COMMON_KEYSET_BACKOFF_H_
#define MESHID_COMMON_KEYSET_BACKOFF_H_

#include "absl/random/random.h"
#include "absl/time/time.h"

namespace meshid::keyset {

struct BackoffOptions {
  absl::Duration initial = absl::Milliseconds(100);
  absl::Duration max = absl::Seconds(10);
  double multiplier = 2.0;
  // Relative spread of each delay: 0.2 means +-20%.
  double jitter = 0.2;
};

class Backoff {
 public:
  explicit Backoff(const BackoffOptions& options);

  // The delay before the next attempt; grows the base for the one after.
  absl::Duration Next();
  // As Next, with the jitter's uniform draw given: `unit` in [0, 1], 0 is
  // the shortest delay, 0.5 the base, 1 the longest. For tests.
  absl::Duration NextWithDraw(double unit);
  // Back to `initial` (after a stream that worked).
  void Reset();

  // The un-jittered delay the next call would use.
  absl::Duration base() const { return base_; }

 private:
  BackoffOptions options_;
  absl::Duration base_;
  absl::BitGen rng_;
};

}  // namespace meshid::keyset

#endif  // MESHID_COMMON_KEYSET_BACKOFF_H_
