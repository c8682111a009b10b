#include "common/token/numeric_date.h"

#include <limits>

namespace meshid {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Exponents beyond this make any nonzero mantissa out of range (or below a
// nanosecond), so larger ones are clamped instead of overflowing.
constexpr int64_t kExponentClamp = 100000;

}  // namespace

std::optional<NumericDate> NumericDate::Parse(absl::string_view number) {
  // Fast path: a plain non-negative integer of at most 18 digits (what every
  // issuer writes) cannot overflow int64 and needs no decimal scaling.
  if (!number.empty() && number.size() <= 18) {
    int64_t value = 0;
    bool plain = true;
    for (char c : number) {
      if (!IsDigit(c)) {
        plain = false;
        break;
      }
      value = value * 10 + (c - '0');
    }
    if (plain) return NumericDate(value, 0, false);
  }
  size_t i = 0;
  const bool negative = !number.empty() && number[0] == '-';
  if (negative) ++i;

  // The significant digits (integer and fraction parts, leading zeros
  // dropped) and the power of ten that scales them.
  char digits[64];
  size_t digit_count = 0;
  bool digits_overflowed_nonzero = false;  // nonzero digits beyond `digits`
  int64_t scale = 0;
  auto take_digit = [&](char c, bool fractional) {
    if (fractional) --scale;
    if (digit_count == 0 && c == '0') return;  // leading zero
    if (digit_count < sizeof(digits)) {
      digits[digit_count++] = c;
      return;
    }
    // Beyond 64 significant digits a value is either out of range (more
    // integer digits than int64 has) or differs only far below a
    // nanosecond, where "nonzero" is all that matters. The digit is not
    // stored, so it scales the stored ones up (or undoes the step above).
    if (c != '0') digits_overflowed_nonzero = true;
    ++scale;
  };
  for (; i < number.size() && IsDigit(number[i]); ++i) {
    take_digit(number[i], /*fractional=*/false);
  }
  if (i < number.size() && number[i] == '.') {
    for (++i; i < number.size() && IsDigit(number[i]); ++i) {
      take_digit(number[i], /*fractional=*/true);
    }
  }
  if (i < number.size() && (number[i] == 'e' || number[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < number.size() && (number[i] == '+' || number[i] == '-')) {
      exponent_negative = number[i] == '-';
      ++i;
    }
    int64_t exponent = 0;
    for (; i < number.size() && IsDigit(number[i]); ++i) {
      exponent = std::min(exponent * 10 + (number[i] - '0'), kExponentClamp);
    }
    scale += exponent_negative ? -exponent : exponent;
  }
  if (i != number.size()) return std::nullopt;  // not a number literal
  if (digit_count == 0) return NumericDate(0, 0, false);  // any spelling of 0
  scale = std::max(-kExponentClamp * 2, std::min(scale, kExponentClamp * 2));

  // value = 0.d1d2...dn * 10^(n + scale); `integer_digits` of them lie
  // before the decimal point.
  const int64_t integer_digits = static_cast<int64_t>(digit_count) + scale;
  if (digit_count > 0 && integer_digits > 19) return std::nullopt;

  uint64_t integer = 0;
  int64_t nanos = 0;
  bool sticky = digits_overflowed_nonzero;
  // Digit k (0-based) has position integer_digits - 1 - k above the point;
  // positions -1..-9 are the nanoseconds.
  auto digit_at = [&](int64_t position) -> int {
    const int64_t k = integer_digits - 1 - position;
    if (k < 0 || k >= static_cast<int64_t>(digit_count)) return 0;
    return digits[k] - '0';
  };
  for (int64_t position = integer_digits - 1; position >= 0; --position) {
    const uint64_t next = integer * 10 + digit_at(position);
    if (next / 10 != integer) return std::nullopt;  // beyond uint64
    integer = next;
  }
  for (int64_t position = -1; position >= -9; --position) {
    nanos = nanos * 10 + digit_at(position);
  }
  for (int64_t k = 0; k < static_cast<int64_t>(digit_count); ++k) {
    if (integer_digits - 1 - k < -9 && digits[k] != '0') sticky = true;
  }

  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  if (!negative || (integer == 0 && nanos == 0 && !sticky)) {
    if (integer > kMaxPositive) return std::nullopt;
    if (integer == kMaxPositive && (nanos != 0 || sticky)) return std::nullopt;
    return NumericDate(static_cast<int64_t>(integer),
                       static_cast<int32_t>(nanos), sticky);
  }
  // Negative: -(I + F) = -(I + 1) + (1 - F), keeping nanos in [0, 1e9).
  if (nanos == 0 && !sticky) {
    if (integer > kMaxPositive + 1) return std::nullopt;
    return NumericDate(static_cast<int64_t>(0 - integer), 0, false);
  }
  if (integer + 1 > kMaxPositive + 1) return std::nullopt;
  const int64_t seconds = static_cast<int64_t>(0 - (integer + 1));
  if (sticky) {
    return NumericDate(seconds, static_cast<int32_t>(999999999 - nanos), true);
  }
  return NumericDate(seconds, static_cast<int32_t>(1000000000 - nanos), false);
}

NumericDate NumericDate::FromTime(absl::Time t) {
  if (t == absl::InfiniteFuture()) {
    return NumericDate(std::numeric_limits<int64_t>::max(), 0, false);
  }
  if (t == absl::InfinitePast()) {
    return NumericDate(std::numeric_limits<int64_t>::min(), 0, false);
  }
  const int64_t seconds = absl::ToUnixSeconds(t);  // rounds toward the past
  const int64_t nanos =
      absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds));
  return NumericDate(seconds, static_cast<int32_t>(nanos), false);
}

absl::Time NumericDate::ToTime() const {
  return absl::FromUnixSeconds(seconds_) + absl::Nanoseconds(nanos_);
}

}  // namespace meshid
