// Proto enums as meshctl shows and reads them: the value name without its
// enum's prefix ("KEY_STATE_ACTIVE" <-> "ACTIVE" / "active"), and signing
// algorithms by their JWS names ("HS256", "EdDSA", "ES256").
#ifndef MESHID_TOOLS_MESHCTL_ENUM_NAMES_H_
#define MESHID_TOOLS_MESHCTL_ENUM_NAMES_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "meshid/keyadmin/v1/keyadmin.pb.h"

namespace meshid::meshctl {

// "ACTIVE" for KEY_STATE_ACTIVE; "-" for the UNSPECIFIED value; the number
// for a value this build does not know (a newer server).
std::string EnumShortName(const google::protobuf::EnumDescriptor* type,
                          int number);

// The value whose short name equals `text` ignoring case; never the
// UNSPECIFIED value. nullopt when there is none.
std::optional<int> ParseEnumShortName(
    const google::protobuf::EnumDescriptor* type, absl::string_view text);

// The accepted spellings, lower case, "a|b|c".
std::string EnumChoices(const google::protobuf::EnumDescriptor* type);

// "HS256", "EdDSA", "ES256"; "-" for UNSPECIFIED.
std::string AlgorithmName(keyadmin::v1::KeyAlgorithm alg);

// "pair:client/audience", "issuer:EdDSA" or "-" (one word, for tables).
std::string SlotName(const keyadmin::v1::KeySlot& slot);

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_ENUM_NAMES_H_
