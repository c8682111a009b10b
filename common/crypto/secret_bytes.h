// SecretBytes: an owned byte string that is wiped (OPENSSL_cleanse) when it
// is destroyed or overwritten. Holds key material and client secrets so that a
// freed buffer never keeps them. It has no operator<< and no implicit
// conversion to a string, so a secret cannot slip into a log line by accident.
#ifndef MESHID_COMMON_CRYPTO_SECRET_BYTES_H_
#define MESHID_COMMON_CRYPTO_SECRET_BYTES_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace meshid::crypto {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(absl::string_view bytes) : bytes_(bytes) {}
  // Takes over `bytes` and wipes what the move leaves in it (a short string's
  // inline buffer keeps its contents after a move).
  explicit SecretBytes(std::string&& bytes);
  SecretBytes(const SecretBytes& other) : bytes_(other.bytes_) {}
  SecretBytes(SecretBytes&& other) noexcept;
  SecretBytes& operator=(const SecretBytes& other);
  SecretBytes& operator=(SecretBytes&& other) noexcept;
  ~SecretBytes();

  // The secret bytes. The view is valid while this object lives unchanged.
  absl::string_view view() const { return bytes_; }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  const uint8_t* data() const {
    return reinterpret_cast<const uint8_t*>(bytes_.data());
  }

 private:
  void Wipe();
  std::string bytes_;
};

}  // namespace meshid::crypto

#endif  // MESHID_COMMON_CRYPTO_SECRET_BYTES_H_
