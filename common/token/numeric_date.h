// NumericDate (RFC 7519 section 2): seconds since the epoch as any JSON
// number, integer or not, held exactly enough that comparisons with a clock
// never round the wrong way.
//
// A value is kept as floor seconds, nanoseconds below that, and a "sticky"
// bit that is set when digits remain below one nanosecond. Ordering by
// Ticks() is then exact against any time with nanosecond resolution: a date
// with the sticky bit lies strictly between two nanoseconds.
//
//   std::optional<NumericDate> exp = NumericDate::Parse("1300819380.5");
//   if (exp && NumericDate::FromTime(now).Ticks() < exp->Ticks()) ...
#ifndef MESHID_COMMON_TOKEN_NUMERIC_DATE_H_
#define MESHID_COMMON_TOKEN_NUMERIC_DATE_H_

#include <cstdint>
#include <optional>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace meshid {

class NumericDate {
 public:
  // Two ticks per nanosecond: the odd tick is the sticky bit.
  using Ticks = __int128;

  // Parses a JSON number literal (already validated by the JSON reader).
  // Returns nullopt when the value lies outside [INT64_MIN, INT64_MAX]
  // seconds (1e400, 2^63, ...), so such claims are a type error, not a
  // wrapped-around date.
  static std::optional<NumericDate> Parse(absl::string_view number);

  // `t` truncated toward the past to a nanosecond (absl::Time is finer).
  static NumericDate FromTime(absl::Time t);
  static NumericDate FromUnixSeconds(int64_t seconds) {
    return NumericDate(seconds, 0, false);
  }

  int64_t seconds() const { return seconds_; }  // floor
  int32_t nanos() const { return nanos_; }      // [0, 1e9)
  bool sticky() const { return sticky_; }

  Ticks ticks() const {
    return (static_cast<Ticks>(seconds_) * 1000000000 + nanos_) * 2 +
           (sticky_ ? 1 : 0);
  }
  static Ticks DurationTicks(absl::Duration d) {
    return static_cast<Ticks>(absl::ToInt64Nanoseconds(d)) * 2;
  }

  // The nearest absl::Time at or below this date (saturating at the
  // infinities for dates absl::Time cannot hold).
  absl::Time ToTime() const;

 private:
  NumericDate(int64_t seconds, int32_t nanos, bool sticky)
      : seconds_(seconds), nanos_(nanos), sticky_(sticky) {}
  int64_t seconds_;
  int32_t nanos_;
  bool sticky_;
};

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_NUMERIC_DATE_H_
