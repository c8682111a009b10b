#include "common/crypto/random.h"

#include <openssl/rand.h>

#include <climits>
#include <cstring>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/internal/openssl_util.h"

namespace meshid::crypto {
namespace {

// Fills `out` (already sized) in place, so a secret is never copied through a
// temporary that would be left unwiped.
absl::Status Fill(std::string& out) {
  if (out.empty()) return absl::OkStatus();
  if (out.size() > static_cast<size_t>(INT_MAX)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot draw ", out.size(), " random bytes in one call"));
  }
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()),
                 static_cast<int>(out.size())) != 1) {
    return internal::OpenSslInternalError("RAND_bytes failed");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::string> RandomBytes(size_t n) {
  std::string out(n, '\0');
  absl::Status status = Fill(out);
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<SecretBytes> RandomSecret(size_t n) {
  std::string out(n, '\0');
  absl::Status status = Fill(out);
  if (!status.ok()) return status;
  // The rvalue constructor wipes whatever the move leaves behind in `out`.
  return SecretBytes(std::move(out));
}

absl::StatusOr<std::string> RandomIdBytes(size_t n) {
  static constexpr size_t kPoolSize = 4096;
  if (n > 64) return absl::InvalidArgumentError("at most 64 id bytes");
  static absl::Mutex mu(absl::kConstInit);
  static unsigned char pool[kPoolSize];
  static size_t used = kPoolSize;  // empty until first use
  std::string out(n, '\0');
  absl::MutexLock lock(&mu);
  if (kPoolSize - used < n) {
    if (RAND_bytes(pool, static_cast<int>(kPoolSize)) != 1) {
      return internal::OpenSslInternalError("RAND_bytes failed");
    }
    used = 0;
  }
  std::memcpy(out.data(), pool + used, n);
  // Handed out once: overwrite so the bytes cannot be served again.
  std::memset(pool + used, 0, n);
  used += n;
  return out;
}

}  // namespace meshid::crypto
