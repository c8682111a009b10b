#include "tests/common/crypto/wycheproof_loader.h"

#include <openssl/sha.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace meshid::crypto::wycheproof {
namespace {

// A parsed JSON value: just enough JSON for Wycheproof files, whose numbers
// are all integers.
struct Json {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  int64_t number = 0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;

  const Json* Find(absl::string_view key) const {
    for (const auto& [name, value] : object) {
      if (name == key) return &value;
    }
    return nullptr;
  }
};

// Recursive-descent parser over RFC 8259 JSON, without non-integer numbers
// and \u escapes (absent from these files; reported as errors).
class JsonParser {
 public:
  explicit JsonParser(absl::string_view text) : text_(text) {}

  absl::StatusOr<Json> Parse() {
    Json value;
    RETURN_IF_ERROR(ParseValue(value, /*depth=*/0));
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters");
    return value;
  }

 private:
  static constexpr int kMaxDepth = 32;

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON: ", what, " at offset ", pos_));
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\n' || text_[pos_] == '\r' ||
            text_[pos_] == '\t')) {
      ++pos_;
    }
  }

  // Consumes `c` after optional whitespace.
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  bool ConsumeWord(absl::string_view word) {
    if (!absl::StartsWith(text_.substr(pos_), word)) return false;
    pos_ += word.size();
    return true;
  }

  absl::Status ParseValue(Json& out, int depth) {
    if (depth > kMaxDepth) return Error("nesting too deep");
    SkipSpace();
    if (pos_ >= text_.size()) return Error("unexpected end of input");
    const char c = text_[pos_];
    if (c == '{') return ParseObject(out, depth);
    if (c == '[') return ParseArray(out, depth);
    if (c == '"') {
      out.kind = Json::Kind::kString;
      return ParseString(out.string);
    }
    if (c == '-' || absl::ascii_isdigit(c)) {
      out.kind = Json::Kind::kNumber;
      return ParseInteger(out.number);
    }
    if (ConsumeWord("true")) {
      out.kind = Json::Kind::kBool;
      out.boolean = true;
      return absl::OkStatus();
    }
    if (ConsumeWord("false")) {
      out.kind = Json::Kind::kBool;
      return absl::OkStatus();
    }
    if (ConsumeWord("null")) return absl::OkStatus();  // kind is kNull
    return Error("unexpected character");
  }

  absl::Status ParseObject(Json& out, int depth) {
    out.kind = Json::Kind::kObject;
    ++pos_;  // '{'
    if (Consume('}')) return absl::OkStatus();
    do {
      SkipSpace();
      std::string key;
      RETURN_IF_ERROR(ParseString(key));
      if (!Consume(':')) return Error("expected ':'");
      Json value;
      RETURN_IF_ERROR(ParseValue(value, depth + 1));
      out.object.emplace_back(std::move(key), std::move(value));
    } while (Consume(','));
    return Consume('}') ? absl::OkStatus() : Error("expected '}'");
  }

  absl::Status ParseArray(Json& out, int depth) {
    out.kind = Json::Kind::kArray;
    ++pos_;  // '['
    if (Consume(']')) return absl::OkStatus();
    do {
      out.array.emplace_back();
      RETURN_IF_ERROR(ParseValue(out.array.back(), depth + 1));
    } while (Consume(','));
    return Consume(']') ? absl::OkStatus() : Error("expected ']'");
  }

  absl::Status ParseString(std::string& out) {
    // The short escapes of RFC 8259 section 7 and what they stand for.
    constexpr absl::string_view kEscapes = "\"\\/bfnrt";
    constexpr absl::string_view kEscaped = "\"\\/\b\f\n\r\t";
    if (pos_ >= text_.size() || text_[pos_] != '"') {
      return Error("expected '\"'");
    }
    ++pos_;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return absl::OkStatus();
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      const size_t escape =
          pos_ < text_.size() ? kEscapes.find(text_[pos_++]) : kEscapes.npos;
      if (escape == kEscapes.npos) return Error("unsupported escape");
      out.push_back(kEscaped[escape]);
    }
    return Error("unterminated string");
  }

  absl::Status ParseInteger(int64_t& out) {
    const size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    while (pos_ < text_.size() && absl::ascii_isdigit(text_[pos_])) ++pos_;
    if (pos_ < text_.size() &&
        (text_[pos_] == '.' || text_[pos_] == 'e' || text_[pos_] == 'E')) {
      return Error("non-integer number");
    }
    if (!absl::SimpleAtoi(text_.substr(start, pos_ - start), &out)) {
      return Error("bad integer");
    }
    return absl::OkStatus();
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

// Field accessors over a parsed object. `required` fields must be present;
// a present field of the wrong kind is always an error.
const Json* Field(const Json& object, absl::string_view name) {
  return object.kind == Json::Kind::kObject ? object.Find(name) : nullptr;
}

absl::Status GetString(const Json& object, absl::string_view name,
                       bool required, std::string& out) {
  const Json* value = Field(object, name);
  if (value == nullptr) {
    return required ? absl::InvalidArgumentError(
                          absl::StrCat("missing string field \"", name, "\""))
                    : absl::OkStatus();
  }
  if (value->kind != Json::Kind::kString) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", name, "\" is not a string"));
  }
  out = value->string;
  return absl::OkStatus();
}

absl::Status GetHex(const Json& object, absl::string_view name, bool required,
                    std::string& out) {
  std::string hex;
  RETURN_IF_ERROR(GetString(object, name, required, hex));
  absl::StatusOr<std::string> bytes = DecodeHex(hex);
  if (!bytes.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", name, "\": ", bytes.status().message()));
  }
  out = *std::move(bytes);
  return absl::OkStatus();
}

absl::Status GetInt(const Json& object, absl::string_view name, bool required,
                    int64_t& out) {
  const Json* value = Field(object, name);
  if (value == nullptr) {
    return required ? absl::InvalidArgumentError(
                          absl::StrCat("missing integer field \"", name, "\""))
                    : absl::OkStatus();
  }
  if (value->kind != Json::Kind::kNumber) {
    return absl::InvalidArgumentError(
        absl::StrCat("field \"", name, "\" is not an integer"));
  }
  out = value->number;
  return absl::OkStatus();
}

absl::StatusOr<const std::vector<Json>*> GetArray(const Json& object,
                                                  absl::string_view name) {
  const Json* value = Field(object, name);
  if (value == nullptr || value->kind != Json::Kind::kArray) {
    return absl::InvalidArgumentError(
        absl::StrCat("missing array field \"", name, "\""));
  }
  return &value->array;
}

absl::StatusOr<Case> ToCase(const Json& json) {
  Case test;
  RETURN_IF_ERROR(GetInt(json, "tcId", /*required=*/true, test.tc_id));
  RETURN_IF_ERROR(GetString(json, "comment", /*required=*/false, test.comment));
  std::string result;
  RETURN_IF_ERROR(GetString(json, "result", /*required=*/true, result));
  if (result == "valid") {
    test.result = Result::kValid;
  } else if (result == "invalid") {
    test.result = Result::kInvalid;
  } else if (result == "acceptable") {
    test.result = Result::kAcceptable;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown result \"", result, "\""));
  }
  RETURN_IF_ERROR(GetHex(json, "msg", /*required=*/true, test.msg));
  RETURN_IF_ERROR(GetHex(json, "key", /*required=*/false, test.key));
  RETURN_IF_ERROR(GetHex(json, "tag", /*required=*/false, test.tag));
  RETURN_IF_ERROR(GetHex(json, "sig", /*required=*/false, test.sig));
  return test;
}

absl::StatusOr<Group> ToGroup(const Json& json) {
  Group group;
  RETURN_IF_ERROR(GetString(json, "type", /*required=*/true, group.type));
  RETURN_IF_ERROR(GetInt(json, "keySize", /*required=*/false, group.key_size));
  RETURN_IF_ERROR(GetInt(json, "tagSize", /*required=*/false, group.tag_size));
  RETURN_IF_ERROR(GetString(json, "sha", /*required=*/false, group.sha));
  if (const Json* key = Field(json, "publicKey"); key != nullptr) {
    RETURN_IF_ERROR(GetHex(*key, "pk", /*required=*/false, group.public_key));
    RETURN_IF_ERROR(GetHex(*key, "wx", /*required=*/false, group.wx));
    RETURN_IF_ERROR(GetHex(*key, "wy", /*required=*/false, group.wy));
    RETURN_IF_ERROR(
        GetHex(*key, "uncompressed", /*required=*/false, group.uncompressed));
  }
  ASSIGN_OR_RETURN(const std::vector<Json>* tests, GetArray(json, "tests"));
  for (const Json& test_json : *tests) {
    absl::StatusOr<Case> test = ToCase(test_json);
    if (!test.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "test #", group.tests.size() + 1, ": ", test.status().message()));
    }
    group.tests.push_back(*std::move(test));
  }
  return group;
}

}  // namespace

std::string Path(absl::string_view file_name) {
  return absl::StrCat(MESHID_TEST_DATA_DIR, "/wycheproof/", file_name);
}

absl::StatusOr<std::string> DecodeHex(absl::string_view hex) {
  if (hex.size() % 2 != 0) {
    return absl::InvalidArgumentError("hex string has odd length");
  }
  for (char c : hex) {
    if (!absl::ascii_isxdigit(c)) {
      return absl::InvalidArgumentError("hex string has a non-hex character");
    }
  }
  return absl::HexStringToBytes(hex);
}

absl::StatusOr<File> LoadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot open Wycheproof file ", path));
  }
  const std::string text((std::istreambuf_iterator<char>(in)),
                         std::istreambuf_iterator<char>());
  if (in.bad()) {
    return absl::NotFoundError(
        absl::StrCat("cannot read Wycheproof file ", path));
  }
  auto with_path = [&path](const absl::Status& status) {
    return absl::Status(status.code(),
                        absl::StrCat(path, ": ", status.message()));
  };

  File file;
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(text.data()), text.size(), digest);
  file.sha256_hex = absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));

  absl::StatusOr<Json> json = JsonParser(text).Parse();
  if (!json.ok()) return with_path(json.status());
  absl::Status status =
      GetString(*json, "algorithm", /*required=*/true, file.algorithm);
  if (status.ok()) {
    status =
        GetInt(*json, "numberOfTests", /*required=*/true, file.number_of_tests);
  }
  if (!status.ok()) return with_path(status);
  absl::StatusOr<const std::vector<Json>*> groups =
      GetArray(*json, "testGroups");
  if (!groups.ok()) return with_path(groups.status());
  for (const Json& group_json : **groups) {
    absl::StatusOr<Group> group = ToGroup(group_json);
    if (!group.ok()) {
      return with_path(absl::InvalidArgumentError(absl::StrCat(
          "group #", file.groups.size() + 1, ": ", group.status().message())));
    }
    file.groups.push_back(*std::move(group));
  }
  return file;
}

}  // namespace meshid::crypto::wycheproof
