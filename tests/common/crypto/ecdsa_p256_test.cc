#include "common/crypto/ecdsa_p256.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/common/crypto/wycheproof_loader.h"

namespace meshid::crypto {
namespace {

// P-256 domain values (SEC 2 section 2.4.2), big-endian hex.
constexpr char kOrderHex[] =
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
constexpr char kOrderMinusOneHex[] =
    "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550";
constexpr char kPrimeHex[] =
    "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";
constexpr char kGxHex[] =
    "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296";
constexpr char kGyHex[] =
    "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5";
constexpr char kMinusGyHex[] =  // p - Gy
    "b01cbd1c01e58065711814b583f061e9d431cca994cea1313449bf97c840ae0a";

// RFC 7515 appendix A.3.
constexpr char kRfcX[] = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr char kRfcY[] = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";
constexpr char kRfcD[] = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI";
constexpr char kRfcSigningInput[] =
    "eyJhbGciOiJFUzI1NiJ9."
    "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNv"
    "bS9pc19yb290Ijp0cnVlfQ";
constexpr char kRfcSignature[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJ"
    "qPP3-Kg6NU1Q";
// The same signature with S' = n - S (low-S); also valid.
constexpr char kRfcMalleatedSignature[] =
    "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmU69fgrc8OPGycO0lD3tat_FoFp57SETe"
    "pkeks4eL_QfA";

std::string Unbase64Url(absl::string_view in) {
  std::string out;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(in, &out)) << in;
  return out;
}

std::string Hex(absl::string_view hex) { return absl::HexStringToBytes(hex); }

EcdsaP256PublicKey RfcPublicKey() {
  absl::StatusOr<EcdsaP256PublicKey> key = EcdsaP256PublicKey::FromCoordinates(
      Unbase64Url(kRfcX), Unbase64Url(kRfcY));
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

// Wycheproof stores coordinates as minimal big-endian integers, sometimes
// with a leading 00 sign byte and sometimes shorter than 32 bytes; a JWK
// coordinate is exactly 32 bytes.
std::string ToCoordinate(std::string value) {
  while (value.size() > kP256CoordinateSize && value[0] == '\0') {
    value.erase(0, 1);
  }
  if (value.size() < kP256CoordinateSize) {
    value.insert(0, kP256CoordinateSize - value.size(), '\0');
  }
  return value;
}

TEST(EcdsaP256WycheproofTest, AllP1363Vectors) {
  const std::string path =
      wycheproof::Path("ecdsa_secp256r1_sha256_p1363_test.json");
  absl::StatusOr<wycheproof::File> file = wycheproof::LoadFile(path);
  ASSERT_TRUE(file.ok()) << file.status();
  // tests/data/wycheproof/README.md
  EXPECT_EQ(file->sha256_hex,
            "c60de693930e386c3a5472d08081623ef8504decc54b38ac01ec6b2a2575c986");
  EXPECT_EQ(file->algorithm, "ECDSA");

  wycheproof::Tally tally;
  for (const wycheproof::Group& group : file->groups) {
    ASSERT_EQ(group.type, "EcdsaP1363Verify");
    ASSERT_EQ(group.sha, "SHA-256");
    const std::string x = ToCoordinate(group.wx);
    const std::string y = ToCoordinate(group.wy);
    ASSERT_EQ(x.size(), kP256CoordinateSize);
    ASSERT_EQ(y.size(), kP256CoordinateSize);
    ASSERT_EQ(absl::StrCat("\x04", x, y), group.uncompressed);
    absl::StatusOr<EcdsaP256PublicKey> key =
        EcdsaP256PublicKey::FromCoordinates(x, y);
    ASSERT_TRUE(key.ok()) << key.status();
    for (const wycheproof::Case& test : group.tests) {
      SCOPED_TRACE(absl::StrCat("tcId ", test.tc_id, " (", test.comment, ")"));
      const bool accepted = key->Verify(test.msg, test.sig);
      tally.Add(test.result, accepted);
      EXPECT_EQ(accepted, test.result == wycheproof::Result::kValid);
    }
  }
  // README: 262 tests (173 valid, 89 invalid).
  EXPECT_EQ(tally.total, file->number_of_tests);
  EXPECT_EQ(tally.total, 262);
  EXPECT_EQ(tally.valid, 173);
  EXPECT_EQ(tally.invalid, 89);
  EXPECT_EQ(tally.acceptable, 0);
  EXPECT_EQ(tally.accepted, 173);
  EXPECT_EQ(tally.rejected, 89);
}

TEST(EcdsaP256Test, Rfc7515A3Verifies) {
  const EcdsaP256PublicKey key = RfcPublicKey();
  const std::string signature = Unbase64Url(kRfcSignature);
  ASSERT_EQ(signature.size(), kEs256SignatureSize);
  // S > n/2 (n/2 begins 0x7fff...): a low-S rule would wrongly reject it.
  ASSERT_GE(static_cast<uint8_t>(signature[32]), 0x80);
  EXPECT_TRUE(key.Verify(kRfcSigningInput, signature));
  EXPECT_TRUE(
      key.Verify(kRfcSigningInput, Unbase64Url(kRfcMalleatedSignature)));

  std::string altered = kRfcSigningInput;
  altered[5] ^= 1;
  EXPECT_FALSE(key.Verify(altered, signature));
  EXPECT_FALSE(key.Verify(altered, Unbase64Url(kRfcMalleatedSignature)));
}

TEST(EcdsaP256Test, Rfc7515A3ScalarDerivesPublicKey) {
  const std::string d = Unbase64Url(kRfcD);
  absl::StatusOr<EcdsaP256PrivateKey> key = EcdsaP256PrivateKey::FromScalar(d);
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->public_key().x(), Unbase64Url(kRfcX));
  EXPECT_EQ(key->public_key().y(), Unbase64Url(kRfcY));
  EXPECT_EQ(key->scalar().view(), d);

  absl::StatusOr<std::string> signature = key->Sign(kRfcSigningInput);
  ASSERT_TRUE(signature.ok()) << signature.status();
  EXPECT_TRUE(RfcPublicKey().Verify(kRfcSigningInput, *signature));
}

TEST(EcdsaP256Test, RejectsSignaturesOfWrongLength) {
  const EcdsaP256PublicKey key = RfcPublicKey();
  const std::string signature = Unbase64Url(kRfcSignature);
  for (size_t size : {0, 1, 31, 32, 33, 63}) {
    EXPECT_FALSE(key.Verify(kRfcSigningInput, signature.substr(0, size)))
        << size;
  }
  EXPECT_FALSE(key.Verify(kRfcSigningInput, signature + '\0')) << 65;
  EXPECT_FALSE(key.Verify(kRfcSigningInput, std::string(1, '\0') + signature))
      << "leading zero, 65 bytes";
  EXPECT_FALSE(key.Verify(kRfcSigningInput, signature + signature));
}

// SEC 1 section 4.1.4: r and s must lie in [1, n-1].
TEST(EcdsaP256Test, RejectsOutOfRangeRAndS) {
  const EcdsaP256PublicKey key = RfcPublicKey();
  const std::string signature = Unbase64Url(kRfcSignature);
  const std::string r = signature.substr(0, 32);
  const std::string s = signature.substr(32);
  const std::string zero(32, '\0');
  const std::string n = Hex(kOrderHex);
  const std::string all_ones(32, '\xff');
  const struct {
    const char* name;
    std::string signature;
  } cases[] = {
      {"r = 0", zero + s},
      {"s = 0", r + zero},
      {"r = s = 0", zero + zero},
      {"r = n", n + s},
      {"s = n", r + n},
      {"r = s = n", n + n},
      {"r = 2^256 - 1", all_ones + s},
      {"s = 2^256 - 1", r + all_ones},
  };
  for (const auto& c : cases) {
    EXPECT_FALSE(key.Verify(kRfcSigningInput, c.signature)) << c.name;
  }
}

TEST(EcdsaP256Test, RejectsInvalidPublicKeys) {
  const std::string x = Unbase64Url(kRfcX);
  const std::string y = Unbase64Url(kRfcY);
  std::string off_curve_y = y;
  off_curve_y.back() ^= 1;
  const struct {
    const char* name;
    std::string x;
    std::string y;
  } cases[] = {
      {"off curve", x, off_curve_y},
      {"origin", std::string(32, '\0'), std::string(32, '\0')},
      // Coordinates must be field elements, below p.
      {"x = p", Hex(kPrimeHex), y},
      {"y = p", Hex(kGxHex), Hex(kPrimeHex)},
      {"short x", x.substr(1), y},
      {"long y", x, std::string(1, '\0') + y},
      {"empty", "", ""},
  };
  for (const auto& c : cases) {
    absl::StatusOr<EcdsaP256PublicKey> key =
        EcdsaP256PublicKey::FromCoordinates(c.x, c.y);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument)
        << c.name << ": " << key.status();
  }
  // Sanity: the generator and its negation are accepted.
  EXPECT_TRUE(
      EcdsaP256PublicKey::FromCoordinates(Hex(kGxHex), Hex(kGyHex)).ok());
  EXPECT_TRUE(
      EcdsaP256PublicKey::FromCoordinates(Hex(kGxHex), Hex(kMinusGyHex)).ok());
}

TEST(EcdsaP256Test, FromScalarChecksRange) {
  for (const std::string& d :
       {std::string(32, '\0'), Hex(kOrderHex), std::string(32, '\xff'),
        std::string(31, '\x01'), std::string(33, '\x01'), std::string()}) {
    absl::StatusOr<EcdsaP256PrivateKey> key =
        EcdsaP256PrivateKey::FromScalar(d);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument)
        << absl::BytesToHexString(d);
  }
  // d = 1 gives G, d = n - 1 gives -G.
  std::string one(32, '\0');
  one.back() = 1;
  absl::StatusOr<EcdsaP256PrivateKey> key_one =
      EcdsaP256PrivateKey::FromScalar(one);
  ASSERT_TRUE(key_one.ok()) << key_one.status();
  EXPECT_EQ(key_one->public_key().x(), Hex(kGxHex));
  EXPECT_EQ(key_one->public_key().y(), Hex(kGyHex));
  absl::StatusOr<EcdsaP256PrivateKey> key_minus_one =
      EcdsaP256PrivateKey::FromScalar(Hex(kOrderMinusOneHex));
  ASSERT_TRUE(key_minus_one.ok()) << key_minus_one.status();
  EXPECT_EQ(key_minus_one->public_key().x(), Hex(kGxHex));
  EXPECT_EQ(key_minus_one->public_key().y(), Hex(kMinusGyHex));
}

TEST(EcdsaP256Test, ErrorsDoNotContainKeyBytes) {
  // A 31-byte scalar of 'A's: the message may name the length, not the bytes.
  absl::StatusOr<EcdsaP256PrivateKey> key =
      EcdsaP256PrivateKey::FromScalar(std::string(31, 'A'));
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().message().find("AAAA"), absl::string_view::npos);
  EXPECT_EQ(key.status().message().find("4141"), absl::string_view::npos);
}

TEST(EcdsaP256Test, GeneratedKeySignsAndVerifies) {
  absl::StatusOr<EcdsaP256PrivateKey> key = EcdsaP256PrivateKey::Generate();
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->scalar().size(), kP256CoordinateSize);
  // Randomized signatures: many distinct ones, each 64 bytes and valid.
  std::string previous;
  for (int i = 0; i < 32; ++i) {
    absl::StatusOr<std::string> signature = key->Sign("message");
    ASSERT_TRUE(signature.ok()) << signature.status();
    ASSERT_EQ(signature->size(), kEs256SignatureSize);
    EXPECT_TRUE(key->public_key().Verify("message", *signature));
    EXPECT_FALSE(key->public_key().Verify("messagE", *signature));
    EXPECT_NE(*signature, previous);
    previous = *signature;
  }
  absl::StatusOr<EcdsaP256PrivateKey> other = EcdsaP256PrivateKey::Generate();
  ASSERT_TRUE(other.ok());
  EXPECT_FALSE(other->public_key().Verify("message", previous));
}

// What is sealed at rest (the scalar) rebuilds the same key; the public key
// rebuilds from its coordinates.
TEST(EcdsaP256Test, ScalarAndCoordinatesRoundTrip) {
  absl::StatusOr<EcdsaP256PrivateKey> key = EcdsaP256PrivateKey::Generate();
  ASSERT_TRUE(key.ok());
  absl::StatusOr<EcdsaP256PrivateKey> reloaded =
      EcdsaP256PrivateKey::FromScalar(key->scalar().view());
  ASSERT_TRUE(reloaded.ok()) << reloaded.status();
  EXPECT_EQ(reloaded->public_key().x(), key->public_key().x());
  EXPECT_EQ(reloaded->public_key().y(), key->public_key().y());

  absl::StatusOr<EcdsaP256PublicKey> public_key =
      EcdsaP256PublicKey::FromCoordinates(key->public_key().x(),
                                          key->public_key().y());
  ASSERT_TRUE(public_key.ok());
  absl::StatusOr<std::string> signature = reloaded->Sign("m");
  ASSERT_TRUE(signature.ok());
  EXPECT_TRUE(public_key->Verify("m", *signature));
  EXPECT_TRUE(key->public_key().Verify("m", *signature));
}

}  // namespace
}  // namespace meshid::crypto
