#include "common/server/json_log.h"

#include <unistd.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "common/json/json_reader.h"
#include "common/testing/fake_clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace meshid::server {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;
using ::testing::SizeIs;

// Captures lines through the test sink; restores stderr on destruction.
class CapturedLog {
 public:
  CapturedLog() {
    SetLogSinkForTesting([this](absl::string_view line) {
      absl::MutexLock lock(&mu_);
      lines_.emplace_back(line);
    });
  }
  ~CapturedLog() {
    SetLogSinkForTesting(nullptr);
    SetMinLogLevel(LogLevel::kInfo);
    SetLogClockForTesting(nullptr);
  }
  std::vector<std::string> lines() const {
    absl::MutexLock lock(&mu_);
    return lines_;
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<std::string> lines_ ABSL_GUARDED_BY(mu_);
};

// The string value of member `name`, or "<missing>" / "<not a string>".
std::string Member(const json::JsonDocument& doc, absl::string_view name) {
  const json::JsonNode* node = doc.FindMember(doc.root(), name);
  if (node == nullptr) return "<missing>";
  if (node->type == json::JsonType::kString) return std::string(node->text);
  return absl::StrCat("<", static_cast<int>(node->type), ">",
                      std::string(node->text));
}

void ParseOrFail(absl::string_view line, json::JsonDocument* doc) {
  ASSERT_EQ(doc->Parse(line, json::JsonLimits{}), json::JsonError::kNone)
      << line;
  ASSERT_EQ(doc->root().type, json::JsonType::kObject) << line;
}

TEST(JsonLogTest, LineIsJsonWithStandardAndExplicitFields) {
  CapturedLog log;
  FakeClock clock(absl::FromUnixMillis(1700000000123));
  SetLogClockForTesting(&clock);
  SetLogServiceName("meshid-test");
  const std::string kid = "kid-1";
  Log(LogLevel::kWarning, "key.rotated",
      {{"kid", kid}, {"slot", 7}, {"size", size_t{32}}, {"fresh", true}});

  ASSERT_THAT(log.lines(), SizeIs(1));
  const std::string line = log.lines()[0];
  json::JsonDocument doc;
  ParseOrFail(line, &doc);
  EXPECT_EQ(Member(doc, "time"), "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(Member(doc, "level"), "warning");
  EXPECT_EQ(Member(doc, "service"), "meshid-test");
  EXPECT_EQ(Member(doc, "event"), "key.rotated");
  EXPECT_EQ(Member(doc, "kid"), "kid-1");
  // Numbers and bools are JSON numbers and bools, not strings.
  EXPECT_THAT(line, HasSubstr("\"slot\":7,\"size\":32,\"fresh\":true}"));
  // Members in a fixed order: time first, then level, service, event.
  EXPECT_THAT(line, MatchesRegex("\\{\"time\":.*,\"level\":.*,\"service\":.*,"
                                 "\"event\":.*"));
}

TEST(JsonLogTest, TimeIsRfc3339UtcWithMilliseconds) {
  CapturedLog log;
  Log(LogLevel::kInfo, "tick");
  const std::string line = log.lines().at(0);  // doc views into it
  json::JsonDocument doc;
  ParseOrFail(line, &doc);
  EXPECT_THAT(Member(doc, "time"),
              MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:"
                           "[0-9]{2}\\.[0-9]{3}Z"));
}

TEST(JsonLogTest, ValuesAreEscaped) {
  CapturedLog log;
  const std::string nasty =
      "say \"hi\"\nsecond line\\ tab\t bell\x07 \x1b[31mred";
  Log(LogLevel::kInfo, "evt\"\n", {{"value", nasty}, {"k\"ey\n", "v"}});
  const std::string line = log.lines().at(0);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_EQ(line.find('\x1b'), std::string::npos);
  json::JsonDocument doc;
  ParseOrFail(line, &doc);
  EXPECT_EQ(Member(doc, "value"), nasty);
  EXPECT_EQ(Member(doc, "event"), "evt\"\n");
  EXPECT_EQ(Member(doc, "k\"ey\n"), "v");
}

TEST(JsonLogTest, InvalidUtf8IsReplacedSoTheLineStaysValid) {
  CapturedLog log;
  Log(LogLevel::kInfo, "bytes",
      {{"value", "ok \xff\xfe end \xed\xa0\x80 \xc3\xa9"}});
  const std::string line = log.lines().at(0);  // doc views into it
  json::JsonDocument doc;
  ParseOrFail(line, &doc);
  EXPECT_EQ(Member(doc, "value"),
            "ok \xEF\xBF\xBD\xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD"
            "\xEF\xBF\xBD \xc3\xa9");
}

TEST(JsonLogTest, LongValuesAreCutAtACharacterBoundary) {
  CapturedLog log;
  std::string long_value;
  while (long_value.size() < 3 * kMaxLogValueBytes) long_value += "\xc3\xa9";
  Log(LogLevel::kInfo, "long", {{"value", long_value}});
  const std::string line = log.lines().at(0);  // doc views into it
  json::JsonDocument doc;
  ParseOrFail(line, &doc);
  const std::string value = Member(doc, "value");
  EXPECT_LE(value.size(), kMaxLogValueBytes + 3);
  EXPECT_GE(value.size(), kMaxLogValueBytes - 2);
  EXPECT_THAT(value, MatchesRegex("(\xc3\xa9)+\\.\\.\\."));
}

TEST(JsonLogTest, ReservedAndRepeatedNamesAreRenamed) {
  CapturedLog log;
  Log(LogLevel::kInfo, "evt",
      {{"time", "t"}, {"event", "e"}, {"kid", "a"}, {"kid", "b"}});
  const std::string line = log.lines().at(0);  // doc views into it
  json::JsonDocument doc;
  ParseOrFail(line, &doc);  // also proves: no duplicates
  EXPECT_EQ(Member(doc, "_time"), "t");
  EXPECT_EQ(Member(doc, "_event"), "e");
  EXPECT_EQ(Member(doc, "event"), "evt");
  EXPECT_EQ(Member(doc, "kid"), "a");
  EXPECT_EQ(Member(doc, "_kid"), "b");
}

TEST(JsonLogTest, FieldsNamingSecretsAreRedacted) {
  CapturedLog log;
  Log(LogLevel::kInfo, "oops",
      {{"client_secret", "s3cr3t-value"},
       {"Password", "hunter2"},
       {"authorization", "Bearer abc.def.ghi"}});
  const std::string line = log.lines().at(0);
  EXPECT_THAT(line, Not(HasSubstr("s3cr3t-value")));
  EXPECT_THAT(line, Not(HasSubstr("hunter2")));
  EXPECT_THAT(line, Not(HasSubstr("abc.def.ghi")));
  json::JsonDocument doc;
  ParseOrFail(line, &doc);
  EXPECT_EQ(Member(doc, "client_secret"), "[redacted]");
}

TEST(JsonLogTest, LinesBelowTheThresholdAreDropped) {
  CapturedLog log;
  Log(LogLevel::kDebug, "hidden");
  SetMinLogLevel(LogLevel::kDebug);
  EXPECT_EQ(MinLogLevel(), LogLevel::kDebug);
  Log(LogLevel::kDebug, "shown");
  SetMinLogLevel(LogLevel::kError);
  Log(LogLevel::kWarning, "hidden");
  Log(LogLevel::kError, "shown");
  const auto lines = log.lines();
  ASSERT_THAT(lines, SizeIs(2));
  EXPECT_THAT(lines[0], HasSubstr("\"level\":\"debug\""));
  EXPECT_THAT(lines[1], HasSubstr("\"level\":\"error\""));
}

TEST(JsonLogTest, ParsesLevelNames) {
  LogLevel level;
  ASSERT_TRUE(ParseLogLevel("warning", &level));
  EXPECT_EQ(level, LogLevel::kWarning);
  EXPECT_FALSE(ParseLogLevel("WARN", &level));
  for (LogLevel l : {LogLevel::kDebug, LogLevel::kInfo, LogLevel::kWarning,
                     LogLevel::kError}) {
    ASSERT_TRUE(ParseLogLevel(LogLevelName(l), &level));
    EXPECT_EQ(level, l);
  }
}

// Many threads write to the real stderr (redirected to a file here): every
// line must come out whole, one JSON object per line.
TEST(JsonLogTest, ConcurrentStderrLinesDoNotInterleave) {
  std::FILE* file = std::tmpfile();
  ASSERT_NE(file, nullptr);
  const int saved_stderr = ::dup(STDERR_FILENO);
  ASSERT_GE(saved_stderr, 0);
  ASSERT_GE(::dup2(::fileno(file), STDERR_FILENO), 0);

  constexpr int kThreads = 8;
  constexpr int kLinesPerThread = 200;
  const std::string padding(1500, 'x');  // lines beyond one small write
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &padding] {
      for (int i = 0; i < kLinesPerThread; ++i) {
        Log(LogLevel::kInfo, "concurrent",
            {{"thread", t}, {"i", i}, {"padding", padding}});
      }
    });
  }
  for (auto& thread : threads) thread.join();

  ::fflush(stderr);
  ::dup2(saved_stderr, STDERR_FILENO);
  ::close(saved_stderr);
  std::string contents;
  std::rewind(file);
  char buf[8192];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), file)) > 0)
    contents.append(buf, n);
  std::fclose(file);

  std::vector<absl::string_view> lines =
      absl::StrSplit(contents, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(kThreads * kLinesPerThread));
  json::JsonDocument doc;
  for (absl::string_view line : lines) ParseOrFail(line, &doc);
}

TEST(JsonLogTest, FormatLogLineMatchesWhatLogWrites) {
  CapturedLog log;
  FakeClock clock;
  SetLogClockForTesting(&clock);
  Log(LogLevel::kInfo, "same", {{"a", 1}});
  EXPECT_EQ(log.lines().at(0),
            FormatLogLine(clock.Now(), LogLevel::kInfo, "same", {{"a", 1}}));
}

}  // namespace
}  // namespace meshid::server
