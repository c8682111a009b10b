// UpstreamTokenCache: the gateway's own access tokens, one per audience it
// talks to (each upstream's, and the Log server's), obtained with its
// client credentials (Identity.IssueToken through a TokenFetcher), cached,
// and refreshed before they expire by a background thread. The request
// path only reads: Bearer() is one atomic shared_ptr load, never a fetch.
//
//   UpstreamTokenCache tokens({{"resume-service", {}}, {"logging-service",
//                              {"logs:write"}}}, &fetcher, options, clock);
//   tokens.RefreshDue(clock->Now());  // at start: first tokens
//   tokens.Start();                    // background refresh
//   std::shared_ptr<const CachedToken> t = tokens.Bearer(slot, now);
//   if (t == nullptr) { /* UNAVAILABLE: no valid token yet */ }
//   context.AddMetadata("authorization", std::string(t->bearer.view()));
//
// A token is refreshed at expiry - min(refresh_before_expiry, lifetime / 2).
// A failed fetch is retried with jittered backoff (1 s .. 30 s); the old
// token stays in use until it really expires, so an identity outage shorter
// than the remaining lifetime is invisible to callers.
#ifndef MESHID_GATEWAY_UPSTREAM_TOKEN_CACHE_H_
#define MESHID_GATEWAY_UPSTREAM_TOKEN_CACHE_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/clock.h"
#include "common/crypto/secret_bytes.h"
#include "common/keyset/backoff.h"

namespace meshid::gateway {

// What to ask IssueToken for.
struct TokenRequestSpec {
  std::string audience;
  std::vector<std::string> scopes;  // empty: the policy's default
};

struct FetchedToken {
  crypto::SecretBytes access_token;
  absl::Duration lifetime;  // expires_in
};

// Gets one token. Implemented over gRPC by IdentityTokenService.
class TokenFetcher {
 public:
  virtual ~TokenFetcher() = default;
  // Blocking; called from the refresh thread (or at start) only.
  virtual absl::StatusOr<FetchedToken> Fetch(const TokenRequestSpec& spec) = 0;
  // Makes the Fetch in progress, and every later one, return at once (for
  // shutdown). Thread-safe.
  virtual void CancelPending() {}
};

struct CachedToken {
  crypto::SecretBytes bearer;  // "Bearer <jwt>": the authorization value
  absl::Time expires_at;
};

struct UpstreamTokenCacheOptions {
  absl::Duration refresh_before_expiry = absl::Seconds(60);
  keyset::BackoffOptions retry_backoff{absl::Seconds(1), absl::Seconds(30), 2.0,
                                       0.2};
  // Observes each fetch (the slot, whether it worked); may be empty.
  std::function<void(size_t slot, bool ok)> on_fetch;
};

class UpstreamTokenCache {
 public:
  // One slot per entry of `specs`, in order. `fetcher` (not owned) must
  // outlive the cache; `clock` null means SystemClock.
  UpstreamTokenCache(std::vector<TokenRequestSpec> specs, TokenFetcher* fetcher,
                     UpstreamTokenCacheOptions options, const Clock* clock);
  ~UpstreamTokenCache();  // Stop()s

  UpstreamTokenCache(const UpstreamTokenCache&) = delete;
  UpstreamTokenCache& operator=(const UpstreamTokenCache&) = delete;

  // The token of `slot` if it is still valid at `now`, else null.
  // Thread-safe and lock-free for the caller (std::atomic_load).
  std::shared_ptr<const CachedToken> Bearer(size_t slot, absl::Time now) const;

  // True when every slot holds a token valid at `now`.
  bool AllValid(absl::Time now) const;

  // Fetches every slot whose refresh (or retry) is due at `now`; returns
  // when the next one is due. Blocking. One caller at a time (the refresh
  // thread, or a test).
  absl::Time RefreshDue(absl::Time now);

  // Starts / stops the refresh thread (waits use real time; due times come
  // from the clock).
  void Start();
  void Stop();

  size_t slot_count() const { return slots_.size(); }
  const TokenRequestSpec& spec(size_t slot) const { return slots_[slot].spec; }

 private:
  struct Slot {
    TokenRequestSpec spec;
    std::shared_ptr<const CachedToken> token;  // atomic_load/atomic_store
    absl::Time due = absl::InfinitePast();
    std::unique_ptr<keyset::Backoff> backoff;
  };

  void RefreshSlot(size_t index, absl::Time now);

  TokenFetcher* const fetcher_;
  const UpstreamTokenCacheOptions options_;
  const Clock* const clock_;
  std::vector<Slot> slots_;

  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace meshid::gateway

#endif  // MESHID_GATEWAY_UPSTREAM_TOKEN_CACHE_H_
