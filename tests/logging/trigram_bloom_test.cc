// The 3-gram Bloom filter of text blocks, in plain C++: no false negatives
// whatever the text, short needles never rule anything out, malformed
// filters never rule anything out, and the false positive rate stays near
// what kBitsPerGram and kHashCount promise.
#include "logging/store/trigram_bloom.h"

#include <random>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace meshid::logging {
namespace {

std::string RandomText(std::mt19937& rng, size_t length) {
  static const std::string kAlphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 :/_-%.";
  std::string text;
  for (size_t i = 0; i < length; ++i) {
    text.push_back(kAlphabet[rng() % kAlphabet.size()]);
  }
  return text;
}

TEST(TrigramBloomTest, EverySubstringOfAddedTextMayMatch) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    TrigramBloomBuilder builder;
    std::vector<std::string> texts;
    for (int i = 0; i < 64; ++i) {
      texts.push_back(RandomText(rng, rng() % 80));
      builder.Add(texts.back());
    }
    const std::string filter = builder.Finish();
    for (const std::string& text : texts) {
      for (size_t begin = 0; begin < text.size(); begin += 3) {
        const std::string needle = text.substr(begin, 3 + rng() % 10);
        EXPECT_TRUE(TrigramProbe(needle).MayMatch(filter)) << needle;
      }
    }
  }
}

TEST(TrigramBloomTest, GramsAreBytesSoUnicodeAndCaseWork) {
  TrigramBloomBuilder builder;
  builder.Add("caf\xC3\xA9 \xF0\x9F\x99\x82 Panic");
  const std::string filter = builder.Finish();
  EXPECT_TRUE(TrigramProbe("f\xC3\xA9").MayMatch(filter));
  EXPECT_TRUE(TrigramProbe("\xF0\x9F\x99\x82").MayMatch(filter));
  EXPECT_TRUE(TrigramProbe("Panic").MayMatch(filter));
  // Case matters, as in text_contains: "panic" was never added.
  EXPECT_FALSE(TrigramProbe("panic").MayMatch(filter));
  EXPECT_FALSE(TrigramProbe("caf\xC3\xA8").MayMatch(filter));
}

TEST(TrigramBloomTest, NeedlesShorterThanAGramRuleNothingOut) {
  TrigramBloomBuilder builder;
  builder.Add("xyz");
  const std::string filter = builder.Finish();
  for (const char* needle : {"", "a", "ab", "\xC3\xA9"}) {
    const TrigramProbe probe(needle);
    EXPECT_FALSE(probe.usable()) << needle;
    EXPECT_TRUE(probe.MayMatch(filter)) << needle;
  }
  EXPECT_TRUE(TrigramProbe("abc").usable());
}

TEST(TrigramBloomTest, AnEmptyBlockHoldsNoNeedle) {
  TrigramBloomBuilder builder;
  builder.Add("ab");  // shorter than a gram: nothing to remember
  const std::string filter = builder.Finish();
  EXPECT_FALSE(TrigramProbe("abc").MayMatch(filter));
}

TEST(TrigramBloomTest, UnknownOrTruncatedFiltersMayMatchAnything) {
  TrigramBloomBuilder builder;
  builder.Add("hello world");
  std::string other_version = builder.Finish();
  other_version[0] = static_cast<char>(kTrigramBloomVersion + 1);
  const TrigramProbe probe("absent");
  EXPECT_TRUE(probe.MayMatch(other_version));
  EXPECT_TRUE(probe.MayMatch(""));
  EXPECT_TRUE(probe.MayMatch(std::string(1, kTrigramBloomVersion)));
  EXPECT_TRUE(probe.MayMatch(std::string("\x01\x04", 2)));
}

TEST(TrigramBloomTest, SizeFollowsDistinctGrams) {
  TrigramBloomBuilder repeated;
  for (int i = 0; i < 64; ++i) repeated.Add("request served");
  TrigramBloomBuilder once;
  once.Add("request served");
  EXPECT_EQ(repeated.Finish().size(), once.Finish().size());
  // 12 distinct grams, kBitsPerGram each, in whole 64-bit words, + header.
  TrigramBloomBuilder check;
  check.Add("request served");
  EXPECT_EQ(check.Finish().size(), 2u + 8u * ((12 * kBitsPerGram + 63) / 64));
}

// Not a timing: the measured rate of one random gram passing a filter it
// was not added to, against the Bloom formula for kBitsPerGram and
// kHashCount (about 1.2%), with room for rounding up to whole words.
TEST(TrigramBloomTest, FalsePositiveRateOfOneGramIsNearTheDesign) {
  std::mt19937 rng(11);
  int tested = 0;
  int passed = 0;
  for (int round = 0; round < 200; ++round) {
    TrigramBloomBuilder builder;
    std::string added;
    for (int i = 0; i < 64; ++i) {
      const std::string text = RandomText(rng, 20);
      builder.Add(text);
      added += text + "\n";
    }
    const std::string filter = builder.Finish();
    for (int i = 0; i < 200; ++i) {
      const std::string gram = RandomText(rng, 3);
      if (absl::StrContains(added, gram)) continue;
      ++tested;
      if (TrigramProbe(gram).MayMatch(filter)) ++passed;
    }
  }
  const double rate = static_cast<double>(passed) / tested;
  EXPECT_LT(rate, 0.03) << passed << " of " << tested;
}

}  // namespace
}  // namespace meshid::logging
