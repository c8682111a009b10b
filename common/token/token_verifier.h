// Verifies meshid access tokens: one pure function, the clock passed in.
//
// The checks, in this order (DESIGN.md "Tokens"); the first failure decides
// the VerifyError:
//   1. size <= 8 KiB; exactly three segments; each canonical base64url.
//   2. header: a JSON object without duplicate members; only "alg", "kid"
//      and "typ", each a string; "kid" present.
//   3. the kid, by exact bytes, in the snapshot; its state (revoked keys
//      fail everything; retired keys past their window have expired).
//   4. "alg" names the key's algorithm; then the signature.
//   5. payload: a JSON object, no duplicate members at any depth, nesting
//      <= 32, member count bounded.
//   6. "typ" is "at+jwt"; required claims present and typed; iss, aud and
//      the key's binding; exp, nbf, iat and the lifetime, with skew.
//   7. the revocation lists (jti; subject cut-off).
// Nothing about the payload is looked at before the signature is good.
//
//   VerifyResult r = VerifyToken(token, *snapshot, policy, clock->Now());
//   if (!r.ok()) { count(VerifyErrorName(r.error())); deny(); }
#ifndef MESHID_COMMON_TOKEN_TOKEN_VERIFIER_H_
#define MESHID_COMMON_TOKEN_TOKEN_VERIFIER_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/token/key_set.h"
#include "common/token/principal.h"
#include "common/token/verify_error.h"

namespace meshid {

inline constexpr size_t kMaxTokenBytes = 8 * 1024;
inline constexpr int kMaxTokenJsonDepth = 32;
inline constexpr size_t kMaxTokenJsonValues = 256;

struct VerifyPolicy {
  // "iss" must equal this exactly.
  std::string issuer;
  // "aud" must equal this exactly: the validator's own name.
  std::string audience;
  // Tolerance for clocks that disagree, applied to exp, nbf and iat.
  absl::Duration clock_skew = absl::Seconds(30);
  // exp - iat may not exceed this.
  absl::Duration max_lifetime = absl::Hours(24);
};

// A Principal, or the reason there is none.
class VerifyResult {
 public:
  explicit VerifyResult(VerifyError error) : error_(error) {}
  explicit VerifyResult(Principal principal)
      : error_(VerifyError::kOk), principal_(std::move(principal)) {}

  bool ok() const { return error_ == VerifyError::kOk; }
  VerifyError error() const { return error_; }
  // Requires ok().
  const Principal& principal() const& { return principal_; }
  Principal&& principal() && { return std::move(principal_); }

 private:
  VerifyError error_;
  Principal principal_;
};

// Verifies `token` against `keys` and `policy` at time `now`. Thread-safe;
// allocates only for the Principal it returns.
VerifyResult VerifyToken(absl::string_view token, const KeySet& keys,
                         const VerifyPolicy& policy, absl::Time now);

// As VerifyToken, filling `*out` (whose buffers are reused) on success.
// `*out` is unspecified on failure.
VerifyError VerifyTokenInto(absl::string_view token, const KeySet& keys,
                            const VerifyPolicy& policy, absl::Time now,
                            Principal* out);

}  // namespace meshid

#endif  // MESHID_COMMON_TOKEN_TOKEN_VERIFIER_H_
