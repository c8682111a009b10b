// Flags: single, boolean and repeated flags, and error messages that name
// the flag without quoting its value.
#include "tools/meshctl/command_line.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshid::meshctl {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(FlagsTest, ParsesValueBoolAndRepeatedFlags) {
  absl::StatusOr<Flags> flags =
      Flags::Parse({"--id", "svc-a", "--json", "--audience=api=read,write",
                    "--audience", "logs", "--name="},
                   {"id", "name"}, {"json"}, {"audience"});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->Get("id"), "svc-a");
  EXPECT_TRUE(flags->Has("json"));
  EXPECT_TRUE(flags->Has("audience"));
  EXPECT_THAT(flags->GetAll("audience"), ElementsAre("api=read,write", "logs"));
  EXPECT_THAT(flags->GetAll("scope"), ElementsAre());
  EXPECT_EQ(flags->Get("name"), "");
  EXPECT_FALSE(flags->Required("name").ok());  // given, but empty
  EXPECT_EQ(*flags->Required("id"), "svc-a");
}

TEST(FlagsTest, RejectsRepeatsUnknownFlagsAndMissingValues) {
  EXPECT_FALSE(Flags::Parse({"--id", "a", "--id", "b"}, {"id"}, {}).ok());
  EXPECT_FALSE(Flags::Parse({"--id"}, {"id"}, {}).ok());
  EXPECT_FALSE(Flags::Parse({"--json=true"}, {}, {"json"}).ok());
  EXPECT_FALSE(Flags::Parse({"positional"}, {"id"}, {}).ok());
  EXPECT_FALSE(Flags::Parse({"--"}, {"id"}, {}).ok());
}

TEST(FlagsTest, UnknownFlagErrorDoesNotQuoteTheValue) {
  absl::StatusOr<Flags> flags =
      Flags::Parse({"--client-secret=hunter2-very-secret"}, {"id"}, {});
  ASSERT_FALSE(flags.ok());
  EXPECT_THAT(flags.status().message(), HasSubstr("--client-secret"));
  EXPECT_THAT(flags.status().message(), Not(HasSubstr("hunter2")));
}

TEST(FlagsTest, StrayValueIsNotQuotedButAMistypedFlagIs) {
  absl::StatusOr<Flags> flags =
      Flags::Parse({"--id", "a", "pasted-secret-value"}, {"id"}, {});
  ASSERT_FALSE(flags.ok());
  EXPECT_EQ(flags.status().message(),
            "unexpected argument #3: values follow their --flag");
  flags = Flags::Parse({"-json"}, {}, {"json"});
  ASSERT_FALSE(flags.ok());
  EXPECT_THAT(flags.status().message(), HasSubstr("'-json'"));
}

TEST(FlagsTest, IntFlag) {
  absl::StatusOr<Flags> flags =
      Flags::Parse({"--limit", "12", "--now", "x"}, {"limit", "now"}, {});
  ASSERT_TRUE(flags.ok());
  EXPECT_EQ(**flags->Int("limit"), 12);
  EXPECT_FALSE(flags->Int("now").ok());
  EXPECT_FALSE(flags->Int("absent")->has_value());
}

}  // namespace
}  // namespace meshid::meshctl
