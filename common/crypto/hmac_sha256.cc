// Why the low-level SHA256_* API, deprecated in OpenSSL 3.0 but still
// shipped: a SHA256_CTX is a plain struct, so the inner and outer states
// prepared from the key can be rebuilt per message on the stack with no
// allocation and no provider dispatch. EVP_MAC allocates and dispatches
// through the provider on every message, and is several times slower for a
// ~300-byte JWT signing input. Must be defined before any OpenSSL include.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "common/crypto/hmac_sha256.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>
#include <type_traits>
#include <utility>

#include "absl/status/status.h"

namespace meshid::crypto {
namespace {

constexpr size_t kBlockSize = 64;  // SHA-256 block size (RFC 2104's B)

// What a prepared key keeps, and why it is enough.
//
// HMAC(K, m) = H((K^opad) || H((K^ipad) || m)). Both K^ipad and K^opad are
// exactly one 64-byte SHA-256 block. After SHA256_Init and SHA256_Update of
// exactly one block, the SHA256_CTX (struct SHA256state_st, a public struct
// in <openssl/sha.h>: h[8], Nl, Nh, data[16], num, md_len) holds:
//   h[8]    the chaining value after compressing that block (the only part
//           that depends on the key);
//   Nl, Nh  the message length in bits, 512 and 0;
//   num     0: no partial block is buffered, so data[] is never read again
//           (Update overwrites it, Final pads from data[num] on);
//   md_len  SHA256_DIGEST_LENGTH (set by SHA256_Init; Final emits that many
//           bytes).
// Every field but h[] is therefore the same constant for every key, and the
// context can be rebuilt per call from the 32-byte h[] alone. Keeping two
// h[] (64 bytes, inline) instead of two full contexts on the heap (2 x 112
// bytes plus an allocation) is what lets a validator hold 100,000 pair keys.
//
// This relies on the documented public layout of the deprecated SHA256_CTX
// (unchanged since OpenSSL 0.9.8, still in 3.x). Create() checks the
// constant fields it reproduces against what SHA256_Update really left, so a
// library whose bookkeeping differs fails loudly at key load rather than
// computing wrong tags; the RFC, Wycheproof and one-shot HMAC() cross-checks
// in tests/common/crypto/hmac_sha256_test.cc cover the arithmetic.
constexpr SHA_LONG kBitsAfterOneBlock = kBlockSize * 8;

static_assert(sizeof(SHA_LONG) == sizeof(uint32_t),
              "SHA-256 chaining words are 32 bits");
static_assert(std::is_standard_layout_v<SHA256_CTX> &&
                  std::is_trivially_copyable_v<SHA256_CTX>,
              "SHA256_CTX is a plain C struct");

// Hashes one padded key block into a fresh SHA-256 state and returns its
// chaining value in `*h`. False when OpenSSL failed or the context is not in
// the state RebuildAfterOneBlock reproduces.
bool PrepareChainingValue(const uint8_t (&key_block)[kBlockSize], uint8_t pad,
                          std::array<uint32_t, 8>* h) {
  uint8_t padded[kBlockSize];
  for (size_t i = 0; i < kBlockSize; ++i) padded[i] = key_block[i] ^ pad;
  SHA256_CTX ctx;
  const bool ok =
      SHA256_Init(&ctx) == 1 && SHA256_Update(&ctx, padded, kBlockSize) == 1 &&
      ctx.Nl == kBitsAfterOneBlock && ctx.Nh == 0 && ctx.num == 0 &&
      ctx.md_len == SHA256_DIGEST_LENGTH;
  static_assert(sizeof(ctx.h) == sizeof(*h));
  if (ok) std::memcpy(h->data(), ctx.h, sizeof(ctx.h));
  OPENSSL_cleanse(padded, sizeof(padded));
  OPENSSL_cleanse(&ctx, sizeof(ctx));
  return ok;
}

// A SHA256_CTX exactly as SHA256_Init + SHA256_Update(one 64-byte block) left
// it, given that block's chaining value (see the comment above).
void RebuildAfterOneBlock(const std::array<uint32_t, 8>& h, SHA256_CTX* ctx) {
  std::memcpy(ctx->h, h.data(), sizeof(ctx->h));
  ctx->Nl = kBitsAfterOneBlock;
  ctx->Nh = 0;
  ctx->num = 0;
  ctx->md_len = SHA256_DIGEST_LENGTH;
}

}  // namespace

absl::StatusOr<HmacSha256Key> HmacSha256Key::Create(absl::string_view secret) {
  // RFC 2104 section 2: a key longer than the block is replaced by its hash;
  // shorter keys are zero-padded to the block size.
  uint8_t key_block[kBlockSize] = {};
  if (secret.size() > kBlockSize) {
    SHA256(reinterpret_cast<const uint8_t*>(secret.data()), secret.size(),
           key_block);
  } else if (!secret.empty()) {
    std::memcpy(key_block, secret.data(), secret.size());
  }
  HmacSha256Key key;
  const bool ok = PrepareChainingValue(key_block, 0x36, &key.inner_) &&
                  PrepareChainingValue(key_block, 0x5c, &key.outer_);
  OPENSSL_cleanse(key_block, sizeof(key_block));
  if (!ok) return absl::InternalError("SHA-256 initialization failed");
  return key;
}

void HmacSha256Key::Wipe() {
  OPENSSL_cleanse(inner_.data(), sizeof(inner_));
  OPENSSL_cleanse(outer_.data(), sizeof(outer_));
}

HmacSha256Key::HmacSha256Key(HmacSha256Key&& other) noexcept
    : inner_(other.inner_), outer_(other.outer_) {
  other.Wipe();
}

HmacSha256Key& HmacSha256Key::operator=(HmacSha256Key&& other) noexcept {
  if (this != &other) {
    inner_ = other.inner_;
    outer_ = other.outer_;
    other.Wipe();
  }
  return *this;
}

HmacSha256Key::~HmacSha256Key() { Wipe(); }

bool HmacSha256Key::IsWiped() const {
  // A live key's chaining values are all zero with probability 2^-512. The
  // branch on the result reveals only whether the key is live.
  uint32_t any = 0;
  for (size_t i = 0; i < kChainingWords; ++i) any |= inner_[i] | outer_[i];
  return any == 0;
}

HmacSha256Tag HmacSha256Key::Sign(absl::string_view message) const {
  // Work on a stack context: the prepared values are never written after
  // Create, which is what makes concurrent Sign/Verify calls safe.
  HmacSha256Tag tag;
  uint8_t inner_digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx;
  RebuildAfterOneBlock(inner_, &ctx);
  SHA256_Update(&ctx, message.data(), message.size());
  SHA256_Final(inner_digest, &ctx);
  RebuildAfterOneBlock(outer_, &ctx);
  SHA256_Update(&ctx, inner_digest, sizeof(inner_digest));
  SHA256_Final(tag.data(), &ctx);
  // The chaining values in `ctx` derive from the key; do not leave them on
  // the stack.
  OPENSSL_cleanse(&ctx, sizeof(ctx));
  OPENSSL_cleanse(inner_digest, sizeof(inner_digest));
  return tag;
}

bool HmacSha256Key::Verify(absl::string_view message,
                           absl::string_view tag) const {
  // HS256 tags are exactly 32 bytes; accepting a prefix would let an attacker
  // guess a truncated MAC.
  if (tag.size() != kHmacSha256TagSize) return false;
  // Fail closed on a moved-from key: its zeroed chaining values are a
  // publicly known "key" whose tags anyone can compute.
  if (IsWiped()) return false;
  HmacSha256Tag expected = Sign(message);
  // Constant time over all 32 bytes, whatever the first difference.
  const bool equal =
      CRYPTO_memcmp(expected.data(), tag.data(), kHmacSha256TagSize) == 0;
  OPENSSL_cleanse(expected.data(), expected.size());
  return equal;
}

}  // namespace meshid::crypto
