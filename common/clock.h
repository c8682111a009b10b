// Clock: the one source of "now" for everything that checks time. Production
// code takes a `Clock*`; tests pass a FakeClock (common/testing/fake_clock.h)
// and move time by hand, so no test sleeps.
#ifndef MESHID_COMMON_CLOCK_H_
#define MESHID_COMMON_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace meshid {

class Clock {
 public:
  virtual ~Clock() = default;
  // Returns the current time. Thread-safe.
  virtual absl::Time Now() const = 0;
};

// Wall-clock time. Stateless and thread-safe; use the shared instance.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override { return absl::Now(); }
  static SystemClock* Get() {
    static SystemClock* const clock = new SystemClock();
    return clock;
  }
};

}  // namespace meshid

#endif  // MESHID_COMMON_CLOCK_H_
