// Tables, field blocks, JSON lines and the formatting helpers.
#include "tools/meshctl/output.h"

#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"
#include "tools/meshctl/enum_names.h"

namespace meshid::meshctl {
namespace {

TEST(TableTest, AlignsColumnsAndDashesEmptyCells) {
  Table table({"KID", "STATE", "NOTE"});
  table.AddRow({"a", "ACTIVE", "x"});
  table.AddRow({"longer-kid", "", "last column is not padded"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(),
            "KID         STATE   NOTE\n"
            "a           ACTIVE  x\n"
            "longer-kid  -       last column is not padded\n");
}

TEST(TableTest, EscapesControlCharacters) {
  Table table({"A"});
  table.AddRow({"evil\n\x1b[31mred"});
  std::ostringstream out;
  table.Print(out);
  EXPECT_EQ(out.str(), "A\nevil\\x0a\\x1b[31mred\n");
}

TEST(FieldsTest, AlignsValues) {
  std::ostringstream out;
  PrintFields(out, {{"kid", "k1"}, {"created_at", ""}});
  EXPECT_EQ(out.str(), "kid:         k1\ncreated_at:  -\n");
}

TEST(JsonTest, OneLineWithProtoFieldNamesAndDefaults) {
  keyadmin::v1::Key key;
  key.set_kid("k1");
  key.set_created_by("admin");
  std::ostringstream out;
  ASSERT_TRUE(PrintJson(out, key).ok());
  EXPECT_THAT(out.str(), ::testing::StartsWith("{\"kid\":\"k1\","));
  EXPECT_THAT(out.str(), ::testing::HasSubstr("\"created_by\":\"admin\""));
  EXPECT_THAT(out.str(), ::testing::HasSubstr("\"revoke_reason\":\"\""));
  EXPECT_EQ(out.str().find('\n'), out.str().size() - 1);
}

TEST(FormatTest, TimesDurationsAndLists) {
  google::protobuf::Timestamp t;
  EXPECT_EQ(FormatTime(t), "-");
  t.set_seconds(1714564800);
  EXPECT_EQ(FormatTime(t), "2024-05-01T12:00:00Z");
  google::protobuf::Duration d;
  EXPECT_EQ(FormatDuration(d), "-");
  d.set_seconds(5400);
  EXPECT_EQ(FormatDuration(d), "1h30m");
  EXPECT_EQ(JoinOrDash({}), "-");
  EXPECT_EQ(JoinOrDash({"a", "b"}), "a,b");
}

TEST(EnumNamesTest, ShortNamesBothWays) {
  const auto* states = keyadmin::v1::KeyState_descriptor();
  EXPECT_EQ(EnumShortName(states, keyadmin::v1::KEY_STATE_REVOKED), "REVOKED");
  EXPECT_EQ(EnumShortName(states, 0), "-");
  EXPECT_EQ(EnumShortName(states, 99), "99");
  EXPECT_EQ(ParseEnumShortName(states, "pending"),
            keyadmin::v1::KEY_STATE_PENDING);
  EXPECT_EQ(ParseEnumShortName(states, "unspecified"), std::nullopt);
  EXPECT_EQ(ParseEnumShortName(states, ""), std::nullopt);
  EXPECT_EQ(EnumChoices(states), "pending|active|retired|expired|revoked");
  EXPECT_EQ(AlgorithmName(keyadmin::v1::KEY_ALGORITHM_EDDSA), "EdDSA");
  keyadmin::v1::KeySlot slot;
  slot.mutable_issuer()->set_alg(keyadmin::v1::KEY_ALGORITHM_ES256);
  EXPECT_EQ(SlotName(slot), "issuer:ES256");
}

}  // namespace
}  // namespace meshid::meshctl
