#include "tools/meshctl/enum_names.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace meshid::meshctl {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;

// Every meshid enum starts with <PREFIX>UNSPECIFIED = 0; the prefix is what
// its other values share.
std::string Prefix(const EnumDescriptor* type) {
  const EnumValueDescriptor* zero = type->FindValueByNumber(0);
  if (zero == nullptr || !absl::EndsWith(zero->name(), "UNSPECIFIED")) {
    return "";
  }
  return zero->name().substr(0, zero->name().size() - 11);
}

}  // namespace

std::string EnumShortName(const EnumDescriptor* type, int number) {
  if (number == 0) return "-";
  const EnumValueDescriptor* value = type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  const std::string prefix = Prefix(type);
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, prefix);
  return std::string(name);
}

std::optional<int> ParseEnumShortName(const EnumDescriptor* type,
                                      absl::string_view text) {
  if (text.empty()) return std::nullopt;
  const EnumValueDescriptor* value = type->FindValueByName(
      absl::StrCat(Prefix(type), absl::AsciiStrToUpper(text)));
  if (value == nullptr || value->number() == 0) return std::nullopt;
  return value->number();
}

std::string EnumChoices(const EnumDescriptor* type) {
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    const int number = type->value(i)->number();
    if (number == 0) continue;
    names.push_back(absl::AsciiStrToLower(EnumShortName(type, number)));
  }
  return absl::StrJoin(names, "|");
}

std::string AlgorithmName(keyadmin::v1::KeyAlgorithm alg) {
  switch (alg) {
    case keyadmin::v1::KEY_ALGORITHM_HS256:
      return "HS256";
    case keyadmin::v1::KEY_ALGORITHM_EDDSA:
      return "EdDSA";
    case keyadmin::v1::KEY_ALGORITHM_ES256:
      return "ES256";
    default:
      return EnumShortName(keyadmin::v1::KeyAlgorithm_descriptor(), alg);
  }
}

std::string SlotName(const keyadmin::v1::KeySlot& slot) {
  if (slot.has_pair()) {
    return absl::StrCat("pair:", slot.pair().client_id(), "/",
                        slot.pair().audience());
  }
  if (slot.has_issuer()) {
    return absl::StrCat("issuer:", AlgorithmName(slot.issuer().alg()));
  }
  return "-";
}

}  // namespace meshid::meshctl
