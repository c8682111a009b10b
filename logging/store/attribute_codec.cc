#include "logging/store/attribute_codec.h"

#include "common/json/json_reader.h"
#include "common/json/json_writer.h"
#include "logging/entry_limits.h"

namespace meshid::logging {

std::string EncodeAttributes(const std::vector<Attribute>& attributes) {
  if (attributes.empty()) return "{}";
  std::string out;
  json::ObjectWriter writer(&out);
  for (const Attribute& attribute : attributes) {
    writer.String(attribute.first, attribute.second);
  }
  writer.Close();
  return out;
}

absl::StatusOr<std::vector<Attribute>> DecodeAttributes(
    absl::string_view json) {
  std::vector<Attribute> attributes;
  if (json == "{}") return attributes;
  json::JsonLimits limits;
  // The largest object the entry limits allow, every byte escaped as \u00XX.
  limits.max_input_bytes =
      kMaxAttributes * (kMaxAttributeKeyBytes + kMaxAttributeValueBytes + 8) *
      6;
  limits.max_depth = 1;
  limits.max_values = kMaxAttributes + 1;
  json::JsonDocument doc;
  if (doc.Parse(json, limits) != json::JsonError::kNone ||
      doc.root().type != json::JsonType::kObject) {
    return absl::InternalError("stored attributes are not a JSON object");
  }
  for (const json::JsonNode* member = doc.FirstChild(doc.root());
       member != nullptr; member = doc.NextSibling(doc.root(), member)) {
    if (member->type != json::JsonType::kString) {
      return absl::InternalError("a stored attribute is not a string");
    }
    attributes.emplace_back(std::string(member->key),
                            std::string(member->text));
  }
  SortAttributes(attributes);
  return attributes;
}

}  // namespace meshid::logging
