// fuzz-link: meshid_common
//
// Strict base64url (common/base64url.h), the first thing the verifier runs on
// every token segment. Checks the properties the header promises:
//   - decoding is canonical: whatever decodes re-encodes to the same text,
//     so a token cannot be re-spelled without changing its signed input;
//   - the two Decode overloads agree;
//   - the raw-buffer overload stays inside Base64UrlMaxDecodedSize bytes,
//     on failure too (the buffer is an exact-size heap block, so ASan sees
//     a single byte too many);
//   - encoding any bytes decodes back to them.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "common/base64url.h"
#include "fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view in(reinterpret_cast<const char*>(data), size);

  std::string decoded;
  const bool ok = meshid::Base64UrlDecode(in, &decoded);
  if (ok) {
    FUZZ_CHECK(meshid::Base64UrlEncode(decoded) == in);
    FUZZ_CHECK(decoded.size() <= meshid::Base64UrlMaxDecodedSize(size));
  }

  const size_t room = meshid::Base64UrlMaxDecodedSize(size);
  std::unique_ptr<char[]> buffer(new char[room]);
  size_t out_size = 0;
  const bool raw_ok = meshid::Base64UrlDecode(in, buffer.get(), &out_size);
  FUZZ_CHECK(raw_ok == ok);
  if (raw_ok) {
    FUZZ_CHECK(absl::string_view(buffer.get(), out_size) == decoded);
  }

  const std::string encoded = meshid::Base64UrlEncode(in);
  std::string round_trip;
  FUZZ_CHECK(meshid::Base64UrlDecode(encoded, &round_trip));
  FUZZ_CHECK(round_trip == in);
  return 0;
}
