#include "tools/meshctl/token_commands.h"

#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/base64url.h"
#include "common/status_macros.h"
#include "common/token/jwks.h"
#include "common/token/token_verifier.h"
#include "tools/meshctl/command_line.h"
#include "tools/meshctl/text_input.h"

namespace meshid::meshctl {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
  }
  std::ostringstream content;
  content << file.rdbuf();
  if (content.str().size() > kMaxJwksBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", path, "' is larger than ", kMaxJwksBytes, " bytes"));
  }
  return content.str();
}

struct VerifyOptions {
  std::shared_ptr<const KeySet> keys;
  VerifyPolicy policy;
  absl::Time now;
};

absl::StatusOr<VerifyOptions> ParseVerifyOptions(
    const std::vector<std::string>& args) {
  ASSIGN_OR_RETURN(Flags flags, Flags::Parse(args,
                                             {"jwks", "issuer", "audience",
                                              "now", "skew", "max-lifetime"},
                                             {}));
  VerifyOptions options;
  ASSIGN_OR_RETURN(std::string jwks_path, flags.Required("jwks"));
  ASSIGN_OR_RETURN(options.policy.issuer, flags.Required("issuer"));
  ASSIGN_OR_RETURN(options.policy.audience, flags.Required("audience"));
  ASSIGN_OR_RETURN(std::optional<int64_t> now, flags.Int("now"));
  ASSIGN_OR_RETURN(std::optional<int64_t> skew, flags.Int("skew"));
  ASSIGN_OR_RETURN(std::optional<int64_t> max_lifetime,
                   flags.Int("max-lifetime"));
  if (skew.value_or(0) < 0 || max_lifetime.value_or(1) <= 0) {
    return absl::InvalidArgumentError(
        "--skew must be >= 0 and --max-lifetime > 0 seconds");
  }
  options.now = now.has_value() ? absl::FromUnixSeconds(*now) : absl::Now();
  if (skew.has_value()) options.policy.clock_skew = absl::Seconds(*skew);
  if (max_lifetime.has_value()) {
    options.policy.max_lifetime = absl::Seconds(*max_lifetime);
  }
  ASSIGN_OR_RETURN(std::string jwks, ReadFile(jwks_path));
  auto keys = ParseJwks(jwks);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(jwks_path, ": ", keys.status().message()));
  }
  options.keys = *std::move(keys);
  return options;
}

}  // namespace

int RunTokenVerify(const std::vector<std::string>& args, std::istream& in,
                   std::ostream& out, std::ostream& err) {
  absl::StatusOr<VerifyOptions> options = ParseVerifyOptions(args);
  if (!options.ok()) {
    err << "meshctl: token verify: " << options.status().message() << "\n"
        << "usage: meshctl token verify --jwks FILE --issuer ISS "
           "--audience AUD [--now UNIX] [--skew SECONDS] "
           "[--max-lifetime SECONDS] < tokens\n";
    return kExitUsage;
  }
  bool all_accepted = true;
  Principal principal;
  ForEachLine(in, [&](const std::string& token) {
    const VerifyError error = VerifyTokenInto(
        token, *options->keys, options->policy, options->now, &principal);
    if (error == VerifyError::kOk) {
      out << "ACCEPT sub=" << principal.subject << "\n";
    } else {
      all_accepted = false;
      out << "REJECT " << VerifyErrorName(error) << "\n";
    }
  });
  return all_accepted ? kExitOk : kExitFailed;
}

int RunTokenDecode(const std::vector<std::string>& args, std::istream& in,
                   std::ostream& out, std::ostream& err) {
  if (!args.empty()) {
    err << "meshctl: token decode: takes no arguments; reads tokens from "
           "stdin\nusage: meshctl token decode < tokens\n";
    return kExitUsage;
  }
  int exit_code = kExitOk;
  ForEachLine(in, [&](const std::string& token) {
    const size_t dot1 = token.find('.');
    const size_t dot2 =
        dot1 == std::string::npos ? dot1 : token.find('.', dot1 + 1);
    std::string header, claims;
    if (dot2 == std::string::npos ||
        !Base64UrlDecode(token.substr(0, dot1), &header) ||
        !Base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1), &claims)) {
      out << "ERROR not a compact JWS (three base64url segments)\n";
      exit_code = kExitFailed;
      return;
    }
    out << "# UNVERIFIED: decoded without checking the signature or any "
           "claim\n"
        << "header: " << header << "\n"
        << "claims: " << claims << "\n";
  });
  return exit_code;
}

}  // namespace meshid::meshctl
