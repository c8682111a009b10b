// The CSPRNG: OpenSSL's RAND_bytes (seeded from the OS). Thread-safe.
#ifndef MESHID_COMMON_CRYPTO_RANDOM_H_
#define MESHID_COMMON_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "common/crypto/secret_bytes.h"

namespace meshid::crypto {

// Returns `n` random bytes, or INTERNAL if the generator failed (never a
// weaker fallback).
absl::StatusOr<std::string> RandomBytes(size_t n);

// Like RandomBytes, for values that are secrets (keys, client secrets).
absl::StatusOr<SecretBytes> RandomSecret(size_t n);

// Like RandomBytes (n <= 64), for unpredictable identifiers that are not
// secrets, such as token ids, on hot paths: served from a process-wide
// buffer that one RAND_bytes call refills 4 KiB at a time, and never handed
// out twice. Not for keys: RandomSecret leaves nothing in a shared buffer.
// Thread-safe.
absl::StatusOr<std::string> RandomIdBytes(size_t n);

}  // namespace meshid::crypto

#endif  // MESHID_COMMON_CRYPTO_RANDOM_H_
