// Entry limits exactly as log.proto documents them: each bound accepted at
// the limit and refused one past it; plus what the store must be able to
// keep (UTF-8 without NUL, times in 1..9999) and what makes sense.
#include "logging/entry_limits.h"

#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"

namespace meshid::logging {
namespace {

using testing::ValidRecord;

TEST(EntryLimitsTest, AValidEntryPasses) {
  EXPECT_TRUE(CheckEntry(ValidRecord()).ok());
  LogRecord minimal;
  minimal.level = EntryLevel::kDebug;
  minimal.kind = EntryKind::kApp;
  EXPECT_TRUE(CheckEntry(minimal).ok()) << "every string may be empty";
}

TEST(EntryLimitsTest, MessageUpTo8KiB) {
  LogRecord r = ValidRecord();
  r.message = std::string(8 * 1024, 'm');
  EXPECT_TRUE(CheckEntry(r).ok());
  r.message.push_back('m');
  const absl::Status status = CheckEntry(r);
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_TRUE(absl::StrContains(status.message(), "message")) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), "mmmm")) << "no echo";
}

TEST(EntryLimitsTest, AtMost32Attributes) {
  LogRecord r = ValidRecord();
  r.attributes.clear();
  for (int i = 0; i < 32; ++i) {
    r.attributes.emplace_back(absl::StrCat("k", 100 + i), "v");
  }
  EXPECT_TRUE(CheckEntry(r).ok());
  r.attributes.emplace_back("k999", "v");
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
}

TEST(EntryLimitsTest, AttributeKeysOneTo64Bytes) {
  LogRecord r = ValidRecord();
  r.attributes = {{std::string(64, 'k'), "v"}};
  EXPECT_TRUE(CheckEntry(r).ok());
  r.attributes = {{std::string(65, 'k'), "v"}};
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r.attributes = {{"", "v"}};
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
}

TEST(EntryLimitsTest, AttributeValuesUpTo1KiB) {
  LogRecord r = ValidRecord();
  r.attributes = {{"k", std::string(1024, 'v')}};
  EXPECT_TRUE(CheckEntry(r).ok());
  r.attributes = {{"k", std::string(1025, 'v')}};
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r.attributes = {{"k", ""}};
  EXPECT_TRUE(CheckEntry(r).ok());
}

TEST(EntryLimitsTest, EveryOtherStringUpTo256Bytes) {
  for (std::string LogRecord::*field :
       {&LogRecord::service, &LogRecord::subject, &LogRecord::client_id,
        &LogRecord::method, &LogRecord::peer}) {
    LogRecord r = ValidRecord();
    r.*field = std::string(256, 's');
    EXPECT_TRUE(CheckEntry(r).ok());
    r.*field = std::string(257, 's');
    EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  }
}

TEST(EntryLimitsTest, LevelAndKindMustBeSet) {
  LogRecord r = ValidRecord();
  r.level = EntryLevel::kUnspecified;
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.kind = EntryKind::kUnspecified;
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  // Numbers a newer client might send.
  r = ValidRecord();
  r.level = static_cast<EntryLevel>(5);
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.kind = static_cast<EntryKind>(-1);
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
}

TEST(EntryLimitsTest, TextMustBeStorable) {
  LogRecord r = ValidRecord();
  r.message = std::string("a\0b", 3);
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.subject = "\xC3\x28";  // invalid UTF-8
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.attributes = {{"k\xFF", "v"}};
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.message = "caf\xC3\xA9 \xF0\x9F\x99\x82";  // UTF-8 is fine
  EXPECT_TRUE(CheckEntry(r).ok());
}

TEST(EntryLimitsTest, SaneStatusLatencyAndTime) {
  LogRecord r = ValidRecord();
  r.status_code = 16;
  EXPECT_TRUE(CheckEntry(r).ok());
  r.status_code = 17;
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.status_code = -1;
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.latency = -absl::Nanoseconds(1);
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r = ValidRecord();
  r.time = absl::InfiniteFuture();
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
  r.time = absl::FromCivil(absl::CivilSecond(10000, 1, 1, 0, 0, 0),
                           absl::UTCTimeZone());
  EXPECT_TRUE(absl::IsInvalidArgument(CheckEntry(r)));
}

TEST(EntryLimitsTest, AnAppendCarriesOneTo1000Entries) {
  EXPECT_TRUE(CheckAppendSize(1).ok());
  EXPECT_TRUE(CheckAppendSize(1000).ok());
  const absl::Status too_many = CheckAppendSize(1001);
  EXPECT_TRUE(absl::IsInvalidArgument(too_many));
  EXPECT_TRUE(absl::StrContains(too_many.message(), "nothing was stored"))
      << too_many;
  EXPECT_TRUE(absl::IsInvalidArgument(CheckAppendSize(0)));
}

}  // namespace
}  // namespace meshid::logging
