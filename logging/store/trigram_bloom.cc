#include "logging/store/trigram_bloom.h"

#include <algorithm>
#include <bitset>
#include <cmath>

namespace meshid::logging {
namespace {

constexpr size_t kHeaderBytes = 2;

uint32_t GramAt(absl::string_view text, size_t i) {
  return static_cast<uint32_t>(static_cast<uint8_t>(text[i])) |
         static_cast<uint32_t>(static_cast<uint8_t>(text[i + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(text[i + 2])) << 16;
}

void AppendGrams(absl::string_view text, std::vector<uint32_t>* grams) {
  if (text.size() < kTrigramBytes) return;
  for (size_t i = 0; i + kTrigramBytes <= text.size(); ++i) {
    grams->push_back(GramAt(text, i));
  }
}

void SortUnique(std::vector<uint32_t>* grams) {
  std::sort(grams->begin(), grams->end());
  grams->erase(std::unique(grams->begin(), grams->end()), grams->end());
}

uint64_t Mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

// Linear counting (Whang et al. 1990): with `grams` hashed into a map of m
// bits, of which z stay zero, about -m ln(z/m) of them are distinct. It
// sizes the filter like an exact count would (for a block's few thousand
// grams the error is well under 1%), at one hash and one bit per gram
// instead of a sort of every gram in the block. A full map (z = 0) means
// more distinct grams than it can tell: then every gram counts.
size_t EstimateDistinct(const std::vector<uint32_t>& grams,
                        std::bitset<kCountingBits>* map) {
  map->reset();
  for (const uint32_t gram : grams) {
    map->set(Mix(gram) >> (64 - kCountingBitsLog2));
  }
  const size_t zeros = kCountingBits - map->count();
  if (zeros == 0) return grams.size();
  const double m = static_cast<double>(kCountingBits);
  const double estimate = -m * std::log(static_cast<double>(zeros) / m);
  return std::min(grams.size(), static_cast<size_t>(std::llround(estimate)));
}

// The i-th bit of `gram` in a filter of `bits` bits: double hashing, and a
// multiply-shift instead of a modulo (bits is not a power of two).
class BitPositions {
 public:
  BitPositions(uint32_t gram, uint64_t bits) : bits_(bits) {
    const uint64_t h = Mix(gram + 0x9e3779b97f4a7c15ULL);
    h1_ = static_cast<uint32_t>(h);
    h2_ = static_cast<uint32_t>(h >> 32) | 1;
  }
  uint64_t At(int i) const {
    const uint32_t h = h1_ + static_cast<uint32_t>(i) * h2_;
    return (static_cast<uint64_t>(h) * bits_) >> 32;
  }

 private:
  uint64_t bits_;
  uint32_t h1_;
  uint32_t h2_;
};

}  // namespace

void TrigramBloomBuilder::Add(absl::string_view text) {
  AppendGrams(text, &grams_);
}

std::string TrigramBloomBuilder::Finish() {
  if (counting_map_ == nullptr) {
    counting_map_ = std::make_unique<std::bitset<kCountingBits>>();
  }
  // Duplicates are set again below, which changes nothing: only the size
  // needs the distinct count.
  const size_t distinct = EstimateDistinct(grams_, counting_map_.get());
  const uint64_t wanted =
      static_cast<uint64_t>(distinct) * std::max(1, bits_per_gram_);
  const uint64_t words = std::max<uint64_t>(1, (wanted + 63) / 64);
  const uint64_t bits = words * 64;
  std::string filter(kHeaderBytes + words * 8, '\0');
  filter[0] = static_cast<char>(kTrigramBloomVersion);
  const int hashes = std::min(std::max(1, hash_count_), 255);
  filter[1] = static_cast<char>(hashes);
  unsigned char* data = reinterpret_cast<unsigned char*>(&filter[kHeaderBytes]);
  for (const uint32_t gram : grams_) {
    const BitPositions positions(gram, bits);
    for (int i = 0; i < hashes; ++i) {
      const uint64_t bit = positions.At(i);
      data[bit >> 3] |= static_cast<unsigned char>(1u << (bit & 7));
    }
  }
  grams_.clear();
  return filter;
}

TrigramProbe::TrigramProbe(absl::string_view needle) {
  AppendGrams(needle, &grams_);
  SortUnique(&grams_);
}

bool TrigramProbe::MayMatch(absl::string_view filter) const {
  if (filter.size() <= kHeaderBytes ||
      static_cast<uint8_t>(filter[0]) != kTrigramBloomVersion) {
    return true;
  }
  const int hashes = static_cast<uint8_t>(filter[1]);
  const uint64_t bits = static_cast<uint64_t>(filter.size() - kHeaderBytes) * 8;
  const unsigned char* data =
      reinterpret_cast<const unsigned char*>(filter.data() + kHeaderBytes);
  for (const uint32_t gram : grams_) {
    const BitPositions positions(gram, bits);
    for (int i = 0; i < hashes; ++i) {
      const uint64_t bit = positions.At(i);
      if ((data[bit >> 3] & (1u << (bit & 7))) == 0) return false;
    }
  }
  return true;
}

}  // namespace meshid::logging
