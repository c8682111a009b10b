// Query's rules: pages newest first, tokens that lead through every match
// exactly once, the last page known as the last, bad requests refused.
#include "logging/log_reader.h"

#include <set>

#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"
#include "tests/logging/memory_log_store.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging {
namespace {

using testing::MemoryLogStore;
using testing::ValidRecord;

class LogReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<LogRecord> batch;
    // 25 entries, several sharing a time so ids break the ties.
    for (int i = 0; i < 25; ++i) {
      LogRecord r = ValidRecord(i / 3, "entry " + std::to_string(i));
      r.level = i % 2 == 0 ? EntryLevel::kError : EntryLevel::kInfo;
      batch.push_back(r);
    }
    ASSERT_OK(store_.Append(batch));
  }

  MemoryLogStore store_;
  LogReader reader_{&store_};
};

TEST_F(LogReaderTest, PagesCoverEveryMatchOnceNewestFirst) {
  LogFilter filter;
  filter.min_level = EntryLevel::kError;  // 13 of them
  std::string token;
  std::vector<LogRecord> seen;
  int pages = 0;
  do {
    ASSERT_OK_AND_ASSIGN(QueryPage page, reader_.Read(filter, 5, token));
    ++pages;
    for (LogRecord& r : page.entries) seen.push_back(std::move(r));
    token = page.next_page_token;
  } while (!token.empty());
  EXPECT_EQ(pages, 3) << "5 + 5 + 3, and no empty fourth page";
  ASSERT_EQ(seen.size(), 13u);
  std::set<int64_t> ids;
  for (size_t i = 0; i < seen.size(); ++i) {
    ids.insert(seen[i].id);
    EXPECT_EQ(seen[i].level, EntryLevel::kError);
    if (i > 0) {
      EXPECT_GT(std::make_pair(seen[i - 1].time, seen[i - 1].id),
                std::make_pair(seen[i].time, seen[i].id));
    }
  }
  EXPECT_EQ(ids.size(), 13u);
}

TEST_F(LogReaderTest, AnExactlyFullLastPageHasNoToken) {
  ASSERT_OK_AND_ASSIGN(QueryPage page, reader_.Read(LogFilter(), 25, ""));
  EXPECT_EQ(page.entries.size(), 25u);
  EXPECT_TRUE(page.next_page_token.empty());
}

TEST_F(LogReaderTest, BadRequestsAreInvalidArgument) {
  LogFilter bad;
  bad.start_time = testing::BaseTime() + absl::Seconds(1);
  bad.end_time = testing::BaseTime();
  EXPECT_TRUE(absl::IsInvalidArgument(reader_.Read(bad, 5, "").status()));
  EXPECT_TRUE(
      absl::IsInvalidArgument(reader_.Read(LogFilter(), -1, "").status()));
  ASSERT_OK_AND_ASSIGN(QueryPage page, reader_.Read(LogFilter(), 5, ""));
  LogFilter other;
  other.service = "other";
  EXPECT_TRUE(absl::IsInvalidArgument(
      reader_.Read(other, 5, page.next_page_token).status()));
}

}  // namespace
}  // namespace meshid::logging
