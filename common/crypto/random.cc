#include "common/crypto/random.h"

#include <openssl/rand.h>

#include <climits>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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

}  // namespace meshid::crypto
