// Password hashing for user principals: PBKDF2-HMAC-SHA256 with a 16-byte
// random salt and at least 600,000 iterations (OWASP 2023), stored as
//   pbkdf2-sha256$<iterations>$<base64url salt>$<base64url hash>
// so the cost can rise later without invalidating stored hashes.
#ifndef MESHID_IDENTITY_PASSWORD_HASHER_H_
#define MESHID_IDENTITY_PASSWORD_HASHER_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meshid::identity {

inline constexpr int kMinPasswordIterations = 600000;
inline constexpr size_t kMinPasswordLength = 8;
inline constexpr size_t kMaxPasswordLength = 1024;

// INVALID_ARGUMENT for a password outside 8..1024 bytes.
absl::Status ValidatePassword(absl::string_view password);

// Hashes with `iterations` (raised to the minimum if lower).
absl::StatusOr<std::string> HashPassword(
    absl::string_view password, int iterations = kMinPasswordIterations);

// True when `password` matches `stored` (constant-time compare). A stored
// value that does not parse never matches.
bool VerifyPassword(absl::string_view password, absl::string_view stored);

}  // namespace meshid::identity

#endif  // MESHID_IDENTITY_PASSWORD_HASHER_H_
