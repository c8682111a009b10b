// Minimal JSON output helpers for the documents meshid writes itself (token
// headers and claims, JWKS, log lines). Output is compact, members in the
// order written, strings escaped per RFC 8259.
#ifndef MESHID_COMMON_JSON_JSON_WRITER_H_
#define MESHID_COMMON_JSON_JSON_WRITER_H_

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace meshid::json {

// Appends `value` as a quoted JSON string. Quotes, backslashes and control
// characters are escaped; other bytes are copied as they are, so `value`
// should be UTF-8.
void AppendQuoted(absl::string_view value, std::string* out);

// Appends `values` (strings) as a JSON array.
template <typename Container>
void AppendStringArray(const Container& values, std::string* out) {
  out->push_back('[');
  bool first = true;
  for (const auto& v : values) {
    if (!first) out->push_back(',');
    first = false;
    AppendQuoted(v, out);
  }
  out->push_back(']');
}

// Builds one JSON object member by member:
//   ObjectWriter w(&out);
//   w.String("alg", "HS256").Int("exp", 1700000000);
//   w.Close();
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string* out);
  ObjectWriter& String(absl::string_view name, absl::string_view value);
  ObjectWriter& Int(absl::string_view name, int64_t value);
  ObjectWriter& Bool(absl::string_view name, bool value);
  // Appends `json` unchanged as the member's value; it must be valid JSON.
  ObjectWriter& Raw(absl::string_view name, absl::string_view json);
  template <typename Container>
  ObjectWriter& StringArray(absl::string_view name, const Container& values) {
    Name(name);
    AppendStringArray(values, out_);
    return *this;
  }
  void Close();

 private:
  void Name(absl::string_view name);
  std::string* out_;
  bool first_ = true;
};

}  // namespace meshid::json

#endif  // MESHID_COMMON_JSON_JSON_WRITER_H_
