// A Bloom filter of the byte 3-grams of some texts: the summary a block of
// log entries keeps of its messages, so that a `text_contains` Query can
// skip blocks that cannot hold the needle (text_blocks.h).
//
//   TrigramBloomBuilder builder;
//   builder.Add("worker panic: index out of range");
//   std::string filter = builder.Finish();      // stored with the block
//   TrigramProbe probe("panic");
//   probe.MayMatch(filter);                     // true: maybe, false: never
//
// Grams are bytes, not characters: `text_contains` is a case-sensitive
// substring test on UTF-8 (log_query_sql.h), and a byte substring of valid
// UTF-8 is a character substring, so every 3-byte window of a matching
// message is a window of the needle too. A needle shorter than 3 bytes has
// no gram and cannot be tested (TrigramProbe::usable() is false).
//
// Filter bytes: [version 1][hash count k][bits...]. The bit count is sized
// per block from its distinct grams (kBitsPerGram each, in whole 64-bit
// words), so a block of repetitive messages stays small. Anything else
// (another version, no bits) is treated as "may match": a filter can only
// ever cost a scan, never a missed entry.
#ifndef MESHID_LOGGING_STORE_TRIGRAM_BLOOM_H_
#define MESHID_LOGGING_STORE_TRIGRAM_BLOOM_H_

#include <bitset>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace meshid::logging {

inline constexpr size_t kTrigramBytes = 3;
// Chosen from a measurement (BENCHMARKS.md, meshid-log text blocks): 10
// bits and 4 hashes give each gram a false positive rate of about 1.2%,
// and a needle needs all its grams to pass.
inline constexpr int kBitsPerGram = 10;
inline constexpr int kHashCount = 4;
inline constexpr uint8_t kTrigramBloomVersion = 1;
// The map that estimates a block's distinct grams (trigram_bloom.cc).
inline constexpr int kCountingBitsLog2 = 16;
inline constexpr size_t kCountingBits = size_t{1} << kCountingBitsLog2;

class TrigramBloomBuilder {
 public:
  // Other sizes only for measuring (bench/logging/trigram_bloom_sizing.cc):
  // the filter records its hash count, so probes read either.
  explicit TrigramBloomBuilder(int bits_per_gram = kBitsPerGram,
                               int hash_count = kHashCount)
      : bits_per_gram_(bits_per_gram), hash_count_(hash_count) {}

  // Adds every 3-byte window of `text`.
  void Add(absl::string_view text);
  // The filter of everything added (also for nothing added: a filter no
  // needle passes). Resets the builder.
  std::string Finish();

 private:
  int bits_per_gram_;
  int hash_count_;
  std::vector<uint32_t> grams_;  // every window added, duplicates included
  std::unique_ptr<std::bitset<kCountingBits>> counting_map_;  // reused, 8 KB
};

class TrigramProbe {
 public:
  explicit TrigramProbe(absl::string_view needle);

  // False for a needle shorter than kTrigramBytes: no filter can rule it out.
  bool usable() const { return !grams_.empty(); }
  // False only when no text added to `filter` can contain the needle.
  bool MayMatch(absl::string_view filter) const;

 private:
  std::vector<uint32_t> grams_;  // distinct
};

}  // namespace meshid::logging

#endif  // MESHID_LOGGING_STORE_TRIGRAM_BLOOM_H_
