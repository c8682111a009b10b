// The verifier with its shortcuts switchable, for tests that prove each
// shortcut changes nothing: the canonical-header match (instead of the JSON
// parse of the header) and the profile claims scanner (instead of the JSON
// parse of the payload). With both off, VerifyTokenIntoWithPaths is the
// general path alone; VerifyTokenInto is it with both on.
//
// Not for production callers: use VerifyToken / VerifyTokenInto.
#ifndef MESHID_COMMON_TOKEN_TOKEN_VERIFIER_INTERNAL_H_
#define MESHID_COMMON_TOKEN_TOKEN_VERIFIER_INTERNAL_H_

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/token/key_set.h"
#include "common/token/principal.h"
#include "common/token/token_verifier.h"
#include "common/token/verify_error.h"

namespace meshid::token_internal {

struct VerifyPaths {
  bool header_shortcut = true;
  bool claims_scanner = true;
};

// The general path only: every shortcut off.
inline constexpr VerifyPaths kGeneralPathOnly{false, false};

VerifyError VerifyTokenIntoWithPaths(absl::string_view token,
                                     const KeySet& keys,
                                     const VerifyPolicy& policy, absl::Time now,
                                     VerifyPaths paths, Principal* out);

}  // namespace meshid::token_internal

#endif  // MESHID_COMMON_TOKEN_TOKEN_VERIFIER_INTERNAL_H_
