#include "logging/store/trigram_bloom.h"

#include <algorithm>

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
  SortUnique(&grams_);
  const uint64_t wanted =
      static_cast<uint64_t>(grams_.size()) * std::max(1, bits_per_gram_);
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
