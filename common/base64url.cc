#include "common/base64url.h"

#include <array>
#include <cstdint>
#include <cstring>

#include "common/base64url_simd.h"

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

// The whole-quantum loop runs on every token the mesh validates, so it uses
// one table per position in the quantum: each holds the sextet already
// shifted into its place in the 24-bit group, and kQuantumInvalid (a bit no
// sextet reaches) for characters outside the alphabet. A quantum is then
// four loads and three ORs, and errors are collected with one more OR and
// checked once after the loop: the output written before a failure is
// garbage the caller must not read, as the header documents.
constexpr uint32_t kQuantumInvalid = uint32_t{1} << 24;

constexpr std::array<uint32_t, 256> MakeShiftedTable(int shift) {
  std::array<uint32_t, 256> table{};
  for (auto& entry : table) entry = kQuantumInvalid;
  for (uint32_t i = 0; i < 64; ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = i << shift;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kQuantum0 = MakeShiftedTable(18);
constexpr std::array<uint32_t, 256> kQuantum1 = MakeShiftedTable(12);
constexpr std::array<uint32_t, 256> kQuantum2 = MakeShiftedTable(6);
constexpr std::array<uint32_t, 256> kQuantum3 = MakeShiftedTable(0);

}  // namespace

bool Base64UrlDecode(absl::string_view in, char* out, size_t* out_size) {
  const size_t n = in.size();
  if (n % 4 == 1) return false;  // no byte string encodes to 4k+1 characters
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  // Whole blocks first (vector steps, where the CPU has them), then the
  // remaining whole quanta here.
  size_t i = base64url_internal::DecodeBlocks(src, n, out);
  if (i == base64url_internal::kInvalidBlock) return false;
  size_t o = i / 4 * 3;
  uint32_t invalid = 0;
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
                "the quantum loop reads four characters as one word");
  for (; i + 4 <= n; i += 4) {
    uint32_t quad;  // one load: `out` may alias `in` as far as C++ knows
    std::memcpy(&quad, src + i, 4);
    const uint32_t v = kQuantum0[quad & 0xFF] | kQuantum1[(quad >> 8) & 0xFF] |
                       kQuantum2[(quad >> 16) & 0xFF] | kQuantum3[quad >> 24];
    invalid |= v;
    out[o] = static_cast<char>(v >> 16);
    out[o + 1] = static_cast<char>(v >> 8);
    out[o + 2] = static_cast<char>(v);
    o += 3;
  }
  if (invalid & kQuantumInvalid) return false;
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
