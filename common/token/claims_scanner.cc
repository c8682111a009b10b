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

class Scanner {
 public:
  Scanner(absl::string_view in, ClaimSet* out)
      : p_(in.data()), n_(in.size()), out_(out) {}

  bool Run() {
    if (n_ > kMaxTokenBytes || !MapQuotes(p_, n_, &quotes_)) return false;
    if (!Consume('{')) return false;
    values_ = 1;  // the root
    if (Consume('}')) return i_ == n_;
    while (true) {
      absl::string_view name;
      if (!String(&name)) return false;
      Claim* slot = ClaimSlot(name, out_);
      if (slot == nullptr || slot->present) return false;
      if (!Consume(':')) return false;
      if (!Value(slot, slot == &out_->roles)) return false;
      if (Consume(',')) continue;
      return Consume('}') && i_ == n_;
    }
  }

 private:
  bool Consume(char c) {
    if (i_ < n_ && p_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  bool Count() { return ++values_ <= kMaxTokenJsonValues; }

  // The index of the first '"' after position `from`, or n_ when none.
  size_t NextQuote(size_t from) const {
    size_t at = from + 1;
    if (at >= n_) return n_;
    size_t w = at / 64;
    uint64_t word = quotes_.bits[w] >> (at % 64);
    if (word != 0) return at + static_cast<size_t>(__builtin_ctzll(word));
    const size_t last = (n_ - 1) / 64;
    while (++w <= last) {
      if (quotes_.bits[w] != 0) {
        return w * 64 + static_cast<size_t>(__builtin_ctzll(quotes_.bits[w]));
      }
    }
    return n_;
  }

  // A plain string at i_ (which must be '"'); MapQuotes has already checked
  // every byte of it.
  bool String(absl::string_view* out) {
    if (i_ >= n_ || p_[i_] != '"') return false;
    const size_t end = NextQuote(i_);
    if (end >= n_) return false;
    *out = absl::string_view(p_ + i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return true;
  }

  // 0 or [1-9][0-9]{0,17}, followed by ',' or '}' (left unconsumed): such a
  // literal fits int64 and is complete (no fraction or exponent follows).
  bool Integer(Claim* slot) {
    const size_t start = i_;
    int64_t value = 0;
    if (p_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < n_ && p_[i_] >= '0' && p_[i_] <= '9') {
        if (i_ - start == 18) return false;  // the 19th digit
        value = value * 10 + (p_[i_] - '0');
        ++i_;
      }
    }
    if (i_ == n_ || (p_[i_] != ',' && p_[i_] != '}')) return false;
    slot->text = absl::string_view(p_ + start, i_ - start);
    slot->is_small_integer = true;
    slot->integer = value;
    return true;
  }

  bool Value(Claim* slot, bool keep_elements) {
    if (i_ == n_ || !Count()) return false;
    slot->present = true;
    const char c = p_[i_];
    if (c == '"') {
      slot->type = json::JsonType::kString;
      return String(&slot->text);
    }
    if (c >= '0' && c <= '9') {
      slot->type = json::JsonType::kNumber;
      return Integer(slot);
    }
    if (c != '[') return false;
    slot->type = json::JsonType::kArray;
    ++i_;
    if (Consume(']')) return true;
    while (true) {
      absl::string_view element;
      if (!Count() || !String(&element)) return false;
      if (keep_elements) out_->role_names.push_back(element);
      if (Consume(',')) continue;
      return Consume(']');
    }
  }

  const char* const p_;
  const size_t n_;
  ClaimSet* const out_;
  size_t i_ = 0;
  size_t values_ = 0;
  QuoteMap quotes_;  // not initialized: MapQuotes writes the words it uses
};

}  // namespace

bool ScanProfileClaims(absl::string_view payload, ClaimSet* out) {
  out->Clear();
  return Scanner(payload, out).Run();
}

}  // namespace meshid
