#include "common/crypto/hmac_sha256.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "tests/common/crypto/wycheproof_loader.h"

namespace meshid::crypto {
namespace {

std::string ToString(const HmacSha256Tag& tag) {
  return std::string(reinterpret_cast<const char*>(tag.data()), tag.size());
}

std::string Unbase64Url(absl::string_view in) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(in, &out)) << in;
  return out;
}

// Deterministic filler bytes for size sweeps.
std::string Pattern(size_t n, uint8_t seed) {
  std::string out(n, '\0');
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<char>(seed + 31 * i);
  return out;
}

HmacSha256Key MakeKey(absl::string_view secret) {
  absl::StatusOr<HmacSha256Key> key = HmacSha256Key::Create(secret);
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

// OpenSSL's one-shot HMAC(): an independent path to the expected tag.
std::string ReferenceHmac(absl::string_view key, absl::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int out_size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(),
       out, &out_size);
  return std::string(reinterpret_cast<const char*>(out), out_size);
}

TEST(HmacSha256WycheproofTest, AllVectors) {
  const std::string path = wycheproof::Path("hmac_sha256_test.json");
  absl::StatusOr<wycheproof::File> file = wycheproof::LoadFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  // tests/data/wycheproof/README.md
  EXPECT_EQ(file->sha256_hex,
            "2d201cfa61d1bf95e6f5d07d96634b4a348b31e8eaa277ad7c8d09677b7a743f");
  EXPECT_EQ(file->algorithm, "HMACSHA256");

  wycheproof::Tally tally;
  int full_tag_cases = 0;
  for (const wycheproof::Group& group : file->groups) {
    ASSERT_EQ(group.type, "MacTest");
    ASSERT_TRUE(group.tag_size == 256 || group.tag_size == 128)
        << group.tag_size;
    for (const wycheproof::Case& test : group.tests) {
      SCOPED_TRACE(absl::StrCat("tcId ", test.tc_id, " (", test.comment,
                                "), tagSize ", group.tag_size));
      ASSERT_EQ(static_cast<int64_t>(test.key.size() * 8), group.key_size);
      HmacSha256Key key = MakeKey(test.key);
      const bool accepted = key.Verify(test.msg, test.tag);
      tally.Add(test.result, accepted);
      if (group.tag_size == 256) {
        ++full_tag_cases;
        EXPECT_EQ(accepted, test.result == wycheproof::Result::kValid);
        if (test.result == wycheproof::Result::kValid) {
          EXPECT_EQ(ToString(key.Sign(test.msg)), test.tag);
        }
      } else {
        // HS256 accepts only full 32-byte tags, even a correct truncation.
        EXPECT_FALSE(accepted);
        if (test.result == wycheproof::Result::kValid) {
          // ...and it is rejected for its length alone: our tag starts with
          // it.
          EXPECT_EQ(ToString(key.Sign(test.msg)).substr(0, test.tag.size()),
                    test.tag);
        }
      }
    }
  }
  // README: 174 tests (66 valid, 108 invalid); 87 have full-size tags, of
  // which 33 are valid. All truncated-tag cases are rejected.
  EXPECT_EQ(tally.total, file->number_of_tests);
  EXPECT_EQ(tally.total, 174);
  EXPECT_EQ(tally.valid, 66);
  EXPECT_EQ(tally.invalid, 108);
  EXPECT_EQ(tally.acceptable, 0);
  EXPECT_EQ(full_tag_cases, 87);
  EXPECT_EQ(tally.accepted, 33);
  EXPECT_EQ(tally.rejected, 141);
}

// RFC 7515 appendix A.1: HS256 with a 64-byte key (exactly the SHA-256 block
// size, so the key is used unhashed).
TEST(HmacSha256Test, Rfc7515A1KnownAnswer) {
  const std::string key_bytes = absl::HexStringToBytes(
      "0323354b2b0fa5bc837e0665777ba68f5ab328e6f054c928a90f84b2d2502ebf"
      "d3fb5a92d20647ef968ab4c377623d223d2e2172052e4f08c0cd9af567d080a3");
  ASSERT_EQ(key_bytes.size(), 64u);
  ASSERT_EQ(key_bytes,
            Unbase64Url("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH7"
                        "5aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"));
  const std::string signing_input =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
      "bS9pc19yb290Ijp0cnVlfQ";
  const std::string expected = absl::HexStringToBytes(
      "7418dfb49799e0254ffa607dd8adbbba16d4254d69d6bff05b58055853848d79");
  ASSERT_EQ(expected,
            Unbase64Url("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"));

  HmacSha256Key key = MakeKey(key_bytes);
  EXPECT_EQ(ToString(key.Sign(signing_input)), expected);
  EXPECT_TRUE(key.Verify(signing_input, expected));
  std::string altered = signing_input;
  altered.back() ^= 1;
  EXPECT_FALSE(key.Verify(altered, expected));
}

// 32-byte keys, the size meshid generates: RFC 7520 section 4.4 and the
// Wycheproof JWS HS256 group (tcId 1), both from
// tests/data/rfc-known-answers.md, and a second path (OpenSSL's HMAC()).
TEST(HmacSha256Test, ThirtyTwoByteKeyKnownAnswers) {
  struct Vector {
    const char* key;
    const char* signing_input;
    const char* tag;
  };
  const Vector vectors[] = {
      {"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg",
       "eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNG"
       "JjNzAzNyJ9."
       "SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG"
       "9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlv"
       "dXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZX"
       "B0IG9mZiB0by4",
       "s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0"},
      {"-ebuDNsVZ2iJtoZ-akfXTSCt4UO2cruLCsbWlBinggE",
       "eyJhbGciOiJIUzI1NiIsImtpZCI6ImtpZC1hZXMtc2lnbiJ9.Zm9v",
       "TD37p4c_0jmreSrBSDmE0F3mYSPtkZ3WrSyI5wb_KTg"},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.tag);
    const std::string key_bytes = Unbase64Url(v.key);
    ASSERT_EQ(key_bytes.size(), 32u);
    const std::string tag = Unbase64Url(v.tag);
    HmacSha256Key key = MakeKey(key_bytes);
    EXPECT_EQ(ToString(key.Sign(v.signing_input)), tag);
    EXPECT_EQ(ReferenceHmac(key_bytes, v.signing_input), tag);
    EXPECT_TRUE(key.Verify(v.signing_input, tag));
  }
}

// Every key size around the block-size boundaries (0, < 64, 64, > 64 which
// RFC 2104 hashes) and message sizes around SHA-256 padding boundaries agree
// with OpenSSL's one-shot HMAC().
TEST(HmacSha256Test, MatchesOneShotHmacForAllSizes) {
  for (size_t key_size : {0, 1, 16, 31, 32, 33, 63, 64, 65, 100, 128, 1000}) {
    const std::string secret = Pattern(key_size, 7);
    HmacSha256Key key = MakeKey(secret);
    for (size_t message_size :
         {0, 1, 55, 56, 63, 64, 65, 119, 120, 300, 4096}) {
      SCOPED_TRACE(absl::StrCat("key ", key_size, " message ", message_size));
      const std::string message = Pattern(message_size, 3);
      const std::string expected = ReferenceHmac(secret, message);
      EXPECT_EQ(ToString(key.Sign(message)), expected);
      EXPECT_TRUE(key.Verify(message, expected));
    }
  }
}

TEST(HmacSha256Test, LongKeyIsHashedFirst) {
  const std::string long_secret = Pattern(65, 1);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(long_secret.data()),
         long_secret.size(), digest);
  const HmacSha256Key long_key = MakeKey(long_secret);
  const HmacSha256Key hashed_key = MakeKey(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
  EXPECT_EQ(long_key.Sign("message"), hashed_key.Sign("message"));
}

TEST(HmacSha256Test, RejectsTagsOfWrongLength) {
  const HmacSha256Key key = MakeKey(Pattern(32, 9));
  const std::string message = "header.payload";
  const std::string tag = ToString(key.Sign(message));
  ASSERT_TRUE(key.Verify(message, tag));
  const std::string doubled = tag + tag;
  for (size_t size : {0, 1, 16, 31, 33, 63, 64, 65}) {
    SCOPED_TRACE(size);
    // Prefixes of the correct tag and the correct tag followed by more bytes.
    const std::string candidate =
        size <= doubled.size() ? doubled.substr(0, size) : doubled + "x";
    EXPECT_FALSE(key.Verify(message, candidate));
  }
  EXPECT_FALSE(key.Verify(message, tag + std::string(1, '\0')));
}

TEST(HmacSha256Test, RejectsEveryFlippedBit) {
  const HmacSha256Key key = MakeKey("secret");
  const std::string message = "header.payload";
  const std::string tag = ToString(key.Sign(message));
  for (size_t bit = 0; bit < tag.size() * 8; ++bit) {
    std::string bad = tag;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(key.Verify(message, bad)) << "bit " << bit;
  }
  EXPECT_FALSE(key.Verify("header.payloaD", tag));
  EXPECT_FALSE(MakeKey("secreT").Verify(message, tag));
}

TEST(HmacSha256Test, MoveKeepsTheKey) {
  HmacSha256Key key = MakeKey("k1");
  const HmacSha256Tag expected = key.Sign("m");
  HmacSha256Key moved(std::move(key));
  EXPECT_EQ(moved.Sign("m"), expected);
  HmacSha256Key other = MakeKey("k2");
  other = std::move(moved);
  EXPECT_EQ(other.Sign("m"), expected);
}

// Sign/Verify are const and share only read-only state; run them from several
// threads at once (meaningful under TSan, harmless otherwise).
TEST(HmacSha256Test, ConcurrentUse) {
  const HmacSha256Key key = MakeKey(Pattern(32, 5));
  const std::string message = Pattern(300, 11);
  const std::string expected = ReferenceHmac(Pattern(32, 5), message);
  std::vector<int> failures(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        if (!key.Verify(message, expected)) ++failures[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace meshid::crypto
