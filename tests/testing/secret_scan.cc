#include "tests/testing/secret_scan.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace meshid::test_process {
namespace {

constexpr size_t kMinSecretBytes = 12;

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

}  // namespace

bool SecretScanner::Add(absl::string_view description,
                        absl::string_view secret) {
  if (secret.size() < kMinSecretBytes) return false;
  const std::string what(description);
  needles_.push_back({what, "raw", std::string(secret)});
  needles_.push_back({what, "base64url", absl::WebSafeBase64Escape(secret)});
  needles_.push_back({what, "base64", absl::Base64Escape(secret)});
  const std::string hex = Hex(secret);
  needles_.push_back({what, "hex", hex});
  needles_.push_back({what, "HEX", absl::AsciiStrToUpper(hex)});
  return true;
}

bool SecretScanner::AddToken(absl::string_view description,
                             absl::string_view token) {
  if (token.size() < kMinSecretBytes) return false;
  const std::string what(description);
  needles_.push_back({what, "whole token", std::string(token)});
  const size_t last_dot = token.rfind('.');
  if (last_dot != absl::string_view::npos &&
      token.size() - last_dot - 1 >= kMinSecretBytes) {
    needles_.push_back(
        {what, "token signature", std::string(token.substr(last_dot + 1))});
  }
  return true;
}

std::vector<Leak> SecretScanner::Scan(absl::string_view where,
                                      absl::string_view text) const {
  std::vector<Leak> leaks;
  for (const Needle& n : needles_) {
    if (!n.bytes.empty() && text.find(n.bytes) != absl::string_view::npos) {
      leaks.push_back({std::string(where), n.what, n.spelling});
    }
  }
  return leaks;
}

std::string DescribeLeaks(const std::vector<Leak>& leaks) {
  std::string out;
  for (const Leak& leak : leaks) {
    absl::StrAppend(&out, leak.where, ": ", leak.what, " (", leak.spelling,
                    ")\n");
  }
  return out;
}

}  // namespace meshid::test_process
