#include "identity/password_hasher.h"

#include <openssl/evp.h>

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/base64url.h"
#include "common/crypto/constant_time.h"
#include "common/crypto/random.h"
#include "common/crypto/secret_bytes.h"
#include "common/status_macros.h"

namespace meshid::identity {
namespace {

constexpr absl::string_view kScheme = "pbkdf2-sha256";
constexpr size_t kSaltSize = 16;
constexpr size_t kHashSize = 32;
// Refuse absurd stored costs (a corrupted row must not hang a login).
constexpr int kMaxIterations = 10000000;

absl::StatusOr<crypto::SecretBytes> Derive(absl::string_view password,
                                           absl::string_view salt,
                                           int iterations) {
  std::string out(kHashSize, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), iterations, EVP_sha256(),
                        static_cast<int>(out.size()),
                        reinterpret_cast<unsigned char*>(out.data())) != 1) {
    return absl::InternalError("PBKDF2 failed");
  }
  return crypto::SecretBytes(std::move(out));
}

}  // namespace

absl::Status ValidatePassword(absl::string_view password) {
  if (password.size() < kMinPasswordLength ||
      password.size() > kMaxPasswordLength) {
    return absl::InvalidArgumentError(
        absl::StrCat("password must be ", kMinPasswordLength, "-",
                     kMaxPasswordLength, " bytes"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> HashPassword(absl::string_view password,
                                         int iterations) {
  RETURN_IF_ERROR(ValidatePassword(password));
  iterations = std::max(iterations, kMinPasswordIterations);
  ASSIGN_OR_RETURN(std::string salt, crypto::RandomBytes(kSaltSize));
  ASSIGN_OR_RETURN(crypto::SecretBytes hash,
                   Derive(password, salt, iterations));
  return absl::StrCat(kScheme, "$", iterations, "$", Base64UrlEncode(salt), "$",
                      Base64UrlEncode(hash.view()));
}

bool VerifyPassword(absl::string_view password, absl::string_view stored) {
  const std::vector<absl::string_view> parts = absl::StrSplit(stored, '$');
  int iterations = 0;
  std::string salt, expected;
  if (parts.size() != 4 || parts[0] != kScheme ||
      !absl::SimpleAtoi(parts[1], &iterations) ||
      iterations < kMinPasswordIterations || iterations > kMaxIterations ||
      !Base64UrlDecode(parts[2], &salt) ||
      !Base64UrlDecode(parts[3], &expected) || expected.size() != kHashSize ||
      password.size() > kMaxPasswordLength) {
    return false;
  }
  absl::StatusOr<crypto::SecretBytes> actual =
      Derive(password, salt, iterations);
  return actual.ok() && crypto::ConstantTimeEquals(actual->view(), expected);
}

}  // namespace meshid::identity
