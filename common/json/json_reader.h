// A strict, bounded JSON reader (RFC 8259) for untrusted input: token headers
// and payloads, JWKS documents.
//
// Stricter than the RFC requires, on purpose:
//   - duplicate member names in any object, at any depth, are an error (RFC
//     8259 leaves their meaning to the parser; RFC 7515 section 4 says a JWS
//     with them must be rejected or parsed as the last one; two parsers
//     picking different values is how claims get smuggled);
//   - strings must be valid UTF-8, escapes included (no lone surrogates);
//   - nesting depth, value count and input size are bounded.
//
// The document is a flat array of nodes; strings and numbers are views into
// the input (or into the document when a string had escapes), so the input
// must outlive the document's use. A document may be reused across parses,
// which keeps its buffers and makes parsing allocation-free once warm.
//
//   JsonDocument doc;
//   if (doc.Parse(text, JsonLimits{}) != JsonError::kNone) ...;
//   const JsonNode* kid = doc.FindMember(doc.root(), "kid");
#ifndef MESHID_COMMON_JSON_JSON_READER_H_
#define MESHID_COMMON_JSON_JSON_READER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace meshid::json {

enum class JsonType : uint8_t {
  kNull,
  kBool,
  kNumber,
  kString,
  kArray,
  kObject
};

enum class JsonError : uint8_t {
  kNone,
  kTooLarge,         // input longer than JsonLimits::max_input_bytes
  kSyntax,           // not JSON, or invalid UTF-8
  kDuplicateMember,  // an object names the same member twice
  kTooDeep,          // containers nested deeper than JsonLimits::max_depth
  kTooManyValues,    // more than JsonLimits::max_values values
};

// Stable lower-case name of an error, for logs.
absl::string_view JsonErrorName(JsonError error);

struct JsonLimits {
  size_t max_input_bytes = 8 * 1024;
  // The root container is depth 1; a container inside it depth 2, and so on.
  int max_depth = 32;
  // Every value counts: containers, members' values and array elements.
  size_t max_values = 1024;
};

struct JsonNode {
  JsonType type = JsonType::kNull;
  bool bool_value = false;
  // Number of members (object) or elements (array).
  uint32_t count = 0;
  // Index of the next sibling: one past the last node of this subtree.
  uint32_t next = 0;
  // The member name when the parent is an object (unescaped).
  absl::string_view key;
  // kString: the unescaped value; kNumber: the literal as written.
  absl::string_view text;
};

class JsonDocument {
 public:
  // Parses `input`, replacing any earlier content. On error the document is
  // empty. Not thread-safe; use one document per thread.
  [[nodiscard]] JsonError Parse(absl::string_view input,
                                const JsonLimits& limits);

  bool empty() const { return nodes_.empty(); }
  // The root value. Requires a successful Parse.
  const JsonNode& root() const { return nodes_[0]; }

  // Children of a container, in document order:
  //   for (const JsonNode* c = doc.FirstChild(n); c; c = doc.NextSibling(n, c))
  const JsonNode* FirstChild(const JsonNode& container) const;
  const JsonNode* NextSibling(const JsonNode& container,
                              const JsonNode* child) const;

  // The member named `name` of `object`, or nullptr when absent or when
  // `object` is not an object.
  const JsonNode* FindMember(const JsonNode& object,
                             absl::string_view name) const;

 private:
  friend class JsonParser;
  uint32_t IndexOf(const JsonNode& node) const {
    return static_cast<uint32_t>(&node - nodes_.data());
  }
  std::vector<JsonNode> nodes_;
  std::string unescaped_;  // reserved to the input size: never reallocates
  std::vector<absl::string_view> scratch_keys_;
};

}  // namespace meshid::json

#endif  // MESHID_COMMON_JSON_JSON_READER_H_
