// IdentityContext: the dependencies and settings every identity service
// shares. Plain pointers: main owns the objects and outlives the services.
#ifndef MESHID_IDENTITY_IDENTITY_CONTEXT_H_
#define MESHID_IDENTITY_IDENTITY_CONTEXT_H_

#include <string>

#include "absl/time/time.h"
#include "common/clock.h"
#include "identity/identity_views.h"
#include "identity/master_key.h"
#include "identity/password_hasher.h"
#include "identity/store/store.h"

namespace meshid::identity {

struct IdentityOptions {
  std::string issuer = "https://meshid.local";
  // The audiences of meshid's own planes: tokens for IntrospectToken and
  // RevokeToken-by-jti name the first, KeyAdmin callers the second.
  std::string identity_audience = "meshid-identity";
  std::string keyadmin_audience = "meshid-keyadmin";
  // The service client whose policy and keys issue users' tokens (Login).
  std::string login_client = "meshid-login";
  // No token lives longer than this; client policies are capped by it.
  absl::Duration max_token_ttl = absl::Hours(1);
  // A request without a ttl gets min(this, the policy's max).
  absl::Duration default_token_ttl = absl::Minutes(15);
  absl::Duration clock_skew = absl::Seconds(30);
  // PENDING keys are published this long before they sign.
  absl::Duration activation_delay = absl::Seconds(2);
  // Each slot's ACTIVE key is rotated when it is this old (0 = never).
  absl::Duration rotation_period = absl::Hours(24);
  int password_iterations = kMinPasswordIterations;

  // How long a RETIRED key keeps verifying: every token it signed has
  // expired by then, even on a clock that is `clock_skew` behind.
  absl::Duration RetiredKeyWindow() const { return max_token_ttl + clock_skew; }
};

struct IdentityContext {
  Store* store = nullptr;
  const MasterKey* master_key = nullptr;
  const Clock* clock = nullptr;
  IdentityViews* views = nullptr;
  IdentityOptions options;

  // Now, truncated to the microsecond the stores keep.
  absl::Time Now() const {
    return absl::FromUnixMicros(absl::ToUnixMicros(clock->Now()));
  }
};

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_IDENTITY_CONTEXT_H_
