// QueryThroughTextBlocks in plain C++: readers over memory that answer as
// the SQL does, and tiny read sizes so that every page takes many rounds
// and ends on the stop rule. Pages must equal a brute-force filter's.
#include "logging/store/text_block_search.h"

#include <algorithm>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/logging/log_test_util.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging {
namespace {

using testing::BaseTime;
using testing::ValidRecord;

int64_t Micros(const LogRecord& r) { return absl::ToUnixMicros(r.time); }

bool Newer(const LogRecord& a, const LogRecord& b) {
  return std::make_tuple(Micros(a), a.id) > std::make_tuple(Micros(b), b.id);
}

bool BeforeCursor(const LogQuery& q, const LogRecord& r) {
  return !q.after.has_value() ||
         std::make_tuple(Micros(r), r.id) <
             std::make_tuple(q.after->time_micros, q.after->id);
}

class TextBlockSearchTest : public ::testing::Test {
 protected:
  // Batches of random sizes, times rising with jitter and ties, messages
  // where "needle" is rare and "common" is not.
  void Fill(std::mt19937& rng, int count) {
    int64_t id = 1;
    while (static_cast<int>(entries_.size()) < count) {
      const int size = 1 + rng() % 100;
      std::vector<LogRecord> batch;
      std::vector<int64_t> ids;
      for (int i = 0; i < size; ++i) {
        const int n = static_cast<int>(entries_.size() + batch.size());
        std::string message = rng() % 3 ? "common words" : "other";
        if (rng() % 150 == 0) message += " needle";
        LogRecord r =
            ValidRecord(n / 10 + static_cast<int>(rng() % 5), message);
        r.id = id;
        r.service = absl::StrCat("svc-", rng() % 2);
        // Gaps in ids, as PostgreSQL's cached sequence leaves.
        id += 1 + (rng() % 20 == 0 ? 5 : 0);
        ids.push_back(r.id);
        batch.push_back(std::move(r));
      }
      ASSERT_OK_AND_ASSIGN(std::vector<TextBlock> blocks,
                           BuildTextBlocks(batch, ids));
      for (TextBlock& b : blocks) blocks_.push_back(std::move(b));
      for (LogRecord& r : batch) entries_.push_back(std::move(r));
    }
  }

  // As BuildBlockSummarySql's SELECT.
  std::vector<TextBlock> ReadBlocks(const LogQuery& q,
                                    const std::optional<BlockCursor>& after,
                                    int limit) const {
    std::vector<TextBlock> out;
    for (const TextBlock& b : blocks_) {
      const LogFilter& f = q.filter;
      if (f.start_time && b.max_time_us < absl::ToUnixMicros(*f.start_time)) {
        continue;
      }
      if (f.end_time && b.min_time_us >= absl::ToUnixMicros(*f.end_time)) {
        continue;
      }
      if (q.after && b.min_time_us > q.after->time_micros) continue;
      if (after && std::make_tuple(b.max_time_us, b.first_id) >=
                       std::make_tuple(after->max_time_us, after->first_id)) {
        continue;
      }
      out.push_back(b);
    }
    std::sort(out.begin(), out.end(),
              [](const TextBlock& a, const TextBlock& b) {
                return std::make_tuple(a.max_time_us, a.first_id) >
                       std::make_tuple(b.max_time_us, b.first_id);
              });
    if (out.size() > static_cast<size_t>(limit)) out.resize(limit);
    return out;
  }

  // As BuildQuerySql's SELECT with `within`.
  std::vector<LogRecord> ReadRows(const LogQuery& q,
                                  absl::Span<const TextBlock> within) const {
    std::vector<LogRecord> out;
    for (const LogRecord& r : entries_) {
      const bool inside =
          std::any_of(within.begin(), within.end(), [&](const TextBlock& b) {
            return Micros(r) >= b.min_time_us && Micros(r) <= b.max_time_us &&
                   r.id >= b.first_id && r.id <= b.last_id;
          });
      if (inside && Matches(q.filter, r) && BeforeCursor(q, r)) {
        out.push_back(r);
      }
    }
    std::sort(out.begin(), out.end(), Newer);
    if (out.size() > static_cast<size_t>(q.limit)) out.resize(q.limit);
    return out;
  }

  void ExpectPagesAgree(const LogFilter& filter, int page_size,
                        const TextSearchLimits& limits) {
    std::vector<LogRecord> expected;
    for (const LogRecord& r : entries_) {
      if (Matches(filter, r)) expected.push_back(r);
    }
    std::sort(expected.begin(), expected.end(), Newer);
    LogQuery q;
    q.filter = filter;
    q.limit = page_size;
    size_t position = 0;
    while (true) {
      ASSERT_OK_AND_ASSIGN(
          std::vector<LogRecord> page,
          QueryThroughTextBlocks(
              q,
              [&](const std::optional<BlockCursor>& after,
                  int limit) -> absl::StatusOr<std::vector<TextBlock>> {
                return ReadBlocks(q, after, limit);
              },
              [&](absl::Span<const TextBlock> within)
                  -> absl::StatusOr<std::vector<LogRecord>> {
                EXPECT_LE(within.size(),
                          static_cast<size_t>(limits.max_ranges_per_fetch));
                return ReadRows(q, within);
              },
              limits));
      ASSERT_EQ(page.size(),
                std::min<size_t>(page_size, expected.size() - position))
          << filter.text_contains << " page " << page_size;
      for (size_t i = 0; i < page.size(); ++i) {
        ASSERT_EQ(page[i].id, expected[position + i].id)
            << filter.text_contains << " at " << position + i;
      }
      position += page.size();
      if (page.size() < static_cast<size_t>(page_size)) break;
      q.after = PageCursor{Micros(page.back()), page.back().id};
    }
    EXPECT_EQ(position, expected.size());
  }

  std::vector<LogRecord> entries_;
  std::vector<TextBlock> blocks_;
};

TEST_F(TextBlockSearchTest, PagesEqualBruteForceWhateverTheReadSizes) {
  std::mt19937 rng(42);
  Fill(rng, 4000);
  for (int round = 0; round < 80; ++round) {
    LogFilter f;
    f.text_contains = round % 3 == 0 ? "common" : "needle";
    if (round % 4 == 1) f.service = "svc-1";
    if (round % 5 == 2) f.start_time = BaseTime() + absl::Seconds(rng() % 300);
    if (round % 7 == 3) f.end_time = BaseTime() + absl::Seconds(rng() % 400);
    TextSearchLimits limits;
    limits.blocks_per_read = 1 + rng() % 5;
    limits.max_blocks_per_read = limits.blocks_per_read + rng() % 5;
    limits.ranges_per_fetch = 1 + rng() % 4;
    limits.max_ranges_per_fetch = limits.ranges_per_fetch + rng() % 6;
    ExpectPagesAgree(f, 1 + rng() % 30, limits);
  }
}

TEST_F(TextBlockSearchTest, BlocksWithoutAFilterAreAlwaysRead) {
  std::mt19937 rng(3);
  Fill(rng, 1500);
  // The oldest third "stored before the blocks": one block, no filter, and
  // "needle" only there now.
  const size_t old = entries_.size() / 3;
  TextBlock legacy;
  legacy.first_id = entries_.front().id;
  legacy.last_id = entries_[old - 1].id;
  legacy.min_time_us = legacy.max_time_us = Micros(entries_.front());
  for (size_t i = 0; i < old; ++i) {
    entries_[i].message = i % 7 ? "old" : "old needle";
    legacy.min_time_us = std::min(legacy.min_time_us, Micros(entries_[i]));
    legacy.max_time_us = std::max(legacy.max_time_us, Micros(entries_[i]));
  }
  blocks_.erase(std::remove_if(blocks_.begin(), blocks_.end(),
                               [&](const TextBlock& b) {
                                 return b.last_id <= legacy.last_id;
                               }),
                blocks_.end());
  blocks_.push_back(legacy);
  LogFilter f;
  f.text_contains = "needle";
  ExpectPagesAgree(f, 9, TextSearchLimits{2, 4, 2, 3});
  ExpectPagesAgree(f, 500, TextSearchLimits());
}

TEST_F(TextBlockSearchTest, RefusesNonPositiveLimits) {
  LogQuery q;
  q.filter.text_contains = "abc";
  auto no_blocks = [](const std::optional<BlockCursor>&,
                      int) -> absl::StatusOr<std::vector<TextBlock>> {
    return std::vector<TextBlock>();
  };
  auto no_rows = [](absl::Span<const TextBlock>)
      -> absl::StatusOr<std::vector<LogRecord>> {
    return std::vector<LogRecord>();
  };
  q.limit = 0;
  EXPECT_FALSE(QueryThroughTextBlocks(q, no_blocks, no_rows).ok());
  q.limit = 5;
  EXPECT_FALSE(QueryThroughTextBlocks(q, no_blocks, no_rows,
                                      TextSearchLimits{0, 1, 1, 1})
                   .ok());
  EXPECT_TRUE(QueryThroughTextBlocks(q, no_blocks, no_rows).ok());
}

}  // namespace
}  // namespace meshid::logging
