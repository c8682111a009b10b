#include "common/crypto/secret_bytes.h"

#include <openssl/crypto.h>

#include <string>
#include <utility>

namespace meshid::crypto {
namespace {

// Overwrites every byte `s` owns, not only its current size: after a move or a
// shrink the old contents may remain beyond size(), e.g. in libstdc++'s 15-byte
// inline buffer. Growing to the capacity never reallocates, and makes that
// whole buffer legally writable.
void WipeString(std::string& s) {
  s.resize(s.capacity());
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

}  // namespace

SecretBytes::SecretBytes(std::string&& bytes) : bytes_(std::move(bytes)) {
  WipeString(bytes);
}

SecretBytes::SecretBytes(SecretBytes&& other) noexcept
    : bytes_(std::move(other.bytes_)) {
  other.Wipe();
}

SecretBytes& SecretBytes::operator=(const SecretBytes& other) {
  if (this != &other) {
    Wipe();
    bytes_ = other.bytes_;
  }
  return *this;
}

SecretBytes& SecretBytes::operator=(SecretBytes&& other) noexcept {
  if (this != &other) {
    Wipe();
    // libstdc++ may hand our (already wiped) buffer to `other` for reuse.
    bytes_ = std::move(other.bytes_);
    other.Wipe();
  }
  return *this;
}

SecretBytes::~SecretBytes() { Wipe(); }

void SecretBytes::Wipe() { WipeString(bytes_); }

}  // namespace meshid::crypto
