#include "common/token/algorithm.h"

namespace meshid {

absl::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHs256:
      return "HS256";
    case Algorithm::kEdDsa:
      return "EdDSA";
    case Algorithm::kEs256:
      return "ES256";
  }
  return "unknown";
}

std::optional<Algorithm> ParseAlgorithm(absl::string_view name) {
  if (name == "HS256") return Algorithm::kHs256;
  if (name == "EdDSA" || name == "Ed25519") return Algorithm::kEdDsa;
  if (name == "ES256") return Algorithm::kEs256;
  return std::nullopt;
}

bool HeaderNamesAlgorithm(absl::string_view name, Algorithm alg) {
  const std::optional<Algorithm> parsed = ParseAlgorithm(name);
  return parsed.has_value() && *parsed == alg;
}

}  // namespace meshid
