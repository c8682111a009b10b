#include "common/base64url.h"

#include <array>
#include <cstdint>

namespace meshid {
namespace {

constexpr char kAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr uint8_t kInvalid = 0xFF;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (uint8_t i = 0; i < 64; ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = i;
  }
  return table;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

bool Base64UrlDecode(absl::string_view in, char* out, size_t* out_size) {
  const size_t n = in.size();
  if (n % 4 == 1) return false;  // no byte string encodes to 4k+1 characters
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  size_t i = 0;
  size_t o = 0;
  // Whole quanta: four characters -> three bytes. The OR of all sextets
  // catches any invalid character with one branch per quantum.
  for (; i + 4 <= n; i += 4) {
    const uint8_t a = kDecode[src[i]], b = kDecode[src[i + 1]],
                  c = kDecode[src[i + 2]], d = kDecode[src[i + 3]];
    if ((a | b | c | d) & 0xC0) return false;
    const uint32_t v =
        (uint32_t{a} << 18) | (uint32_t{b} << 12) | (uint32_t{c} << 6) | d;
    out[o++] = static_cast<char>(v >> 16);
    out[o++] = static_cast<char>(v >> 8);
    out[o++] = static_cast<char>(v);
  }
  const size_t rest = n - i;
  if (rest == 2) {
    const uint8_t a = kDecode[src[i]], b = kDecode[src[i + 1]];
    if ((a | b) & 0xC0) return false;
    if (b & 0x0F) return false;  // non-canonical: unused bits must be zero
    out[o++] = static_cast<char>((a << 2) | (b >> 4));
  } else if (rest == 3) {
    const uint8_t a = kDecode[src[i]], b = kDecode[src[i + 1]],
                  c = kDecode[src[i + 2]];
    if ((a | b | c) & 0xC0) return false;
    if (c & 0x03) return false;  // non-canonical: unused bits must be zero
    out[o++] = static_cast<char>((a << 2) | (b >> 4));
    out[o++] = static_cast<char>(((b & 0x0F) << 4) | (c >> 2));
  }
  *out_size = o;
  return true;
}

bool Base64UrlDecode(absl::string_view in, std::string* out) {
  out->resize(Base64UrlMaxDecodedSize(in.size()));
  size_t size = 0;
  if (!Base64UrlDecode(in, out->data(), &size)) return false;
  out->resize(size);
  return true;
}

void Base64UrlEncodeAppend(absl::string_view in, std::string* out) {
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  const size_t n = in.size();
  const size_t start = out->size();
  out->resize(start + (n * 4 + 2) / 3);
  char* dst = out->data() + start;
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    const uint32_t v =
        (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8) | src[i + 2];
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
    *dst++ = kAlphabet[v & 63];
  }
  if (n - i == 1) {
    const uint32_t v = uint32_t{src[i]} << 16;
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
  } else if (n - i == 2) {
    const uint32_t v = (uint32_t{src[i]} << 16) | (uint32_t{src[i + 1]} << 8);
    *dst++ = kAlphabet[(v >> 18) & 63];
    *dst++ = kAlphabet[(v >> 12) & 63];
    *dst++ = kAlphabet[(v >> 6) & 63];
  }
}

std::string Base64UrlEncode(absl::string_view in) {
  std::string out;
  Base64UrlEncodeAppend(in, &out);
  return out;
}

}  // namespace meshid
