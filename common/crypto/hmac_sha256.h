// HMAC-SHA256 with the key schedule prepared once per key.
//
//   ASSIGN_OR_RETURN(auto key, HmacSha256Key::Create(secret.view()));
//   std::array<uint8_t, 32> tag = key.Sign(message);
//   bool ok = key.Verify(message, received_tag);   // constant time
//
// Why prepared: a token verifier runs HMAC on every request. Hashing the
// padded key into the inner and outer SHA-256 states once, at key load, leaves
// two short hash computations per message and no allocation.
//
// Size: a key is the two 32-byte SHA-256 chaining values, held inline (64
// bytes, no heap), because a validator keeps one per client pair and may hold
// 100,000 of them (see hmac_sha256.cc for why the chaining values suffice).
#ifndef MESHID_COMMON_CRYPTO_HMAC_SHA256_H_
#define MESHID_COMMON_CRYPTO_HMAC_SHA256_H_

#include <array>
#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meshid::crypto {

inline constexpr size_t kHmacSha256TagSize = 32;
using HmacSha256Tag = std::array<uint8_t, kHmacSha256TagSize>;

class HmacSha256Key {
 public:
  // Prepares a key. Any length is accepted (RFC 2104: longer than 64 bytes is
  // hashed first). The raw secret is not kept.
  static absl::StatusOr<HmacSha256Key> Create(absl::string_view secret);

  // A moved-from key may only be destroyed or assigned to. Its prepared
  // states are wiped by the move; Verify on it returns false.
  HmacSha256Key(HmacSha256Key&&) noexcept;
  HmacSha256Key& operator=(HmacSha256Key&&) noexcept;
  ~HmacSha256Key();  // wipes the prepared states

  // Returns HMAC-SHA256(key, message). Thread-safe (const, no shared state).
  HmacSha256Tag Sign(absl::string_view message) const;

  // True when `tag` is exactly 32 bytes and equals the HMAC of `message`,
  // compared in constant time. Truncated tags are always rejected.
  bool Verify(absl::string_view message, absl::string_view tag) const;

 private:
  // SHA-256 chaining value: eight 32-bit words (OpenSSL's SHA_LONG h[8]).
  static constexpr size_t kChainingWords = 8;
  using ChainingValue = std::array<uint32_t, kChainingWords>;

  HmacSha256Key() = default;
  void Wipe();
  bool IsWiped() const;  // true after a move (or before Create filled it)

  // h[] after absorbing key^ipad (inner) and key^opad (outer): one 64-byte
  // block each. Equivalent to the key, so wiped on destruction and move.
  ChainingValue inner_{};
  ChainingValue outer_{};
};

}  // namespace meshid::crypto

#endif  // MESHID_COMMON_CRYPTO_HMAC_SHA256_H_
