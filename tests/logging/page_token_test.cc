// Page tokens: opaque, bound to their filter, refused when damaged; and
// the page size rule.
#include "logging/page_token.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "tests/testing/status_assertions.h"

namespace meshid::logging {
namespace {

LogFilter ServiceFilter(const std::string& service) {
  LogFilter f;
  f.service = service;
  return f;
}

TEST(PageTokenTest, RoundTrips) {
  const LogFilter filter = ServiceFilter("careergpt-backend");
  const PageCursor cursor{1700000000123456, 42};
  const std::string token = EncodePageToken(filter, cursor);
  EXPECT_LE(token.size(), kMaxPageTokenBytes);
  ASSERT_OK_AND_ASSIGN(std::optional<PageCursor> decoded,
                       DecodePageToken(token, filter));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, cursor);
  // Negative times (before 1970) survive too.
  const PageCursor old{-5, 7};
  ASSERT_OK_AND_ASSIGN(decoded,
                       DecodePageToken(EncodePageToken(filter, old), filter));
  EXPECT_EQ(*decoded, old);
}

TEST(PageTokenTest, EmptyTokenIsTheFirstPage) {
  ASSERT_OK_AND_ASSIGN(std::optional<PageCursor> decoded,
                       DecodePageToken("", LogFilter()));
  EXPECT_FALSE(decoded.has_value());
}

TEST(PageTokenTest, ATokenFromAnotherFilterIsInvalid) {
  const std::string token =
      EncodePageToken(ServiceFilter("a"), PageCursor{1, 2});
  const absl::StatusOr<std::optional<PageCursor>> other =
      DecodePageToken(token, ServiceFilter("b"));
  EXPECT_TRUE(absl::IsInvalidArgument(other.status()));
  EXPECT_TRUE(absl::StrContains(other.status().message(), "filter"))
      << other.status();
  LogFilter with_level = ServiceFilter("a");
  with_level.min_level = EntryLevel::kError;
  EXPECT_TRUE(
      absl::IsInvalidArgument(DecodePageToken(token, with_level).status()));
}

TEST(PageTokenTest, DamagedOrForeignTokensAreInvalid) {
  const LogFilter filter = ServiceFilter("a");
  std::string token = EncodePageToken(filter, PageCursor{1, 2});
  // One character changed anywhere: the digest no longer matches.
  for (size_t i = 0; i < token.size(); ++i) {
    std::string damaged = token;
    damaged[i] = damaged[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodePageToken(damaged, filter).ok()) << i;
  }
  for (const std::string& junk : {std::string("x"), std::string("not base64!"),
                                  token + "AA", std::string(200, 'A')}) {
    EXPECT_TRUE(absl::IsInvalidArgument(DecodePageToken(junk, filter).status()))
        << junk;
  }
}

TEST(PageSizeTest, ZeroIsDefaultLargeIsCappedNegativeIsInvalid) {
  ASSERT_OK_AND_ASSIGN(int size, EffectivePageSize(0));
  EXPECT_EQ(size, 100);
  ASSERT_OK_AND_ASSIGN(size, EffectivePageSize(1));
  EXPECT_EQ(size, 1);
  ASSERT_OK_AND_ASSIGN(size, EffectivePageSize(1000));
  EXPECT_EQ(size, 1000);
  ASSERT_OK_AND_ASSIGN(size, EffectivePageSize(1001));
  EXPECT_EQ(size, 1000);
  EXPECT_TRUE(absl::IsInvalidArgument(EffectivePageSize(-1).status()));
}

}  // namespace
}  // namespace meshid::logging
