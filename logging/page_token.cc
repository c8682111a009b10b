#include "logging/page_token.h"

#include <openssl/sha.h>

#include <array>

#include "absl/strings/str_cat.h"
#include "common/base64url.h"

namespace meshid::logging {
namespace {

constexpr char kVersion = 1;
constexpr size_t kDigestBytes = 16;
// version, time, id, digest.
constexpr size_t kTokenBytes = 1 + 8 + 8 + kDigestBytes;

constexpr int32_t kDefaultPageSize = 100;
constexpr int32_t kMaxPageSize = 1000;

void AppendBigEndian(int64_t value, std::string* out) {
  const auto bits = static_cast<uint64_t>(value);
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((bits >> shift) & 0xFF));
  }
}

int64_t ReadBigEndian(absl::string_view bytes) {
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) {
    bits = (bits << 8) | static_cast<uint8_t>(bytes[i]);
  }
  return static_cast<int64_t>(bits);
}

// SHA-256 over the filter and the token's own version, time and id: binds
// the position to the filter and catches damage to either.
std::string Digest(const LogFilter& filter, absl::string_view position) {
  const std::string input =
      absl::StrCat(CanonicalFilterBytes(filter), "|", position);
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest;
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(),
         digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()),
                     kDigestBytes);
}

absl::Status BadToken() {
  return absl::InvalidArgumentError(
      "page_token is not a token from a previous page of this same filter");
}

}  // namespace

std::string EncodePageToken(const LogFilter& filter, const PageCursor& cursor) {
  std::string bytes(1, kVersion);
  AppendBigEndian(cursor.time_micros, &bytes);
  AppendBigEndian(cursor.id, &bytes);
  bytes += Digest(filter, bytes);
  return Base64UrlEncode(bytes);
}

absl::StatusOr<std::optional<PageCursor>> DecodePageToken(
    absl::string_view token, const LogFilter& filter) {
  if (token.empty()) return std::optional<PageCursor>();
  std::string bytes;
  if (token.size() > kMaxPageTokenBytes || !Base64UrlDecode(token, &bytes) ||
      bytes.size() != kTokenBytes || bytes[0] != kVersion) {
    return BadToken();
  }
  const absl::string_view view(bytes);
  const absl::string_view position = view.substr(0, 1 + 8 + 8);
  // Not a secret, so a plain comparison is fine.
  if (view.substr(position.size()) != Digest(filter, position)) {
    return BadToken();
  }
  PageCursor cursor;
  cursor.time_micros = ReadBigEndian(view.substr(1, 8));
  cursor.id = ReadBigEndian(view.substr(9, 8));
  return std::optional<PageCursor>(cursor);
}

absl::StatusOr<int> EffectivePageSize(int32_t requested) {
  if (requested < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size must be >= 0 (0 means ", kDefaultPageSize,
                     "), not ", requested));
  }
  if (requested == 0) return kDefaultPageSize;
  return requested > kMaxPageSize ? kMaxPageSize : requested;
}

}  // namespace meshid::logging
