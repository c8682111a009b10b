#include "common/token/claims_scanner.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "common/token/token_verifier.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace meshid {
namespace {

// A plain-string payload has no byte below 0x20, none >= 0x80 and no
// backslash anywhere (outside strings the subset allows only structure and
// digits), so every '"' in it opens or closes a string. One pass over the
// whole payload checks that and records where the quotes are, one bit per
// byte; the scanner then finds the end of each string with a bit scan
// instead of a byte loop whose exit the CPU cannot predict.
struct QuoteMap {
  static constexpr size_t kWords = (kMaxTokenBytes + 63) / 64;
  uint64_t bits[kWords];
};

#if defined(__SSE2__)
// One 64-byte stretch: its quote bits, and any bad byte ORed into `bad`.
inline uint64_t MapStretch(const char* p, __m128i* bad) {
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  uint64_t word = 0;
  for (int k = 0; k < 4; ++k) {
    const __m128i v =
        _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * k));
    // The signed compare with 0x20 also catches bytes >= 0x80 (negative as
    // int8).
    *bad = _mm_or_si128(*bad, _mm_or_si128(_mm_cmpeq_epi8(v, backslash),
                                           _mm_cmplt_epi8(v, space)));
    word |= static_cast<uint64_t>(static_cast<uint32_t>(
                _mm_movemask_epi8(_mm_cmpeq_epi8(v, quote))))
            << (16 * k);
  }
  return word;
}
#endif

// Fills `map` for `p[0, n)` (n <= kMaxTokenBytes); false when a byte outside
// printable ASCII or a backslash occurs.
bool MapQuotes(const char* p, size_t n, QuoteMap* map) {
#if defined(__SSE2__)
  __m128i bad = _mm_setzero_si128();
  size_t i = 0;
  for (; i + 64 <= n; i += 64) map->bits[i / 64] = MapStretch(p + i, &bad);
  if (i < n) {
    // The last partial stretch, padded with a byte that is neither bad nor
    // a quote.
    char last[64];
    std::memset(last, 'a', sizeof(last));
    std::memcpy(last, p + i, n - i);
    map->bits[i / 64] = MapStretch(last, &bad);
  }
  return _mm_movemask_epi8(bad) == 0;
#else
  for (size_t w = 0; w * 64 < n; ++w) map->bits[w] = 0;
  for (size_t j = 0; j < n; ++j) {
    const auto c = static_cast<uint8_t>(p[j]);
    if (c < 0x20 || c >= 0x80 || c == '\\') return false;
    map->bits[j / 64] |= static_cast<uint64_t>(c == '"') << (j % 64);
  }
  return true;
#endif
}

// The index of the first '"' after position `from` in `p[0, n)`, or n when
// there is none.
size_t NextQuote(const QuoteMap& quotes, size_t from, size_t n) {
  const size_t at = from + 1;
  if (at >= n) return n;
  size_t w = at / 64;
  const uint64_t word = quotes.bits[w] >> (at % 64);
  if (word != 0) return at + static_cast<size_t>(__builtin_ctzll(word));
  const size_t last = (n - 1) / 64;
  while (++w <= last) {
    if (quotes.bits[w] != 0) {
      return w * 64 + static_cast<size_t>(__builtin_ctzll(quotes.bits[w]));
    }
  }
  return n;
}

// Whether each of the eight bytes of `word` is an ASCII digit: its high
// nibble is 3, and stays 3 when 6 is added (no byte carries into the next:
// a byte with high nibble 3 plus 6 stays below 0x100).
bool AllDigits(uint64_t word) {
  constexpr uint64_t kHigh = 0xF0F0F0F0F0F0F0F0;
  constexpr uint64_t kThrees = 0x3030303030303030;
  return (word & kHigh) == kThrees &&
         ((word + 0x0606060606060606) & kHigh) == kThrees;
}

// The value of eight ASCII digits read as a little-endian word (the first
// digit in the low byte): pairs, then quads, then the eight, each step one
// multiply-add across lanes.
uint64_t EightDigitsValue(uint64_t word) {
  word -= 0x3030303030303030;
  word = word * 10 + (word >> 8);  // byte 2k: the value of digits 2k, 2k+1
  word = ((word & 0x000000FF000000FF) * (100 + (1000000ULL << 32)) +
          ((word >> 16) & 0x000000FF000000FF) * (1 + (10000ULL << 32))) >>
         32;
  return word;
}

// The members in the order TokenSigner writes them, each as the bytes that
// open it ("name":), kept as two masked little-endian words so that a match
// is two compares.
struct ExpectedName {
  uint64_t word[2];
  uint64_t mask[2];
  size_t size;
  Claim ClaimSet::*member;
};

constexpr ExpectedName MakeExpected(const char* name, Claim ClaimSet::*member) {
  ExpectedName e{{0, 0}, {0, 0}, 0, member};
  size_t k = 0;
  auto put = [&e, &k](char c) {
    e.word[k / 8] |= uint64_t{static_cast<uint8_t>(c)} << (8 * (k % 8));
    e.mask[k / 8] |= uint64_t{0xFF} << (8 * (k % 8));
    ++k;
  };
  put('"');
  for (const char* c = name; *c != '\0'; ++c) put(*c);
  put('"');
  put(':');
  e.size = k;
  return e;
}

constexpr ExpectedName kSignerOrder[] = {
    MakeExpected("iss", &ClaimSet::iss),
    MakeExpected("sub", &ClaimSet::sub),
    MakeExpected("aud", &ClaimSet::aud),
    MakeExpected("exp", &ClaimSet::exp),
    MakeExpected("nbf", &ClaimSet::nbf),
    MakeExpected("iat", &ClaimSet::iat),
    MakeExpected("jti", &ClaimSet::jti),
    MakeExpected("client_id", &ClaimSet::client_id),
    MakeExpected("scope", &ClaimSet::scope),
    MakeExpected("roles", &ClaimSet::roles),
    MakeExpected("pst", &ClaimSet::pst),
};
constexpr size_t kSignerOrderSize =
    sizeof(kSignerOrder) / sizeof(*kSignerOrder);

// A shortcut for the member name at `*i`: when the bytes there are
// `"<name>":` for the signer's next claim (or one after claims the signer
// left out), returns that claim's slot and moves `*i` past the colon.
// Otherwise returns nullptr, leaving `*i` alone, and the caller reads the
// name the long way. Either way the name read is exactly the same.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "names are matched as little-endian words");

Claim* MatchExpectedName(const char* p, size_t n, size_t* i,
                         size_t* next_expected, ClaimSet* out) {
  if (n - *i < 16) return nullptr;  // the two words must be readable
  uint64_t word[2];
  std::memcpy(word, p + *i, sizeof(word));
  while (*next_expected < kSignerOrderSize) {
    const ExpectedName& e = kSignerOrder[(*next_expected)++];
    if ((word[0] & e.mask[0]) == e.word[0] &&
        (word[1] & e.mask[1]) == e.word[1]) {
      *i += e.size;
      return &(out->*e.member);
    }
  }
  return nullptr;
}

}  // namespace

// One function with the cursor in a local: as a member it would have to be
// reloaded after every store into the ClaimSet (a size_t there may alias
// it), which doubled the scan's time.
bool ScanProfileClaims(absl::string_view payload, ClaimSet* out) {
  out->Clear();
  const char* const p = payload.data();
  const size_t n = payload.size();
  if (n > kMaxTokenBytes) return false;
  QuoteMap quotes;  // not initialized: MapQuotes writes the words it uses
  if (!MapQuotes(p, n, &quotes)) return false;
  if (n < 2 || p[0] != '{') return false;
  if (p[1] == '}') return n == 2;
  size_t i = 1;
  size_t values = 1;  // the root
  size_t next_expected = 0;
  while (true) {
    // "name": a plain string (MapQuotes has checked every byte of it).
    Claim* slot = MatchExpectedName(p, n, &i, &next_expected, out);
    size_t end;
    if (slot == nullptr) {
      if (i >= n || p[i] != '"') return false;
      end = NextQuote(quotes, i, n);
      if (end >= n) return false;
      slot = ClaimSlot(absl::string_view(p + i + 1, end - i - 1), out);
      if (slot == nullptr) return false;
      i = end + 1;
      if (i >= n || p[i] != ':') return false;
      ++i;
    }
    if (slot->present) return false;
    if (i >= n || ++values > kMaxTokenJsonValues) return false;
    slot->present = true;
    const char c = p[i];
    if (c == '"') {
      end = NextQuote(quotes, i, n);
      if (end >= n) return false;
      slot->type = json::JsonType::kString;
      slot->text = absl::string_view(p + i + 1, end - i - 1);
      i = end + 1;
    } else if (c >= '0' && c <= '9') {
      // 0 or [1-9][0-9]{0,17}: such a literal fits int64. What follows is
      // checked below: a fraction or an exponent makes the scanner decline.
      const size_t start = i;
      int64_t value = 0;
      if (c == '0') {
        ++i;
      } else {
        if (n - i >= 8) {  // dates have ten digits: take eight at once
          uint64_t word;
          std::memcpy(&word, p + i, sizeof(word));
          if (AllDigits(word)) {
            value = EightDigitsValue(word);
            i += 8;
          }
        }
        while (i < n && p[i] >= '0' && p[i] <= '9') {
          if (i - start == 18) return false;  // a 19th digit
          value = value * 10 + (p[i] - '0');
          ++i;
        }
      }
      slot->type = json::JsonType::kNumber;
      slot->text = absl::string_view(p + start, i - start);
      slot->is_small_integer = true;
      slot->integer = value;
    } else if (c == '[') {
      // An array of plain strings; only the roles' elements are kept.
      slot->type = json::JsonType::kArray;
      const bool keep = slot == &out->roles;
      ++i;
      if (i < n && p[i] == ']') {
        ++i;
      } else {
        while (true) {
          if (i >= n || p[i] != '"' || ++values > kMaxTokenJsonValues) {
            return false;
          }
          end = NextQuote(quotes, i, n);
          if (end >= n) return false;
          if (keep) {
            out->role_names.emplace_back(p + i + 1, end - i - 1);
          }
          i = end + 1;
          if (i < n && p[i] == ',') {
            ++i;
            continue;
          }
          if (i < n && p[i] == ']') {
            ++i;
            break;
          }
          return false;
        }
      }
    } else {
      return false;
    }
    if (i >= n) return false;
    if (p[i] == ',') {
      ++i;
      continue;
    }
    return p[i] == '}' && i + 1 == n;
  }
}

}  // namespace meshid
