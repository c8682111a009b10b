#include "common/crypto/ed25519.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/common/crypto/wycheproof_loader.h"

namespace meshid::crypto {
namespace {

// RFC 8037 appendix A.1 (= RFC 8032 section 7.1 TEST 1) and A.4.
constexpr char kRfc8037Seed[] =
    "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
constexpr char kRfc8037Public[] =
    "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
constexpr char kRfc8037SigningInput[] =
    "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
constexpr char kRfc8037Signature[] =
    "860c98d2297f3060a33f42739672d61b53cf3adefed3d3c672f320dc021b411e"
    "9d59b8628dc351e248b88b29468e0e41855b0fb7d83bb15be902bfccb8cd0a02";

TEST(Ed25519WycheproofTest, AllVectors) {
  const std::string path = wycheproof::Path("ed25519_test.json");
  absl::StatusOr<wycheproof::File> file = wycheproof::LoadFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  // tests/data/wycheproof/README.md
  EXPECT_EQ(file->sha256_hex,
            "752d2ea7d7c6cf4736381b6cbacb61f8182b126ab7cd9b058f00c50084975536");
  EXPECT_EQ(file->algorithm, "EDDSA");

  wycheproof::Tally tally;
  for (const wycheproof::Group& group : file->groups) {
    ASSERT_EQ(group.type, "EddsaVerify");
    absl::StatusOr<Ed25519PublicKey> key =
        Ed25519PublicKey::FromRaw(group.public_key);
    ASSERT_TRUE(key.ok()) << key.status();
    for (const wycheproof::Case& test : group.tests) {
      SCOPED_TRACE(absl::StrCat("tcId ", test.tc_id, " (", test.comment, ")"));
      const bool accepted = key->Verify(test.msg, test.sig);
      tally.Add(test.result, accepted);
      EXPECT_EQ(accepted, test.result == wycheproof::Result::kValid);
    }
  }
  // README: 151 tests (88 valid, 63 invalid).
  EXPECT_EQ(tally.total, file->number_of_tests);
  EXPECT_EQ(tally.total, 151);
  EXPECT_EQ(tally.valid, 88);
  EXPECT_EQ(tally.invalid, 63);
  EXPECT_EQ(tally.acceptable, 0);
  EXPECT_EQ(tally.accepted, 88);
  EXPECT_EQ(tally.rejected, 63);
}

// RFC 8037 A.1-A.5: the seed derives the public key, signing is
// deterministic and byte-exact, and the public key verifies it.
TEST(Ed25519Test, Rfc8037KnownAnswer) {
  const std::string seed = absl::HexStringToBytes(kRfc8037Seed);
  ASSERT_EQ(seed.size(), kEd25519KeySize);
  absl::StatusOr<Ed25519PrivateKey> private_key =
      Ed25519PrivateKey::FromSeed(seed);
  ASSERT_TRUE(private_key.ok()) << private_key.status();
  EXPECT_EQ(private_key->public_key().raw(),
            absl::HexStringToBytes(kRfc8037Public));
  EXPECT_EQ(private_key->seed().view(), seed);

  const std::string expected = absl::HexStringToBytes(kRfc8037Signature);
  absl::StatusOr<std::string> signature =
      private_key->Sign(kRfc8037SigningInput);
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(*signature, expected);

  absl::StatusOr<Ed25519PublicKey> public_key =
      Ed25519PublicKey::FromRaw(absl::HexStringToBytes(kRfc8037Public));
  ASSERT_TRUE(public_key.ok()) << public_key.status();
  EXPECT_TRUE(public_key->Verify(kRfc8037SigningInput, expected));
  std::string altered = kRfc8037SigningInput;
  altered[0] ^= 1;
  EXPECT_FALSE(public_key->Verify(altered, expected));
}

TEST(Ed25519Test, RejectsSignaturesOfWrongLength) {
  absl::StatusOr<Ed25519PublicKey> key =
      Ed25519PublicKey::FromRaw(absl::HexStringToBytes(kRfc8037Public));
  ASSERT_TRUE(key.ok());
  const std::string signature = absl::HexStringToBytes(kRfc8037Signature);
  ASSERT_TRUE(key->Verify(kRfc8037SigningInput, signature));
  for (size_t size : {0, 1, 31, 32, 33, 63}) {
    EXPECT_FALSE(key->Verify(kRfc8037SigningInput, signature.substr(0, size)))
        << size;
  }
  EXPECT_FALSE(key->Verify(kRfc8037SigningInput, signature + '\0')) << 65;
  EXPECT_FALSE(key->Verify(kRfc8037SigningInput, signature + signature));
  EXPECT_FALSE(key->Verify(kRfc8037SigningInput, std::string(64, '\0')));
}

TEST(Ed25519Test, RejectsEveryFlippedSignatureBit) {
  absl::StatusOr<Ed25519PublicKey> key =
      Ed25519PublicKey::FromRaw(absl::HexStringToBytes(kRfc8037Public));
  ASSERT_TRUE(key.ok());
  const std::string signature = absl::HexStringToBytes(kRfc8037Signature);
  for (size_t bit = 0; bit < signature.size() * 8; ++bit) {
    std::string bad = signature;
    bad[bit / 8] ^= static_cast<char>(1 << (bit % 8));
    EXPECT_FALSE(key->Verify(kRfc8037SigningInput, bad)) << "bit " << bit;
  }
}

TEST(Ed25519Test, RejectsKeysOfWrongLength) {
  for (size_t size : {0, 31, 33, 64}) {
    const std::string bytes(size, '\x42');
    absl::StatusOr<Ed25519PublicKey> public_key =
        Ed25519PublicKey::FromRaw(bytes);
    EXPECT_EQ(public_key.status().code(), absl::StatusCode::kInvalidArgument)
        << size;
    absl::StatusOr<Ed25519PrivateKey> private_key =
        Ed25519PrivateKey::FromSeed(bytes);
    EXPECT_EQ(private_key.status().code(), absl::StatusCode::kInvalidArgument)
        << size;
    // The message names the length, never the bytes.
    EXPECT_EQ(private_key.status().message().find("BBBB"),
              absl::string_view::npos);
  }
}

TEST(Ed25519Test, GeneratedKeySignsAndVerifies) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->seed().size(), kEd25519KeySize);
  EXPECT_EQ(key->public_key().raw().size(), kEd25519KeySize);

  absl::StatusOr<std::string> signature = key->Sign("message");
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_EQ(signature->size(), kEd25519SignatureSize);
  EXPECT_TRUE(key->public_key().Verify("message", *signature));
  EXPECT_FALSE(key->public_key().Verify("messagE", *signature));
  // Empty messages are signable too.
  absl::StatusOr<std::string> empty_signature = key->Sign("");
  ASSERT_TRUE(empty_signature.ok());
  EXPECT_TRUE(key->public_key().Verify("", *empty_signature));

  absl::StatusOr<Ed25519PrivateKey> other = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_NE(other->public_key().raw(), key->public_key().raw());
  EXPECT_FALSE(other->public_key().Verify("message", *signature));
}

// What is sealed at rest (the seed) rebuilds the same key; the public key
// rebuilds from its raw form.
TEST(Ed25519Test, SeedAndRawRoundTrip) {
  absl::StatusOr<Ed25519PrivateKey> key = Ed25519PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  absl::StatusOr<Ed25519PrivateKey> reloaded =
      Ed25519PrivateKey::FromSeed(key->seed().view());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->public_key().raw(), key->public_key().raw());
  // Deterministic signatures: both produce the same bytes.
  EXPECT_EQ(*reloaded->Sign("m"), *key->Sign("m"));

  absl::StatusOr<Ed25519PublicKey> public_key =
      Ed25519PublicKey::FromRaw(key->public_key().raw());
  ASSERT_TRUE(public_key.ok());
  EXPECT_TRUE(public_key->Verify("m", *key->Sign("m")));
}

}  // namespace
}  // namespace meshid::crypto
