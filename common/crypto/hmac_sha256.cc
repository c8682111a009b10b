// Why the low-level SHA256_* API, deprecated in OpenSSL 3.0 but still
// shipped: a SHA256_CTX is a plain struct, so the inner and outer states
// prepared from the key can be copied per message with no allocation and no
// provider dispatch. EVP_MAC allocates and dispatches through the provider
// on every message, and is several times slower for a ~300-byte JWT signing
// input. Must be defined before any OpenSSL include.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "common/crypto/hmac_sha256.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>
#include <memory>
#include <utility>

#include "absl/status/status.h"

namespace meshid::crypto {
namespace {

constexpr size_t kBlockSize = 64;  // SHA-256 block size (RFC 2104's B)

// Hashes one padded key block into a fresh SHA-256 state.
bool InitPadded(const uint8_t (&key_block)[kBlockSize], uint8_t pad,
                SHA256_CTX* ctx) {
  uint8_t padded[kBlockSize];
  for (size_t i = 0; i < kBlockSize; ++i) padded[i] = key_block[i] ^ pad;
  const bool ok =
      SHA256_Init(ctx) == 1 && SHA256_Update(ctx, padded, kBlockSize) == 1;
  OPENSSL_cleanse(padded, sizeof(padded));
  return ok;
}

}  // namespace

// The SHA-256 states after absorbing key^ipad and key^opad. Together they are
// equivalent to the key, so they are wiped on destruction.
struct HmacSha256Key::State {
  SHA256_CTX inner;
  SHA256_CTX outer;

  ~State() {
    OPENSSL_cleanse(&inner, sizeof(inner));
    OPENSSL_cleanse(&outer, sizeof(outer));
  }
};

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
  auto state = std::make_unique<State>();
  const bool ok = InitPadded(key_block, 0x36, &state->inner) &&
                  InitPadded(key_block, 0x5c, &state->outer);
  OPENSSL_cleanse(key_block, sizeof(key_block));
  if (!ok) return absl::InternalError("SHA-256 initialization failed");
  return HmacSha256Key(std::move(state));
}

HmacSha256Key::HmacSha256Key(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
HmacSha256Key::HmacSha256Key(HmacSha256Key&&) noexcept = default;
HmacSha256Key& HmacSha256Key::operator=(HmacSha256Key&&) noexcept = default;
HmacSha256Key::~HmacSha256Key() = default;  // ~State wipes

HmacSha256Tag HmacSha256Key::Sign(absl::string_view message) const {
  // Work on stack copies: the prepared states are never written after
  // Create, which is what makes concurrent Sign/Verify calls safe.
  HmacSha256Tag tag;
  uint8_t inner_digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX ctx = state_->inner;
  SHA256_Update(&ctx, message.data(), message.size());
  SHA256_Final(inner_digest, &ctx);
  ctx = state_->outer;
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
  const HmacSha256Tag expected = Sign(message);
  return CRYPTO_memcmp(expected.data(), tag.data(), kHmacSha256TagSize) == 0;
}

}  // namespace meshid::crypto
