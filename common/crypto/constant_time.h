// Constant-time comparison for secrets and MACs.
#ifndef MESHID_COMMON_CRYPTO_CONSTANT_TIME_H_
#define MESHID_COMMON_CRYPTO_CONSTANT_TIME_H_

#include "absl/strings/string_view.h"

namespace meshid::crypto {

// True when `a` and `b` are equal. The time taken depends only on the lengths,
// never on the contents (CRYPTO_memcmp); unequal lengths return false at once,
// which reveals only the length.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace meshid::crypto

#endif  // MESHID_COMMON_CRYPTO_CONSTANT_TIME_H_
