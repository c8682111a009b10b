#include "common/crypto/aes_gcm.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace meshid::crypto {
namespace {

SecretBytes TestKey() { return SecretBytes(std::string(32, '\x11')); }

TEST(AesGcmTest, SealOpenRoundTrip) {
  const SecretBytes key = TestKey();
  absl::StatusOr<std::string> sealed =
      AesGcmSeal(key, "ed25519 seed bytes", "kid-1");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), kAesGcmNonceSize + 18 + kAesGcmTagSize);
  EXPECT_EQ(sealed->find("ed25519 seed bytes"), std::string::npos);

  absl::StatusOr<SecretBytes> opened = AesGcmOpen(key, *sealed, "kid-1");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->view(), "ed25519 seed bytes");
}

TEST(AesGcmTest, EmptyPlaintextAndAssociatedData) {
  const SecretBytes key = TestKey();
  absl::StatusOr<std::string> sealed = AesGcmSeal(key, "", "");
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_EQ(sealed->size(), kAesGcmNonceSize + kAesGcmTagSize);
  absl::StatusOr<SecretBytes> opened = AesGcmOpen(key, *sealed, "");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(opened->empty());
  EXPECT_EQ(AesGcmOpen(key, *sealed, "x").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AesGcmTest, FreshNonceEverySeal) {
  const SecretBytes key = TestKey();
  absl::StatusOr<std::string> a = AesGcmSeal(key, "same", "aad");
  absl::StatusOr<std::string> b = AesGcmSeal(key, "same", "aad");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->substr(0, kAesGcmNonceSize), b->substr(0, kAesGcmNonceSize));
  EXPECT_NE(*a, *b);
}

// The McGrew-Viega GCM specification, test case 16 (AES-256, 96-bit IV, with
// associated data), laid out as nonce || ciphertext || tag: checks Open
// against an independent implementation and the sealed format.
TEST(AesGcmTest, OpensGcmSpecTestCase16) {
  const SecretBytes key(absl::HexStringToBytes(
      "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"));
  const std::string sealed = absl::HexStringToBytes(absl::StrCat(
      "cafebabefacedbaddecaf888",
      "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
      "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
      "76fc6ece0f4e1768cddf8853bb2d551b"));
  const std::string aad =
      absl::HexStringToBytes("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  absl::StatusOr<SecretBytes> opened = AesGcmOpen(key, sealed, aad);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(opened->view(),
            absl::HexStringToBytes(
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a"
                "721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"));
}

// A flipped bit anywhere (nonce, ciphertext or tag) fails authentication.
TEST(AesGcmTest, AnyFlippedBitIsDataLoss) {
  const SecretBytes key = TestKey();
  absl::StatusOr<std::string> sealed =
      AesGcmSeal(key, "0123456789abcdef", "kid");
  ASSERT_TRUE(sealed.ok());
  for (size_t i = 0; i < sealed->size(); ++i) {
    for (int bit : {0, 7}) {
      std::string bad = *sealed;
      bad[i] ^= static_cast<char>(1 << bit);
      absl::StatusOr<SecretBytes> opened = AesGcmOpen(key, bad, "kid");
      EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss)
          << "byte " << i << " bit " << bit;
    }
  }
}

TEST(AesGcmTest, WrongAssociatedDataOrKeyIsDataLoss) {
  const SecretBytes key = TestKey();
  absl::StatusOr<std::string> sealed = AesGcmSeal(key, "secret", "kid-1");
  ASSERT_TRUE(sealed.ok());
  for (absl::string_view aad : {"kid-2", "kid-", "kid-11", ""}) {
    absl::StatusOr<SecretBytes> opened = AesGcmOpen(key, *sealed, aad);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << aad;
  }
  EXPECT_EQ(AesGcmOpen(key, *sealed, std::string("kid-1\0", 6)).status().code(),
            absl::StatusCode::kDataLoss);
  std::string other_key_bytes(32, '\x11');
  other_key_bytes[31] = '\x12';
  absl::StatusOr<SecretBytes> opened =
      AesGcmOpen(SecretBytes(std::move(other_key_bytes)), *sealed, "kid-1");
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(opened.status().message(), "sealed data failed authentication");
}

TEST(AesGcmTest, TooShortInputIsInvalidArgument) {
  const SecretBytes key = TestKey();
  for (size_t size : {0, 1, 12, 27}) {
    EXPECT_EQ(AesGcmOpen(key, std::string(size, 'x'), "").status().code(),
              absl::StatusCode::kInvalidArgument)
        << size;
  }
  // The shortest well-formed input is nonce + tag; random bytes of that size
  // fail authentication instead.
  EXPECT_EQ(AesGcmOpen(key, std::string(28, 'x'), "").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AesGcmTest, WrongKeySizeIsInvalidArgument) {
  absl::StatusOr<std::string> sealed = AesGcmSeal(TestKey(), "secret", "kid");
  ASSERT_TRUE(sealed.ok());
  for (size_t size : {0, 16, 24, 31, 33, 64}) {
    const SecretBytes key(std::string(size, '\x11'));
    EXPECT_EQ(AesGcmSeal(key, "secret", "kid").status().code(),
              absl::StatusCode::kInvalidArgument)
        << size;
    EXPECT_EQ(AesGcmOpen(key, *sealed, "kid").status().code(),
              absl::StatusCode::kInvalidArgument)
        << size;
  }
}

}  // namespace
}  // namespace meshid::crypto
