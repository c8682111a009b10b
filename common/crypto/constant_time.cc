#include "common/crypto/constant_time.h"

#include <openssl/crypto.h>

namespace meshid::crypto {

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  // The lengths of a MAC or a secret are public; only the contents must not
  // influence timing.
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace meshid::crypto
