#include "gateway/upstream_token_cache.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/server/json_log.h"

namespace meshid::gateway {
namespace {

using server::Log;
using server::LogLevel;

// The wait between refresh rounds when nothing is due sooner, so a clock
// that jumps is noticed.
constexpr absl::Duration kMaxIdleWait = absl::Seconds(1);

}  // namespace

UpstreamTokenCache::UpstreamTokenCache(std::vector<TokenRequestSpec> specs,
                                       TokenFetcher* fetcher,
                                       UpstreamTokenCacheOptions options,
                                       const Clock* clock)
    : fetcher_(fetcher),
      options_(std::move(options)),
      clock_(clock != nullptr ? clock : SystemClock::Get()) {
  slots_.resize(specs.size());
  for (size_t i = 0; i < specs.size(); ++i) {
    slots_[i].spec = std::move(specs[i]);
    slots_[i].backoff =
        std::make_unique<keyset::Backoff>(options_.retry_backoff);
  }
}

UpstreamTokenCache::~UpstreamTokenCache() { Stop(); }

std::shared_ptr<const CachedToken> UpstreamTokenCache::Bearer(
    size_t slot, absl::Time now) const {
  std::shared_ptr<const CachedToken> token =
      std::atomic_load(&slots_[slot].token);
  if (token == nullptr || now >= token->expires_at) return nullptr;
  return token;
}

bool UpstreamTokenCache::AllValid(absl::Time now) const {
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (Bearer(i, now) == nullptr) return false;
  }
  return true;
}

absl::Time UpstreamTokenCache::RefreshDue(absl::Time now) {
  absl::Time next = absl::InfiniteFuture();
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (now >= slots_[i].due) RefreshSlot(i, now);
    next = std::min(next, slots_[i].due);
  }
  return next;
}

void UpstreamTokenCache::RefreshSlot(size_t index, absl::Time now) {
  Slot& slot = slots_[index];
  absl::StatusOr<FetchedToken> fetched = fetcher_->Fetch(slot.spec);
  if (options_.on_fetch) options_.on_fetch(index, fetched.ok());
  const absl::Time after = clock_->Now();
  if (!fetched.ok() || fetched->lifetime <= absl::ZeroDuration()) {
    const absl::Duration retry = slot.backoff->Next();
    slot.due = after + retry;
    Log(LogLevel::kWarning, "gateway.upstream_token_failed",
        {{"audience", slot.spec.audience},
         {"code", static_cast<int>(fetched.status().code())},
         {"error",
          fetched.ok() ? "token without lifetime" : fetched.status().message()},
         {"retry_ms", absl::ToInt64Milliseconds(retry)}});
    return;
  }
  slot.backoff->Reset();
  // The lifetime counts from before the call: a slow reply must not make
  // the token look younger than it is.
  auto token = std::make_shared<CachedToken>();
  token->bearer = crypto::SecretBytes(
      absl::StrCat("Bearer ", fetched->access_token.view()));
  token->expires_at = now + fetched->lifetime;
  const absl::Duration lead =
      std::min(options_.refresh_before_expiry, fetched->lifetime / 2);
  slot.due = token->expires_at - lead;
  std::atomic_store(&slot.token,
                    std::shared_ptr<const CachedToken>(std::move(token)));
  Log(LogLevel::kInfo, "gateway.upstream_token_issued",
      {{"audience", slot.spec.audience},
       {"lifetime_s", absl::ToInt64Seconds(fetched->lifetime)},
       {"refresh_in_s", absl::ToInt64Seconds(slot.due - after)}});
}

void UpstreamTokenCache::Start() {
  thread_ = std::thread([this] {
    for (;;) {
      const absl::Time now = clock_->Now();
      const absl::Time next = RefreshDue(now);
      const absl::Duration wait =
          std::clamp(next - clock_->Now(), absl::Milliseconds(1), kMaxIdleWait);
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
      if (stopping_) return;
    }
  });
}

void UpstreamTokenCache::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  fetcher_->CancelPending();
  if (thread_.joinable()) thread_.join();
}

}  // namespace meshid::gateway
