// The proto edge: what an Append entry becomes, what a filter becomes, and
// the round trip back to LogEntry.
#include "logging/log_proto_convert.h"

#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging {
namespace {

using testing::BaseTime;
using testing::ValidRecord;

TEST(LogProtoConvertTest, RoundTrip) {
  LogRecord record = ValidRecord(3);
  record.id = 77;
  record.time += absl::Microseconds(123456);
  v1::LogEntry proto;
  ToProto(record, &proto);
  EXPECT_EQ(proto.id(), "77");
  EXPECT_EQ(proto.attributes().at("region"), "eu");
  ASSERT_OK_AND_ASSIGN(LogRecord back, RecordFromProto(proto, BaseTime()));
  back.id = record.id;
  back.service = record.service;  // set by the server, not the producer
  EXPECT_EQ(back, record);
}

TEST(LogProtoConvertTest, UnsetTimeIsTheReceiveTimeAndServiceIsIgnored) {
  v1::LogEntry proto;
  proto.set_service("pretending-to-be-someone");
  proto.set_level(v1::LOG_LEVEL_WARNING);
  proto.set_kind(v1::LOG_KIND_APP);
  const absl::Time now = BaseTime() + absl::Nanoseconds(1500);
  ASSERT_OK_AND_ASSIGN(LogRecord r, RecordFromProto(proto, now));
  EXPECT_EQ(r.time, BaseTime() + absl::Microseconds(1)) << "cut to the us";
  EXPECT_EQ(r.service, "");
  EXPECT_EQ(r.level, EntryLevel::kWarning);
}

TEST(LogProtoConvertTest, MalformedTimestampsAndDurationsAreRefused) {
  v1::LogEntry proto;
  proto.mutable_time()->set_nanos(1000000000);
  EXPECT_TRUE(
      absl::IsInvalidArgument(RecordFromProto(proto, BaseTime()).status()));
  proto.mutable_time()->set_nanos(-1);
  EXPECT_TRUE(
      absl::IsInvalidArgument(RecordFromProto(proto, BaseTime()).status()));
  proto.mutable_time()->set_nanos(0);
  proto.mutable_time()->set_seconds(253402300800);  // year 10000
  EXPECT_TRUE(
      absl::IsInvalidArgument(RecordFromProto(proto, BaseTime()).status()));
  proto.clear_time();
  proto.mutable_latency()->set_seconds(1);
  proto.mutable_latency()->set_nanos(-5);
  EXPECT_TRUE(
      absl::IsInvalidArgument(RecordFromProto(proto, BaseTime()).status()));
}

TEST(LogProtoConvertTest, FilterTimesRoundUpAndUnsetStaysUnset) {
  v1::LogFilter proto;
  ASSERT_OK_AND_ASSIGN(LogFilter empty, FilterFromProto(proto));
  EXPECT_FALSE(empty.start_time.has_value());
  EXPECT_FALSE(empty.end_time.has_value());
  proto.mutable_start_time()->set_seconds(1700000000);
  proto.mutable_start_time()->set_nanos(1);
  proto.set_level(v1::LOG_LEVEL_ERROR);
  proto.set_method_prefix("/meshid.keyadmin.v1.KeyAdmin/");
  ASSERT_OK_AND_ASSIGN(LogFilter f, FilterFromProto(proto));
  EXPECT_EQ(*f.start_time, BaseTime() + absl::Microseconds(1));
  EXPECT_EQ(f.min_level, EntryLevel::kError);
  EXPECT_EQ(f.method_prefix, "/meshid.keyadmin.v1.KeyAdmin/");
  v1::LogFilter back;
  ToProto(f, &back);
  EXPECT_EQ(back.start_time().nanos(), 1000);
}

}  // namespace
}  // namespace meshid::logging
