// fuzz-link: meshid_common
//
// The strict JSON reader (common/json/json_reader.h) on arbitrary bytes,
// checking what its header promises, beyond "no crash":
//   - a document reused across parses (as the verifier does) gives the same
//     result as a fresh one;
//   - the tree is well formed: child counts, sibling links inside their
//     parent, FindMember finds each member (names are unique), every view
//     readable (ASan catches a view into freed or moved memory);
//   - strings and member names are valid UTF-8 without surrogates;
//   - limits only ever reject: tight limits never accept what the default
//     limits refuse;
//   - writing the tree back out (json_writer's quoting) and reading it again
//     gives the same tree.
#include <cstddef>
#include <cstdint>
#include <string>

#include "common/json/json_reader.h"
#include "common/json/json_writer.h"
#include "fuzz/fuzz_check.h"

namespace {

using meshid::json::JsonDocument;
using meshid::json::JsonError;
using meshid::json::JsonLimits;
using meshid::json::JsonNode;
using meshid::json::JsonType;

// RFC 3629 UTF-8: no overlongs, no surrogates, nothing above U+10FFFF.
bool IsUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const auto b = static_cast<uint8_t>(s[i]);
    uint32_t cp;
    size_t n;
    if (b < 0x80) {
      cp = b, n = 1;
    } else if ((b & 0xE0) == 0xC0) {
      cp = b & 0x1F, n = 2;
    } else if ((b & 0xF0) == 0xE0) {
      cp = b & 0x0F, n = 3;
    } else if ((b & 0xF8) == 0xF0) {
      cp = b & 0x07, n = 4;
    } else {
      return false;
    }
    if (i + n > s.size()) return false;
    for (size_t k = 1; k < n; ++k) {
      const auto c = static_cast<uint8_t>(s[i + k]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += n;
  }
  return true;
}

// Walks `node`, checking the tree, and appends it as JSON to `out`.
void WalkAndWrite(const JsonDocument& doc, const JsonNode& node,
                  std::string* out) {
  switch (node.type) {
    case JsonType::kNull:
      out->append("null");
      return;
    case JsonType::kBool:
      out->append(node.bool_value ? "true" : "false");
      return;
    case JsonType::kNumber:
      FUZZ_CHECK(!node.text.empty());
      out->append(node.text.data(), node.text.size());
      return;
    case JsonType::kString:
      FUZZ_CHECK(IsUtf8(node.text));
      meshid::json::AppendQuoted(node.text, out);
      return;
    case JsonType::kArray:
    case JsonType::kObject:
      break;
  }
  const bool object = node.type == JsonType::kObject;
  out->push_back(object ? '{' : '[');
  uint32_t seen = 0;
  for (const JsonNode* c = doc.FirstChild(node); c != nullptr;
       c = doc.NextSibling(node, c)) {
    FUZZ_CHECK(c > &node && c->next <= node.next);
    if (seen++ > 0) out->push_back(',');
    if (object) {
      FUZZ_CHECK(IsUtf8(c->key));
      FUZZ_CHECK(doc.FindMember(node, c->key) == c);
      meshid::json::AppendQuoted(c->key, out);
      out->push_back(':');
    }
    WalkAndWrite(doc, *c, out);
  }
  FUZZ_CHECK(seen == node.count);
  out->push_back(object ? '}' : ']');
}

std::string Dump(const JsonDocument& doc) {
  std::string out;
  WalkAndWrite(doc, doc.root(), &out);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  const JsonLimits limits;  // the defaults: 8 KiB, depth 32, 1024 values

  JsonDocument fresh;
  const JsonError error = fresh.Parse(input, limits);
  static JsonDocument* const reused = new JsonDocument();
  FUZZ_CHECK(reused->Parse(input, limits) == error);
  FUZZ_CHECK(fresh.empty() == (error != JsonError::kNone));
  FUZZ_CHECK(!meshid::json::JsonErrorName(error).empty());

  JsonLimits tight;
  tight.max_input_bytes = 512;
  tight.max_depth = 4;
  tight.max_values = 16;
  JsonDocument small;
  const JsonError tight_error = small.Parse(input, tight);
  if (error != JsonError::kNone) FUZZ_CHECK(tight_error != JsonError::kNone);

  if (error != JsonError::kNone) return 0;
  const std::string dumped = Dump(fresh);
  FUZZ_CHECK(Dump(*reused) == dumped);
  if (tight_error == JsonError::kNone) FUZZ_CHECK(Dump(small) == dumped);

  // Re-reading what was written: escapes may differ from the input's, the
  // tree may not. The written form can be longer (\u00XX), so no size limit.
  JsonLimits roomy = limits;
  roomy.max_input_bytes = dumped.size();
  JsonDocument again;
  FUZZ_CHECK(again.Parse(dumped, roomy) == JsonError::kNone);
  FUZZ_CHECK(Dump(again) == dumped);
  return 0;
}
