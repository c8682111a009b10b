#include "common/json/json_writer.h"

#include "absl/strings/str_cat.h"

namespace meshid::json {

void AppendQuoted(absl::string_view value, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  size_t run = 0;  // start of the current run of bytes needing no escape
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out->append(value.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        out->append("\\u00");
        out->push_back(kHex[c >> 4]);
        out->push_back(kHex[c & 0xF]);
    }
  }
  out->append(value.data() + run, value.size() - run);
  out->push_back('"');
}

ObjectWriter::ObjectWriter(std::string* out) : out_(out) {
  out_->push_back('{');
}

void ObjectWriter::Name(absl::string_view name) {
  if (!first_) out_->push_back(',');
  first_ = false;
  AppendQuoted(name, out_);
  out_->push_back(':');
}

ObjectWriter& ObjectWriter::String(absl::string_view name,
                                   absl::string_view value) {
  Name(name);
  AppendQuoted(value, out_);
  return *this;
}

ObjectWriter& ObjectWriter::Int(absl::string_view name, int64_t value) {
  Name(name);
  absl::StrAppend(out_, value);
  return *this;
}

ObjectWriter& ObjectWriter::Bool(absl::string_view name, bool value) {
  Name(name);
  out_->append(value ? "true" : "false");
  return *this;
}

ObjectWriter& ObjectWriter::Raw(absl::string_view name,
                                absl::string_view json) {
  Name(name);
  out_->append(json.data(), json.size());
  return *this;
}

void ObjectWriter::Close() { out_->push_back('}'); }

}  // namespace meshid::json
