// Filters: what a valid one is (Query and Tail), and what "matches" means.
#include "logging/log_filter.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"

namespace meshid::logging {
namespace {

using testing::BaseTime;
using testing::ValidRecord;

TEST(LogFilterTest, EmptyFilterIsValidAndMatchesEverything) {
  LogFilter f;
  EXPECT_TRUE(CheckQueryFilter(f).ok());
  EXPECT_TRUE(CheckTailFilter(f).ok());
  EXPECT_TRUE(Matches(f, ValidRecord()));
}

TEST(LogFilterTest, StartAfterEndIsInvalid) {
  LogFilter f;
  f.start_time = BaseTime() + absl::Seconds(1);
  f.end_time = BaseTime();
  const absl::Status status = CheckQueryFilter(f);
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_TRUE(absl::StrContains(status.message(), "start_time")) << status;
  f.end_time = f.start_time;  // an empty range is still a range
  EXPECT_TRUE(CheckQueryFilter(f).ok());
}

TEST(LogFilterTest, TailRefusesATimeRange) {
  LogFilter f;
  f.start_time = BaseTime();
  EXPECT_TRUE(CheckQueryFilter(f).ok());
  EXPECT_TRUE(absl::IsInvalidArgument(CheckTailFilter(f)));
  f = LogFilter();
  f.end_time = BaseTime();
  EXPECT_TRUE(absl::IsInvalidArgument(CheckTailFilter(f)));
}

TEST(LogFilterTest, BoundsOnFieldsAndEnums) {
  for (std::string LogFilter::*field :
       {&LogFilter::service, &LogFilter::subject, &LogFilter::method_prefix,
        &LogFilter::text_contains}) {
    LogFilter f;
    f.*field = std::string(256, 'x');
    EXPECT_TRUE(CheckQueryFilter(f).ok());
    f.*field = std::string(257, 'x');
    EXPECT_TRUE(absl::IsInvalidArgument(CheckQueryFilter(f)));
    f.*field = std::string("a\0", 2);
    EXPECT_TRUE(absl::IsInvalidArgument(CheckQueryFilter(f)));
  }
  LogFilter f;
  f.min_level = static_cast<EntryLevel>(9);
  EXPECT_TRUE(absl::IsInvalidArgument(CheckQueryFilter(f)));
  f = LogFilter();
  f.kind = static_cast<EntryKind>(4);
  EXPECT_TRUE(absl::IsInvalidArgument(CheckQueryFilter(f)));
}

TEST(LogFilterTest, EachConditionMatchesAsDocumented) {
  const LogRecord r = ValidRecord(10);  // INFO, ACCESS
  LogFilter f;
  f.start_time = r.time;
  EXPECT_TRUE(Matches(f, r)) << "start is inclusive";
  f.start_time = r.time + absl::Microseconds(1);
  EXPECT_FALSE(Matches(f, r));
  f = LogFilter();
  f.end_time = r.time;
  EXPECT_FALSE(Matches(f, r)) << "end is exclusive";
  f.end_time = r.time + absl::Microseconds(1);
  EXPECT_TRUE(Matches(f, r));

  f = LogFilter();
  f.service = "careergpt-backend";
  EXPECT_TRUE(Matches(f, r));
  f.service = "careergpt";
  EXPECT_FALSE(Matches(f, r)) << "service is exact";

  f = LogFilter();
  f.subject = "user-1";
  EXPECT_TRUE(Matches(f, r));
  f.subject = "USER-1";
  EXPECT_FALSE(Matches(f, r));

  f = LogFilter();
  f.min_level = EntryLevel::kDebug;
  EXPECT_TRUE(Matches(f, r)) << "a level matches itself and above";
  f.min_level = EntryLevel::kInfo;
  EXPECT_TRUE(Matches(f, r));
  f.min_level = EntryLevel::kWarning;
  EXPECT_FALSE(Matches(f, r));

  f = LogFilter();
  f.method_prefix = "/careergpt.v1.Resume/";
  EXPECT_TRUE(Matches(f, r));
  f.method_prefix = "/careergpt.v1.Resume/Get";
  EXPECT_TRUE(Matches(f, r)) << "a full method is a prefix of itself";
  f.method_prefix = "careergpt";
  EXPECT_FALSE(Matches(f, r));

  f = LogFilter();
  f.text_contains = "served";
  EXPECT_TRUE(Matches(f, r));
  f.text_contains = "Served";
  EXPECT_FALSE(Matches(f, r)) << "case-sensitive";

  f = LogFilter();
  f.kind = EntryKind::kAccess;
  EXPECT_TRUE(Matches(f, r));
  f.kind = EntryKind::kAudit;
  EXPECT_FALSE(Matches(f, r));
}

TEST(LogFilterTest, ConditionsCombineWithAnd) {
  const LogRecord r = ValidRecord();
  LogFilter f;
  f.service = "careergpt-backend";
  f.kind = EntryKind::kAccess;
  EXPECT_TRUE(Matches(f, r));
  f.subject = "someone-else";
  EXPECT_FALSE(Matches(f, r));
}

TEST(LogFilterTest, TimesRoundUpToTheMicrosecondEntriesKeep) {
  const absl::Time t = BaseTime() + absl::Microseconds(5);
  EXPECT_EQ(RoundUpToMicrosecond(t), t);
  EXPECT_EQ(RoundUpToMicrosecond(t + absl::Nanoseconds(1)),
            t + absl::Microseconds(1));
  EXPECT_EQ(RoundUpToMicrosecond(absl::FromUnixNanos(-1500)),
            absl::FromUnixMicros(-1));
}

TEST(LogFilterTest, CanonicalBytesDifferForDifferentFilters) {
  LogFilter a;
  a.service = "ab";
  a.subject = "c";
  LogFilter b;
  b.service = "a";
  b.subject = "bc";
  EXPECT_NE(CanonicalFilterBytes(a), CanonicalFilterBytes(b));
  LogFilter c = a;
  EXPECT_EQ(CanonicalFilterBytes(a), CanonicalFilterBytes(c));
  c.start_time = BaseTime();
  EXPECT_NE(CanonicalFilterBytes(a), CanonicalFilterBytes(c));
}

}  // namespace
}  // namespace meshid::logging
