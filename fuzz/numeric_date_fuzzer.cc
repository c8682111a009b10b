// fuzz-link: meshid_common
//
// NumericDate::Parse (common/token/numeric_date.h), the arithmetic behind
// every exp/nbf/iat check, against a reference written differently: the
// literal's digits are moved around as a string (no scaling, no clamps, no
// 64-digit window) and the integer, nanosecond and sticky parts read off.
// Both must agree on every JSON number, including out-of-range ones. The
// token targets reach Parse only through a signature, at a few hundred
// inputs a second; here it runs at full speed.
//
// Input: any bytes; only those the JSON reader accepts as one number are
// used, since Parse requires a validated literal.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "common/json/json_reader.h"
#include "common/token/numeric_date.h"
#include "fuzz/fuzz_check.h"

namespace {

struct Expected {
  int64_t seconds;
  int32_t nanos;
  bool sticky;
};

// Exact floor of the literal to a nanosecond, or nullopt outside int64
// seconds.
std::optional<Expected> Reference(const std::string& literal) {
  size_t i = 0;
  const bool negative = literal[0] == '-';
  if (negative) ++i;
  std::string digits;
  int64_t point = 0;  // digits[0, point) is the integer part
  for (; i < literal.size() && literal[i] >= '0' && literal[i] <= '9'; ++i) {
    digits += literal[i];
    ++point;
  }
  if (i < literal.size() && literal[i] == '.') {
    for (++i; i < literal.size() && literal[i] >= '0' && literal[i] <= '9';
         ++i) {
      digits += literal[i];
    }
  }
  if (i < literal.size()) {  // exponent; saturated far beyond any effect
    ++i;
    const bool minus = literal[i] == '-';
    if (literal[i] == '+' || literal[i] == '-') ++i;
    int64_t e = 0;
    for (; i < literal.size(); ++i) {
      e = std::min<int64_t>(e * 10 + (literal[i] - '0'), 1000000000);
    }
    point += minus ? -e : e;
  }
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Expected{0, 0, false};
  digits.erase(0, first);
  point -= static_cast<int64_t>(first);
  digits.erase(digits.find_last_not_of('0') + 1);
  if (point > 19) return std::nullopt;  // >= 10^19 > INT64_MAX

  unsigned __int128 integer = 0;
  for (int64_t k = 0; k < point; ++k) {
    integer = integer * 10 +
              (k < static_cast<int64_t>(digits.size()) ? digits[k] - '0' : 0);
  }
  std::string fraction;  // the digits after the point
  if (point < 0) {
    // Nonzero but below 10^-20: just above zero, or just below it.
    if (point < -20) {
      return negative ? Expected{-1, 999999999, true} : Expected{0, 0, true};
    }
    fraction = std::string(static_cast<size_t>(-point), '0') + digits;
  } else if (point < static_cast<int64_t>(digits.size())) {
    fraction = digits.substr(static_cast<size_t>(point));
  }
  fraction.resize(std::max<size_t>(fraction.size(), 9), '0');
  int32_t nanos = 0;
  for (int k = 0; k < 9; ++k) nanos = nanos * 10 + (fraction[k] - '0');
  const bool sticky = fraction.find_first_not_of('0', 9) != std::string::npos;

  const unsigned __int128 max = std::numeric_limits<int64_t>::max();
  if (!negative) {
    if (integer > max || (integer == max && (nanos != 0 || sticky))) {
      return std::nullopt;
    }
    return Expected{static_cast<int64_t>(integer), nanos, sticky};
  }
  if (nanos == 0 && !sticky) {  // -I exactly
    if (integer > max + 1) return std::nullopt;
    return Expected{static_cast<int64_t>(-static_cast<__int128>(integer)), 0,
                    false};
  }
  // -(I + f) = -(I + 1) + (1 - f)
  if (integer + 1 > max + 1) return std::nullopt;
  const int64_t seconds =
      static_cast<int64_t>(-static_cast<__int128>(integer + 1));
  if (sticky) return Expected{seconds, 999999999 - nanos, true};
  return Expected{seconds, 1000000000 - nanos, false};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  meshid::json::JsonDocument doc;
  if (doc.Parse(absl::string_view(reinterpret_cast<const char*>(data), size),
                meshid::json::JsonLimits{}) != meshid::json::JsonError::kNone ||
      doc.root().type != meshid::json::JsonType::kNumber) {
    return 0;
  }
  const std::string literal(doc.root().text);
  const std::optional<meshid::NumericDate> got =
      meshid::NumericDate::Parse(literal);
  const std::optional<Expected> want = Reference(literal);
  FUZZ_CHECK(got.has_value() == want.has_value());
  if (!got.has_value()) return 0;
  FUZZ_CHECK(got->seconds() == want->seconds);
  FUZZ_CHECK(got->nanos() == want->nanos);
  FUZZ_CHECK(got->sticky() == want->sticky);
  FUZZ_CHECK(got->nanos() >= 0 && got->nanos() < 1000000000);
  return 0;
}
