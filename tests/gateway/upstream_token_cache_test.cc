// The gateway's own tokens: fetched once, refreshed before expiry, kept
// through failures until they really expire; never fetched by a reader.
#include "gateway/upstream_token_cache.h"

#include <deque>

#include "common/testing/fake_clock.h"
#include "gtest/gtest.h"

namespace meshid::gateway {
namespace {

class FakeFetcher final : public TokenFetcher {
 public:
  absl::StatusOr<FetchedToken> Fetch(const TokenRequestSpec& spec) override {
    ++fetches;
    last_audience = spec.audience;
    if (!replies.empty()) {
      absl::Status next = replies.front();
      replies.pop_front();
      if (!next.ok()) return next;
    }
    FetchedToken t;
    t.access_token = crypto::SecretBytes(spec.audience + "-token-" +
                                         std::to_string(fetches));
    t.lifetime = lifetime;
    return t;
  }
  int fetches = 0;
  std::string last_audience;
  absl::Duration lifetime = absl::Minutes(15);
  std::deque<absl::Status> replies;  // OK: a token; else that error
};

UpstreamTokenCacheOptions Options() {
  UpstreamTokenCacheOptions o;
  o.refresh_before_expiry = absl::Seconds(60);
  o.retry_backoff = {absl::Seconds(1), absl::Seconds(30), 2.0, 0.0};
  return o;
}

TEST(UpstreamTokenCacheTest, FirstRoundFetchesEverySlot) {
  FakeClock clock;
  FakeFetcher fetcher;
  UpstreamTokenCache cache(
      {{"resume-service", {}}, {"logging-service", {"logs:write"}}}, &fetcher,
      Options(), &clock);
  EXPECT_EQ(cache.Bearer(0, clock.Now()), nullptr);
  EXPECT_FALSE(cache.AllValid(clock.Now()));
  const absl::Time next = cache.RefreshDue(clock.Now());
  EXPECT_EQ(fetcher.fetches, 2);
  EXPECT_TRUE(cache.AllValid(clock.Now()));
  EXPECT_EQ(cache.Bearer(0, clock.Now())->bearer.view(),
            "Bearer resume-service-token-1");
  EXPECT_EQ(cache.Bearer(1, clock.Now())->bearer.view(),
            "Bearer logging-service-token-2");
  // Refreshed 60 s before the 15 min expiry.
  EXPECT_EQ(next, clock.Now() + absl::Minutes(14));
}

TEST(UpstreamTokenCacheTest, ReadersNeverFetch) {
  FakeClock clock;
  FakeFetcher fetcher;
  UpstreamTokenCache cache({{"a", {}}}, &fetcher, Options(), &clock);
  cache.RefreshDue(clock.Now());
  for (int i = 0; i < 1000; ++i)
    ASSERT_NE(cache.Bearer(0, clock.Now()), nullptr);
  EXPECT_EQ(fetcher.fetches, 1);
}

TEST(UpstreamTokenCacheTest, RefreshHappensBeforeExpiryAndReplacesTheToken) {
  FakeClock clock;
  FakeFetcher fetcher;
  UpstreamTokenCache cache({{"a", {}}}, &fetcher, Options(), &clock);
  cache.RefreshDue(clock.Now());
  clock.Advance(absl::Minutes(14) - absl::Seconds(1));
  cache.RefreshDue(clock.Now());
  EXPECT_EQ(fetcher.fetches, 1);  // not due yet
  clock.Advance(absl::Seconds(1));
  cache.RefreshDue(clock.Now());
  EXPECT_EQ(fetcher.fetches, 2);
  EXPECT_EQ(cache.Bearer(0, clock.Now())->bearer.view(), "Bearer a-token-2");
}

TEST(UpstreamTokenCacheTest, ShortLivedTokensRefreshAtHalfTheirLifetime) {
  FakeClock clock;
  FakeFetcher fetcher;
  fetcher.lifetime = absl::Seconds(40);
  UpstreamTokenCache cache({{"a", {}}}, &fetcher, Options(), &clock);
  EXPECT_EQ(cache.RefreshDue(clock.Now()), clock.Now() + absl::Seconds(20));
}

TEST(UpstreamTokenCacheTest, FailuresKeepTheOldTokenUntilItExpires) {
  FakeClock clock;
  FakeFetcher fetcher;
  UpstreamTokenCache cache({{"a", {}}}, &fetcher, Options(), &clock);
  cache.RefreshDue(clock.Now());
  const absl::Time expiry = clock.Now() + absl::Minutes(15);
  clock.Advance(absl::Minutes(14));
  fetcher.replies = {absl::UnavailableError("identity down"),
                     absl::UnavailableError("identity down")};
  absl::Time next = cache.RefreshDue(clock.Now());
  EXPECT_EQ(next, clock.Now() + absl::Seconds(1));   // retry with backoff
  EXPECT_NE(cache.Bearer(0, clock.Now()), nullptr);  // still the old one
  clock.Advance(absl::Seconds(1));
  next = cache.RefreshDue(clock.Now());
  EXPECT_EQ(next, clock.Now() + absl::Seconds(2));
  clock.Set(expiry);
  EXPECT_EQ(cache.Bearer(0, clock.Now()), nullptr);  // expired: not sent
  cache.RefreshDue(clock.Now());                     // identity is back
  EXPECT_EQ(cache.Bearer(0, clock.Now())->bearer.view(), "Bearer a-token-4");
}

}  // namespace
}  // namespace meshid::gateway
