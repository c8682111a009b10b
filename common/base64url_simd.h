// Wide steps for the strict base64url decoder (base64url.cc): whole blocks
// of characters at once with x86 vector instructions, when the CPU has them
// (checked once at run time; the build itself assumes only x86-64).
//
// Internal to base64url.cc; the strictness rules live there and in
// base64url.h. A block step only ever accepts characters of the URL-safe
// alphabet, so what it leaves to the scalar loop (the tail, and the final
// quantum's canonical-bits check) is all that remains to check.
#ifndef MESHID_COMMON_BASE64URL_SIMD_H_
#define MESHID_COMMON_BASE64URL_SIMD_H_

#include <cstddef>
#include <cstdint>

namespace meshid::base64url_internal {

// Decodes the longest prefix of `src[0, n)` that the widest available step
// handles (a multiple of 16 or 32 characters, possibly 0), writing 3 bytes
// per 4 characters to `dst`. Returns the number of characters consumed, or
// kInvalidBlock when a consumed block held a character outside the URL-safe
// alphabet (then `dst` holds garbage).
inline constexpr size_t kInvalidBlock = static_cast<size_t>(-1);
size_t DecodeBlocks(const uint8_t* src, size_t n, char* dst);

// For tests: whether DecodeBlocks uses vector steps on this machine, and a
// switch to turn them off (then DecodeBlocks consumes nothing).
bool VectorStepsAvailable();
void SetVectorStepsEnabledForTesting(bool enabled);

}  // namespace meshid::base64url_internal

#endif  // MESHID_COMMON_BASE64URL_SIMD_H_
