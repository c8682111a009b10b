#include "tests/common/token/test_keys.h"

#include <cstdlib>
#include <iostream>

#include "common/json/json_writer.h"
#include "common/token/jws.h"

namespace meshid::testing {
namespace {

template <typename T>
T OrDie(absl::StatusOr<T> v) {
  if (!v.ok()) {
    std::cerr << "test key setup failed: " << v.status() << "\n";
    std::abort();
  }
  return *std::move(v);
}

}  // namespace

TestSigners MakeTestSigners() {
  return TestSigners{
      OrDie(SigningKey::Hs256(std::string(kHsKid), Rfc7515HmacKey())),
      SigningKey::Ed25519(
          std::string(kEdKid),
          OrDie(crypto::Ed25519PrivateKey::FromSeed(Rfc8037Seed()))),
      SigningKey::Es256(
          std::string(kEsKid),
          OrDie(crypto::EcdsaP256PrivateKey::FromScalar(Rfc7515EcD()))),
  };
}

std::shared_ptr<const KeySet> MakeTestKeySet() {
  KeySet::Builder builder;
  builder.AddKey(OrDie(
      VerificationKey::Hs256(std::string(kHsKid), Rfc7515HmacKey(),
                             std::string(kClient), std::string(kAudience))));
  builder.AddKey(
      OrDie(VerificationKey::Ed25519(std::string(kEdKid), Rfc8037Public())));
  builder.AddKey(OrDie(
      VerificationKey::Es256(std::string(kEsKid), Rfc7515EcX(), Rfc7515EcY())));
  builder.SetVersion(1);
  return std::move(builder).Build();
}

std::string SignRaw(absl::string_view header_json,
                    absl::string_view payload_json, const SigningKey& key) {
  return OrDie(SignCompactJws(header_json, payload_json, key));
}

std::string HeaderFor(const SigningKey& key) {
  std::string header;
  json::ObjectWriter(&header)
      .String("alg", AlgorithmName(key.alg))
      .String("kid", key.kid)
      .String("typ", "at+jwt")
      .Close();
  return header;
}

}  // namespace meshid::testing
