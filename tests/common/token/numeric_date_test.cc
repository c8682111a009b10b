#include "common/token/numeric_date.h"

#include "gtest/gtest.h"

namespace meshid {
namespace {

struct Expected {
  const char* literal;
  int64_t seconds;
  int32_t nanos;
  bool sticky;
};

TEST(NumericDateTest, ParsesExactly) {
  for (const Expected& e : std::initializer_list<Expected>{
           {"0", 0, 0, false},
           {"-0", 0, 0, false},
           {"0.0", 0, 0, false},
           {"1300819380", 1300819380, 0, false},
           {"1300819380.5", 1300819380, 500000000, false},
           {"1.30081938e9", 1300819380, 0, false},
           {"13008193805E-1", 1300819380, 500000000, false},
           {"1300819380.0000000001", 1300819380, 0, true},
           {"1300819380.123456789", 1300819380, 123456789, false},
           {"1300819380.1234567891", 1300819380, 123456789, true},
           {"-1", -1, 0, false},
           {"-1.5", -2, 500000000, false},
           {"-0.0000000001", -1, 999999999, true},
           {"9223372036854775807", INT64_MAX, 0, false},
           {"-9223372036854775808", INT64_MIN, 0, false},
           {"1e-400", 0, 0, true},
           {"0e400", 0, 0, false},
       }) {
    const std::optional<NumericDate> d = NumericDate::Parse(e.literal);
    ASSERT_TRUE(d.has_value()) << e.literal;
    EXPECT_EQ(d->seconds(), e.seconds) << e.literal;
    EXPECT_EQ(d->nanos(), e.nanos) << e.literal;
    EXPECT_EQ(d->sticky(), e.sticky) << e.literal;
  }
}

TEST(NumericDateTest, RejectsBeyondInt64) {
  for (const char* literal :
       {"9223372036854775808", "9223372036854775807.5", "-9223372036854775809",
        "-9223372036854775808.5", "1e19", "1e400", "-1e400",
        "123456789012345678901234567890", "1e99999999999999999999"}) {
    EXPECT_FALSE(NumericDate::Parse(literal).has_value()) << literal;
  }
}

TEST(NumericDateTest, OrdersExactlyAgainstNanosecondTimes) {
  const auto t =
      NumericDate::FromTime(absl::FromUnixSeconds(100) + absl::Nanoseconds(5));
  EXPECT_LT(NumericDate::Parse("100.000000004")->ticks(), t.ticks());
  EXPECT_EQ(NumericDate::Parse("100.000000005")->ticks(), t.ticks());
  EXPECT_GT(NumericDate::Parse("100.0000000050001")->ticks(), t.ticks());
  EXPECT_LT(NumericDate::Parse("100.0000000059999")->ticks(),
            NumericDate::Parse("100.000000006")->ticks());
}

TEST(NumericDateTest, FromTimeFloorsTowardThePast) {
  const auto d = NumericDate::FromTime(absl::FromUnixSeconds(-1) +
                                       absl::Milliseconds(250));
  EXPECT_EQ(d.seconds(), -1);
  EXPECT_EQ(d.nanos(), 250000000);
  EXPECT_EQ(NumericDate::FromTime(absl::InfiniteFuture()).seconds(), INT64_MAX);
}

}  // namespace
}  // namespace meshid
