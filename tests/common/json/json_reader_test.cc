#include "common/json/json_reader.h"

#include <string>

#include "common/json/json_writer.h"
#include "gtest/gtest.h"

namespace meshid::json {
namespace {

JsonError ParseError(absl::string_view text, JsonLimits limits = {}) {
  JsonDocument doc;
  return doc.Parse(text, limits);
}

TEST(JsonReaderTest, ReadsAllTypes) {
  JsonDocument doc;
  ASSERT_EQ(doc.Parse(R"( {"s":"a\u00e9\n","n":-1.5e3,"t":true,"f":false,)"
                      R"("z":null,"a":[1,{"k":"v"}],"o":{}} )",
                      JsonLimits{}),
            JsonError::kNone);
  const JsonNode& root = doc.root();
  ASSERT_EQ(root.type, JsonType::kObject);
  EXPECT_EQ(root.count, 7u);
  EXPECT_EQ(doc.FindMember(root, "s")->text, "a\xc3\xa9\n");
  EXPECT_EQ(doc.FindMember(root, "n")->text, "-1.5e3");
  EXPECT_TRUE(doc.FindMember(root, "t")->bool_value);
  EXPECT_EQ(doc.FindMember(root, "f")->type, JsonType::kBool);
  EXPECT_EQ(doc.FindMember(root, "z")->type, JsonType::kNull);
  const JsonNode* a = doc.FindMember(root, "a");
  ASSERT_EQ(a->type, JsonType::kArray);
  EXPECT_EQ(a->count, 2u);
  const JsonNode* first = doc.FirstChild(*a);
  EXPECT_EQ(first->text, "1");
  const JsonNode* second = doc.NextSibling(*a, first);
  EXPECT_EQ(doc.FindMember(*second, "k")->text, "v");
  EXPECT_EQ(doc.NextSibling(*a, second), nullptr);
  EXPECT_EQ(doc.FindMember(root, "o")->count, 0u);
  EXPECT_EQ(doc.FindMember(root, "missing"), nullptr);
}

TEST(JsonReaderTest, SurrogatePairsDecode) {
  JsonDocument doc;
  ASSERT_EQ(doc.Parse(R"(["\ud83d\ude00"])", JsonLimits{}), JsonError::kNone);
  EXPECT_EQ(doc.FirstChild(doc.root())->text, "\xf0\x9f\x98\x80");
}

TEST(JsonReaderTest, RejectsDuplicateMembersAtAnyDepth) {
  EXPECT_EQ(ParseError(R"({"a":1,"a":2})"), JsonError::kDuplicateMember);
  EXPECT_EQ(ParseError(R"({"x":{"a":1,"b":2,"a":3}})"),
            JsonError::kDuplicateMember);
  EXPECT_EQ(ParseError(R"([{"a":1},{"a":1,"a":1}])"),
            JsonError::kDuplicateMember);
  // Escapes are compared after unescaping: "\u0061" is "a".
  EXPECT_EQ(ParseError(R"({"a":1,"\u0061":2})"), JsonError::kDuplicateMember);
  // Large objects take the sorting path.
  std::string big = "{";
  for (int i = 0; i < 20; ++i) big += "\"k" + std::to_string(i) + "\":0,";
  EXPECT_EQ(ParseError(big + "\"k7\":1}"), JsonError::kDuplicateMember);
  EXPECT_EQ(ParseError(big + "\"k70\":1}"), JsonError::kNone);
  // Same names in sibling objects are fine.
  EXPECT_EQ(ParseError(R"([{"a":1},{"a":1}])"), JsonError::kNone);
}

TEST(JsonReaderTest, DepthLimitIsExact) {
  JsonLimits limits;
  limits.max_depth = 32;
  auto nested = [](int depth) {
    return std::string(depth, '[') + std::string(depth, ']');
  };
  EXPECT_EQ(ParseError(nested(32), limits), JsonError::kNone);
  EXPECT_EQ(ParseError(nested(33), limits), JsonError::kTooDeep);
  EXPECT_EQ(ParseError(nested(100000), limits), JsonError::kTooLarge);
  limits.max_input_bytes = 1 << 20;
  EXPECT_EQ(ParseError(nested(100000), limits), JsonError::kTooDeep);
}

TEST(JsonReaderTest, SizeAndValueLimits) {
  JsonLimits limits;
  limits.max_input_bytes = 10;
  EXPECT_EQ(ParseError("[1,2,3,4,5]", limits), JsonError::kTooLarge);
  limits.max_input_bytes = 100;
  limits.max_values = 4;
  EXPECT_EQ(ParseError("[1,2,3]", limits), JsonError::kNone);
  EXPECT_EQ(ParseError("[1,2,3,4]", limits), JsonError::kTooManyValues);
}

TEST(JsonReaderTest, RejectsNonJson) {
  for (const char* bad : {
           "",
           " ",
           "{",
           "}",
           "{\"a\"}",
           "{\"a\":}",
           "{\"a\":1,}",
           "[1,]",
           "[,1]",
           "{a:1}",
           "{'a':1}",
           "01",
           "-",
           "1.",
           ".5",
           "1e",
           "+1",
           "NaN",
           "Infinity",
           "-Infinity",
           "tru",
           "nul",
           "True",
           "[1]x",
           "{\"a\":1}{}",
           "\"\\x41\"",
           "\"\\u12\"",
           "\"\\ud800\"",
           "\"\\udc00\"",
           "\"\\ud800\\u0041\"",
           "\"a\nb\"",
           "\"tab\there\"",
           "/*c*/1",
           "[1]//",
           "\"\xc3\"",
           "\"\xc0\xaf\"",
           "\"\xed\xa0\x80\"",
           "\"\xf4\x90\x80\x80\"",
           "\"\xff\"",
           "\"unterminated",
       }) {
    EXPECT_EQ(ParseError(bad), JsonError::kSyntax) << bad;
  }
}

TEST(JsonReaderTest, AcceptsNumbersOfTheGrammar) {
  for (const char* good :
       {"0", "-0", "1", "-1", "1.5", "1e5", "1E+5", "1e-5",
        "123456789012345678901234567890", "1e400", "0.000001"}) {
    EXPECT_EQ(ParseError(good), JsonError::kNone) << good;
  }
}

TEST(JsonReaderTest, DocumentIsReusable) {
  JsonDocument doc;
  ASSERT_EQ(doc.Parse(R"({"a":"\n"})", JsonLimits{}), JsonError::kNone);
  ASSERT_EQ(doc.Parse(R"({"b":"\t"})", JsonLimits{}), JsonError::kNone);
  EXPECT_EQ(doc.FindMember(doc.root(), "a"), nullptr);
  EXPECT_EQ(doc.FindMember(doc.root(), "b")->text, "\t");
  EXPECT_NE(doc.Parse("[", JsonLimits{}), JsonError::kNone);
  EXPECT_TRUE(doc.empty());
}

TEST(JsonWriterTest, EscapesAndRoundTrips) {
  std::string out;
  ObjectWriter(&out)
      .String("s", std::string("q\"b\\n\n\x01", 7))
      .Int("i", -42)
      .Bool("b", true)
      .StringArray("a", std::vector<std::string>{"x", "y"})
      .Close();
  EXPECT_EQ(out, R"({"s":"q\"b\\n\n\u0001","i":-42,"b":true,"a":["x","y"]})");
  JsonDocument doc;
  ASSERT_EQ(doc.Parse(out, JsonLimits{}), JsonError::kNone);
  EXPECT_EQ(doc.FindMember(doc.root(), "s")->text,
            std::string("q\"b\\n\n\x01", 7));
}

}  // namespace
}  // namespace meshid::json
