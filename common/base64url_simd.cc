#include "common/base64url_simd.h"

#include <array>
#include <atomic>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace meshid::base64url_internal {
namespace {

std::atomic<bool> g_vector_steps_enabled{true};

#if defined(__x86_64__)

// Validation by nibbles: a character is in the URL-safe alphabet exactly
// when kLowBits[low nibble] and kHighClass[high nibble] share no bit. Each
// high nibble that holds alphabet characters gets a class bit; kLowBits
// sets that bit for the low nibbles outside the alphabet in that row:
//   0x2_: '-' (D) only     bit 0     0x5_: 'P'-'Z' (0-A), '_' (F)  bit 3
//   0x3_: '0'-'9' (0-9)    bit 1     0x7_: 'p'-'z' (0-A)           bit 4
//   0x4_, 0x6_: letters (1-F) bit 2  any other row: bit 5, set in every
//                                    kLowBits entry (bytes >= 0x80 too)
constexpr std::array<uint8_t, 16> MakeLowBits() {
  std::array<uint8_t, 16> t{};
  for (int lo = 0; lo < 16; ++lo) {
    uint8_t bits = 0x20;
    if (lo != 0xD) bits |= 0x01;
    if (lo > 9) bits |= 0x02;
    if (lo == 0) bits |= 0x04;
    if (lo > 0xA && lo != 0xF) bits |= 0x08;
    if (lo > 0xA) bits |= 0x10;
    t[lo] = bits;
  }
  return t;
}
alignas(16) constexpr std::array<uint8_t, 16> kLowBits = MakeLowBits();
alignas(16) constexpr std::array<uint8_t, 16> kHighClass = {
    0x20, 0x20, 0x01, 0x02, 0x04, 0x08, 0x04, 0x10,
    0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20};
// What to add to a character of each row to get its sextet: '-' -> 62,
// digits -> 52.., 'A'.. -> 0.., 'a'.. -> 26... Row 0x5_ holds both 'P'-'Z'
// (-65) and '_' (-32): '_' gets the difference, 33, added separately.
alignas(16) constexpr std::array<int8_t, 16> kRowOffset = {
    0, 0, 17, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0};
constexpr int8_t kUnderscoreFix = 33;

// Four sextets per 32-bit lane -> the lane's 24 bits, most significant
// byte first, packed into the first 12 bytes of each 128-bit half.
#define MESHID_PACK_MULS 0x01400140
#define MESHID_PACK_WORDS 0x00011000

__attribute__((target("ssse3"))) size_t DecodeSsse3(const uint8_t* src,
                                                    size_t n, char* dst) {
  const __m128i low_bits =
      _mm_load_si128(reinterpret_cast<const __m128i*>(kLowBits.data()));
  const __m128i high_class =
      _mm_load_si128(reinterpret_cast<const __m128i*>(kHighClass.data()));
  const __m128i row_offset =
      _mm_load_si128(reinterpret_cast<const __m128i*>(kRowOffset.data()));
  const __m128i nibble = _mm_set1_epi8(0x0F);
  const __m128i underscore = _mm_set1_epi8('_');
  const __m128i fix = _mm_set1_epi8(kUnderscoreFix);
  const __m128i muls = _mm_set1_epi32(MESHID_PACK_MULS);
  const __m128i words = _mm_set1_epi32(MESHID_PACK_WORDS);
  const __m128i order =
      _mm_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  __m128i bad = _mm_setzero_si128();
  size_t i = 0;
  for (; i + 16 <= n; i += 16, dst += 12) {
    const __m128i v =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    const __m128i hi = _mm_and_si128(_mm_srli_epi16(v, 4), nibble);
    const __m128i lo = _mm_and_si128(v, nibble);
    bad = _mm_or_si128(bad, _mm_and_si128(_mm_shuffle_epi8(low_bits, lo),
                                          _mm_shuffle_epi8(high_class, hi)));
    __m128i sextets = _mm_add_epi8(v, _mm_shuffle_epi8(row_offset, hi));
    sextets = _mm_add_epi8(sextets,
                           _mm_and_si128(_mm_cmpeq_epi8(v, underscore), fix));
    const __m128i packed = _mm_shuffle_epi8(
        _mm_madd_epi16(_mm_maddubs_epi16(sextets, muls), words), order);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), packed);
    const uint32_t last =
        static_cast<uint32_t>(_mm_cvtsi128_si32(_mm_srli_si128(packed, 8)));
    __builtin_memcpy(dst + 8, &last, 4);
  }
  if (_mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) != 0xFFFF) {
    return kInvalidBlock;
  }
  return i;
}

// A 16-byte table in both halves (a lambda would not inherit the target).
__attribute__((target("avx2"))) __m256i Broadcast(const void* table) {
  return _mm256_broadcastsi128_si256(
      _mm_load_si128(reinterpret_cast<const __m128i*>(table)));
}

__attribute__((target("avx2"))) size_t DecodeAvx2(const uint8_t* src, size_t n,
                                                  char* dst) {
  const __m256i low_bits = Broadcast(kLowBits.data());
  const __m256i high_class = Broadcast(kHighClass.data());
  const __m256i row_offset = Broadcast(kRowOffset.data());
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i underscore = _mm256_set1_epi8('_');
  const __m256i fix = _mm256_set1_epi8(kUnderscoreFix);
  const __m256i muls = _mm256_set1_epi32(MESHID_PACK_MULS);
  const __m256i words = _mm256_set1_epi32(MESHID_PACK_WORDS);
  const __m256i order = _mm256_setr_epi8(
      2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
      2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  // The two halves' 12 bytes side by side: 32-bit lanes 0-2 and 4-6.
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
  __m256i bad = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 32 <= n; i += 32, dst += 24) {
    const __m256i v =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i));
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
    const __m256i lo = _mm256_and_si256(v, nibble);
    bad = _mm256_or_si256(
        bad, _mm256_and_si256(_mm256_shuffle_epi8(low_bits, lo),
                              _mm256_shuffle_epi8(high_class, hi)));
    __m256i sextets = _mm256_add_epi8(v, _mm256_shuffle_epi8(row_offset, hi));
    sextets = _mm256_add_epi8(
        sextets, _mm256_and_si256(_mm256_cmpeq_epi8(v, underscore), fix));
    const __m256i packed = _mm256_permutevar8x32_epi32(
        _mm256_shuffle_epi8(
            _mm256_madd_epi16(_mm256_maddubs_epi16(sextets, muls), words),
            order),
        lanes);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst),
                     _mm256_castsi256_si128(packed));
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst + 16),
                     _mm256_extracti128_si256(packed, 1));
  }
  if (!_mm256_testz_si256(bad, bad)) return kInvalidBlock;
  // A last block of 16 characters, when there is one, in the narrower step.
  if (i + 16 <= n) {
    const size_t more = DecodeSsse3(src + i, n - i, dst);
    if (more == kInvalidBlock) return kInvalidBlock;
    i += more;
  }
  return i;
}

enum class Step { kNone, kSsse3, kAvx2 };

Step DetectStep() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2")) return Step::kAvx2;
  if (__builtin_cpu_supports("ssse3")) return Step::kSsse3;
  return Step::kNone;
}

// Detected on first use (not at static initialization, which another
// translation unit's initializers might precede).
Step ChosenStep() {
  static const Step step = DetectStep();
  return step;
}

#endif  // defined(__x86_64__)

}  // namespace

size_t DecodeBlocks(const uint8_t* src, size_t n, char* dst) {
  if (!g_vector_steps_enabled.load(std::memory_order_relaxed)) return 0;
#if defined(__x86_64__)
  switch (ChosenStep()) {
    case Step::kAvx2:
      return DecodeAvx2(src, n, dst);
    case Step::kSsse3:
      return DecodeSsse3(src, n, dst);
    case Step::kNone:
      break;
  }
#endif
  return 0;
}

bool VectorStepsAvailable() {
#if defined(__x86_64__)
  return ChosenStep() != Step::kNone;
#else
  return false;
#endif
}

void SetVectorStepsEnabledForTesting(bool enabled) {
  g_vector_steps_enabled.store(enabled, std::memory_order_relaxed);
}

}  // namespace meshid::base64url_internal
