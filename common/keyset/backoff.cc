#include "common/keyset/backoff.h"

#include <algorithm>

namespace meshid::keyset {
namespace {

BackoffOptions Sanitize(BackoffOptions o) {
  if (o.initial < absl::ZeroDuration()) o.initial = absl::ZeroDuration();
  if (o.max < o.initial) o.max = o.initial;
  if (!(o.multiplier >= 1.0)) o.multiplier = 1.0;  // also NaN
  if (!(o.jitter >= 0.0)) o.jitter = 0.0;
  if (o.jitter > 1.0) o.jitter = 1.0;
  return o;
}

}  // namespace

Backoff::Backoff(const BackoffOptions& options)
    : options_(Sanitize(options)), base_(options_.initial) {}

absl::Duration Backoff::Next() {
  return NextWithDraw(
      absl::Uniform<double>(absl::IntervalClosed, rng_, 0.0, 1.0));
}

absl::Duration Backoff::NextWithDraw(double unit) {
  unit = std::clamp(unit, 0.0, 1.0);
  const double factor = 1.0 + options_.jitter * (2.0 * unit - 1.0);
  const absl::Duration delay = base_ * factor;
  base_ = std::min(options_.max, base_ * options_.multiplier);
  return delay;
}

void Backoff::Reset() { base_ = options_.initial; }

}  // namespace meshid::keyset
