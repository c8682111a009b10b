#include "common/json/json_reader.h"

#include <algorithm>
#include <array>

namespace meshid::json {

absl::string_view JsonErrorName(JsonError error) {
  switch (error) {
    case JsonError::kNone:
      return "none";
    case JsonError::kTooLarge:
      return "too_large";
    case JsonError::kSyntax:
      return "syntax";
    case JsonError::kDuplicateMember:
      return "duplicate_member";
    case JsonError::kTooDeep:
      return "too_deep";
    case JsonError::kTooManyValues:
      return "too_many_values";
  }
  return "unknown";
}

// Bytes that may stand in a JSON string as they are and need no further
// check: printable ASCII other than the quote and the backslash.
constexpr std::array<bool, 256> MakePlainStringBytes() {
  std::array<bool, 256> table{};
  for (int c = 0x20; c < 0x80; ++c) table[c] = c != '"' && c != '\\';
  return table;
}
constexpr std::array<bool, 256> kPlainStringByte = MakePlainStringBytes();

// Recursive descent over the input. Recursion depth is bounded by
// JsonLimits::max_depth, so the stack use is bounded too.
class JsonParser {
 public:
  JsonParser(absl::string_view input, const JsonLimits& limits,
             JsonDocument* doc)
      : p_(input.data()),
        end_(input.data() + input.size()),
        limits_(limits),
        doc_(doc) {}

  JsonError Run() {
    SkipWhitespace();
    if (!ParseValue(absl::string_view())) return error_;
    SkipWhitespace();
    if (p_ != end_) return JsonError::kSyntax;
    return JsonError::kNone;
  }

 private:
  bool Fail(JsonError error) {
    error_ = error;
    return false;
  }

  void SkipWhitespace() {
    while (p_ != end_ &&
           (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) {
      ++p_;
    }
  }

  bool Consume(char c) {
    if (p_ != end_ && *p_ == c) {
      ++p_;
      return true;
    }
    return false;
  }

  bool ConsumeLiteral(absl::string_view literal) {
    if (static_cast<size_t>(end_ - p_) < literal.size() ||
        absl::string_view(p_, literal.size()) != literal) {
      return false;
    }
    p_ += literal.size();
    return true;
  }

  bool ParseValue(absl::string_view key) {
    if (doc_->nodes_.size() >= limits_.max_values) {
      return Fail(JsonError::kTooManyValues);
    }
    const uint32_t index = static_cast<uint32_t>(doc_->nodes_.size());
    doc_->nodes_.emplace_back();
    doc_->nodes_[index].key = key;
    if (p_ == end_) return Fail(JsonError::kSyntax);
    bool ok = false;
    switch (*p_) {
      case '{':
        ok = ParseObject(index);
        break;
      case '[':
        ok = ParseArray(index);
        break;
      case '"': {
        absl::string_view text;
        ok = ParseString(&text);
        doc_->nodes_[index].type = JsonType::kString;
        doc_->nodes_[index].text = text;
        break;
      }
      case 't':
      case 'f': {
        const bool value = *p_ == 't';
        ok = ConsumeLiteral(value ? "true" : "false") ||
             Fail(JsonError::kSyntax);
        doc_->nodes_[index].type = JsonType::kBool;
        doc_->nodes_[index].bool_value = value;
        break;
      }
      case 'n':
        ok = ConsumeLiteral("null") || Fail(JsonError::kSyntax);
        doc_->nodes_[index].type = JsonType::kNull;
        break;
      default:
        ok = ParseNumber(index);
        break;
    }
    if (!ok) return false;
    doc_->nodes_[index].next = static_cast<uint32_t>(doc_->nodes_.size());
    return true;
  }

  bool Enter() {
    if (++depth_ > limits_.max_depth) return Fail(JsonError::kTooDeep);
    return true;
  }

  bool ParseObject(uint32_t index) {
    doc_->nodes_[index].type = JsonType::kObject;
    ++p_;  // '{'
    if (!Enter()) return false;
    SkipWhitespace();
    uint32_t count = 0;
    if (!Consume('}')) {
      while (true) {
        SkipWhitespace();
        if (p_ == end_ || *p_ != '"') return Fail(JsonError::kSyntax);
        absl::string_view key;
        if (!ParseString(&key)) return false;
        SkipWhitespace();
        if (!Consume(':')) return Fail(JsonError::kSyntax);
        SkipWhitespace();
        if (!ParseValue(key)) return false;
        ++count;
        SkipWhitespace();
        if (Consume(',')) continue;
        if (Consume('}')) break;
        return Fail(JsonError::kSyntax);
      }
    }
    --depth_;
    doc_->nodes_[index].count = count;
    return CheckUniqueMembers(index, count);
  }

  // Most claim names are three letters long, so sizes alone rarely differ;
  // comparing the last byte inline first keeps memcmp calls for real
  // candidates (a token's 11 claims make 55 pairs).
  static bool SameKey(absl::string_view a, absl::string_view b) {
    return a.size() == b.size() &&
           (a.empty() || a.back() == b.back()) && a == b;
  }

  bool CheckUniqueMembers(uint32_t index, uint32_t count) {
    if (count < 2) return true;
    const auto& nodes = doc_->nodes_;
    if (count <= 16) {  // small objects (a token's claims): pairwise beats
                        // copying and sorting the names
      for (uint32_t a = index + 1; a < nodes.size(); a = nodes[a].next) {
        for (uint32_t b = nodes[a].next; b < nodes.size(); b = nodes[b].next) {
          if (SameKey(nodes[a].key, nodes[b].key)) {
            return Fail(JsonError::kDuplicateMember);
          }
        }
      }
      return true;
    }
    auto& keys = doc_->scratch_keys_;
    keys.clear();
    for (uint32_t c = index + 1; c < nodes.size(); c = nodes[c].next) {
      keys.push_back(nodes[c].key);
    }
    std::sort(keys.begin(), keys.end());
    if (std::adjacent_find(keys.begin(), keys.end()) != keys.end()) {
      return Fail(JsonError::kDuplicateMember);
    }
    return true;
  }

  bool ParseArray(uint32_t index) {
    doc_->nodes_[index].type = JsonType::kArray;
    ++p_;  // '['
    if (!Enter()) return false;
    SkipWhitespace();
    uint32_t count = 0;
    if (!Consume(']')) {
      while (true) {
        SkipWhitespace();
        if (!ParseValue(absl::string_view())) return false;
        ++count;
        SkipWhitespace();
        if (Consume(',')) continue;
        if (Consume(']')) break;
        return Fail(JsonError::kSyntax);
      }
    }
    --depth_;
    doc_->nodes_[index].count = count;
    return true;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  bool ParseNumber(uint32_t index) {
    const char* start = p_;
    Consume('-');
    if (p_ == end_) return Fail(JsonError::kSyntax);
    if (*p_ == '0') {
      ++p_;  // no leading zeros: "01" leaves '1' unconsumed and fails later
    } else if (IsDigit(*p_)) {
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    } else {
      return Fail(JsonError::kSyntax);
    }
    if (Consume('.')) {
      if (p_ == end_ || !IsDigit(*p_)) return Fail(JsonError::kSyntax);
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (!Consume('+')) Consume('-');
      if (p_ == end_ || !IsDigit(*p_)) return Fail(JsonError::kSyntax);
      while (p_ != end_ && IsDigit(*p_)) ++p_;
    }
    doc_->nodes_[index].type = JsonType::kNumber;
    doc_->nodes_[index].text = absl::string_view(start, p_ - start);
    return true;
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool ReadHex4(uint32_t* out) {
    if (end_ - p_ < 4) return false;
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const int h = HexValue(p_[i]);
      if (h < 0) return false;
      v = (v << 4) | static_cast<uint32_t>(h);
    }
    p_ += 4;
    *out = v;
    return true;
  }

  // Validates one UTF-8 sequence starting at p_ (a byte >= 0x80) and
  // advances past it (RFC 3629: no overlongs, no surrogates, <= U+10FFFF).
  bool SkipUtf8Sequence() {
    const auto b0 = static_cast<uint8_t>(*p_);
    int length;
    uint8_t lo = 0x80, hi = 0xBF;  // bounds of the second byte
    if (b0 >= 0xC2 && b0 <= 0xDF) {
      length = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
      length = 3;
      if (b0 == 0xE0) lo = 0xA0;
      if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
      length = 4;
      if (b0 == 0xF0) lo = 0x90;
      if (b0 == 0xF4) hi = 0x8F;
    } else {
      return false;
    }
    if (end_ - p_ < length) return false;
    const auto b1 = static_cast<uint8_t>(p_[1]);
    if (b1 < lo || b1 > hi) return false;
    for (int i = 2; i < length; ++i) {
      const auto b = static_cast<uint8_t>(p_[i]);
      if (b < 0x80 || b > 0xBF) return false;
    }
    p_ += length;
    return true;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // Parses a string at p_ (which is '"'). Without escapes the result is a
  // view into the input; with them, a view into the document's buffer.
  bool ParseString(absl::string_view* out) {
    ++p_;  // opening quote
    const char* start = p_;
    while (true) {
      // Most bytes of a token are plain ASCII: skip them with one table
      // lookup each; everything else takes the checks below.
      while (p_ != end_ && kPlainStringByte[static_cast<uint8_t>(*p_)]) ++p_;
      if (p_ == end_) return Fail(JsonError::kSyntax);
      const auto c = static_cast<uint8_t>(*p_);
      if (c == '"') {
        *out = absl::string_view(start, p_ - start);
        ++p_;
        return true;
      }
      if (c == '\\') break;
      if (c < 0x20) return Fail(JsonError::kSyntax);
      if (c < 0x80) {
        ++p_;
      } else if (!SkipUtf8Sequence()) {
        return Fail(JsonError::kSyntax);
      }
    }
    // Slow path: copy what was scanned, then unescape the rest.
    std::string& buffer = doc_->unescaped_;
    const size_t begin = buffer.size();
    buffer.append(start, p_ - start);
    while (true) {
      if (p_ == end_) return Fail(JsonError::kSyntax);
      const auto c = static_cast<uint8_t>(*p_);
      if (c == '"') {
        ++p_;
        break;
      }
      if (c < 0x20) return Fail(JsonError::kSyntax);
      if (c >= 0x80) {
        const char* seq = p_;
        if (!SkipUtf8Sequence()) return Fail(JsonError::kSyntax);
        buffer.append(seq, p_ - seq);
        continue;
      }
      ++p_;
      if (c != '\\') {
        buffer.push_back(static_cast<char>(c));
        continue;
      }
      if (p_ == end_) return Fail(JsonError::kSyntax);
      const char e = *p_++;
      switch (e) {
        case '"':
          buffer.push_back('"');
          break;
        case '\\':
          buffer.push_back('\\');
          break;
        case '/':
          buffer.push_back('/');
          break;
        case 'b':
          buffer.push_back('\b');
          break;
        case 'f':
          buffer.push_back('\f');
          break;
        case 'n':
          buffer.push_back('\n');
          break;
        case 'r':
          buffer.push_back('\r');
          break;
        case 't':
          buffer.push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!ReadHex4(&cp)) return Fail(JsonError::kSyntax);
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Fail(JsonError::kSyntax);
          if (cp >= 0xD800 && cp <= 0xDBFF) {  // needs a low surrogate
            uint32_t low;
            if (!ConsumeLiteral("\\u") || !ReadHex4(&low) || low < 0xDC00 ||
                low > 0xDFFF) {
              return Fail(JsonError::kSyntax);
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, &buffer);
          break;
        }
        default:
          return Fail(JsonError::kSyntax);
      }
    }
    *out = absl::string_view(buffer.data() + begin, buffer.size() - begin);
    return true;
  }

  const char* p_;
  const char* const end_;
  const JsonLimits& limits_;
  JsonDocument* const doc_;
  int depth_ = 0;
  JsonError error_ = JsonError::kSyntax;
};

JsonError JsonDocument::Parse(absl::string_view input,
                              const JsonLimits& limits) {
  nodes_.clear();
  unescaped_.clear();
  if (input.size() > limits.max_input_bytes) return JsonError::kTooLarge;
  // Unescaping never lengthens a string, so this capacity means the buffer
  // never moves and views into it stay valid.
  unescaped_.reserve(input.size());
  const JsonError error = JsonParser(input, limits, this).Run();
  if (error != JsonError::kNone) nodes_.clear();
  return error;
}

const JsonNode* JsonDocument::FirstChild(const JsonNode& container) const {
  if (container.count == 0) return nullptr;
  return &nodes_[IndexOf(container) + 1];
}

const JsonNode* JsonDocument::NextSibling(const JsonNode& container,
                                          const JsonNode* child) const {
  if (child->next >= container.next) return nullptr;
  return &nodes_[child->next];
}

const JsonNode* JsonDocument::FindMember(const JsonNode& object,
                                         absl::string_view name) const {
  if (object.type != JsonType::kObject) return nullptr;
  for (const JsonNode* c = FirstChild(object); c != nullptr;
       c = NextSibling(object, c)) {
    if (c->key == name) return c;
  }
  return nullptr;
}

}  // namespace meshid::json
