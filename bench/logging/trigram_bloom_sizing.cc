// trigram_bloom_sizing: how big the text blocks' Bloom filters are and how
// often they let a block through that does not hold the needle, for a few
// (bits per gram, hash count) choices, on blocks of kMaxBlockEntries
// messages. The numbers behind kBitsPerGram and kHashCount
// (logging/store/trigram_bloom.h); BENCHMARKS.md, meshid-log.
//
//   build/bench/logging/trigram_bloom_sizing [--rows=1000000]
//
// Two message sets: log_bench's data set (five short messages and a rare
// "worker panic"), and varied request lines with numbers and hex ids, whose
// blocks hold hundreds of distinct grams. "gram fp" is the rate at which one
// random 3-gram that no message of the block holds passes the filter (the
// Bloom filter's own rate); "pass" counts blocks let through for a needle
// against those that hold it (a needle whose grams all occur in a block,
// though not together, passes whatever the filter: that is the n-gram
// method's limit, not the filter's).
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/match.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "bench/logging/synthetic_entries.h"
#include "logging/store/text_blocks.h"
#include "logging/store/trigram_bloom.h"

ABSL_FLAG(int64_t, rows, 1000000, "Messages per set");

namespace meshid::bench {
namespace {

namespace lg = ::meshid::logging;

std::vector<std::string> BenchMessages(int64_t rows) {
  std::vector<std::string> messages;
  messages.reserve(rows);
  const absl::Time now = absl::Now();
  for (int64_t first = 0; first < rows; first += 10000) {
    for (lg::LogRecord& r :
         DatasetRows(first, std::min<int64_t>(10000, rows - first), now)) {
      messages.push_back(std::move(r.message));
    }
  }
  return messages;
}

std::vector<std::string> VariedMessages(int64_t rows) {
  std::mt19937_64 rng(1);
  const char* verbs[] = {"GET", "POST", "PUT", "DELETE"};
  std::vector<std::string> messages;
  messages.reserve(rows);
  for (int64_t i = 0; i < rows; ++i) {
    const uint64_t h = rng();
    messages.push_back(absl::StrFormat(
        "%s /api/v1/users/%d/orders?page=%d took %dms status=%d trace=%016x",
        verbs[h % 4], (h >> 8) % 100000, (h >> 20) % 50, (h >> 30) % 900,
        200 + (h >> 40) % 4 * 100, rng()));
  }
  return messages;
}

void Measure(const char* name, const std::vector<std::string>& messages,
             const std::vector<std::string>& needles) {
  const size_t block = lg::kMaxBlockEntries;
  for (const auto& [bits, hashes] : std::vector<std::pair<int, int>>{
           {6, 2}, {8, 3}, {10, 4}, {12, 5}, {16, 6}}) {
    std::vector<std::string> filters;
    size_t bytes = 0;
    const auto start = std::chrono::steady_clock::now();
    for (size_t begin = 0; begin < messages.size(); begin += block) {
      lg::TrigramBloomBuilder builder(bits, hashes);
      for (size_t i = begin; i < std::min(messages.size(), begin + block);
           ++i) {
        builder.Add(messages[i]);
      }
      filters.push_back(builder.Finish());
      bytes += filters.back().size();
    }
    const double ns = std::chrono::duration<double, std::nano>(
                          std::chrono::steady_clock::now() - start)
                          .count() /
                      messages.size();
    // One random absent gram per block, many times.
    std::mt19937 rng(7);
    int64_t tested = 0, passed = 0;
    for (size_t b = 0; b < filters.size(); ++b) {
      std::string text;
      for (size_t i = b * block; i < std::min(messages.size(), (b + 1) * block);
           ++i) {
        text += messages[i] + "\n";
      }
      for (int t = 0; t < 20; ++t) {
        std::string gram(3, ' ');
        for (char& c : gram) c = static_cast<char>('!' + rng() % 90);
        if (absl::StrContains(text, gram)) continue;
        ++tested;
        passed += lg::TrigramProbe(gram).MayMatch(filters[b]);
      }
    }
    std::printf(
        "%-6s bits/gram %2d hashes %d: %6.2f filter bytes/entry, build "
        "%4.0f ns/entry, gram fp %.4f\n",
        name, bits, hashes, static_cast<double>(bytes) / messages.size(), ns,
        static_cast<double>(passed) / tested);
    for (const std::string& needle : needles) {
      const lg::TrigramProbe probe(needle);
      int64_t holding = 0, passing = 0;
      for (size_t b = 0; b < filters.size(); ++b) {
        bool holds = false;
        for (size_t i = b * block;
             i < std::min(messages.size(), (b + 1) * block) && !holds; ++i) {
          holds = absl::StrContains(messages[i], needle);
        }
        holding += holds;
        passing += probe.MayMatch(filters[b]);
      }
      std::printf("         %-16s blocks holding it %6lld, passing %6lld\n",
                  needle.c_str(), static_cast<long long>(holding),
                  static_cast<long long>(passing));
    }
  }
}

}  // namespace
}  // namespace meshid::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int64_t rows = absl::GetFlag(FLAGS_rows);
  meshid::bench::Measure("bench", meshid::bench::BenchMessages(rows),
                         {"panic", "Panic", "zebra", "cache miss"});
  meshid::bench::Measure("varied", meshid::bench::VariedMessages(rows),
                         {"panic", "qqq", "trace=0000", "took 123ms"});
  return 0;
}
