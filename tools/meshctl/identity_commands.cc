#include "tools/meshctl/identity_commands.h"

#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "tools/meshctl/enum_names.h"
#include "tools/meshctl/flag_values.h"
#include "tools/meshctl/output.h"
#include "tools/meshctl/text_input.h"

namespace meshid::meshctl {
namespace {

namespace id = identity::v1;

// A client secret is 43 characters; anything much larger is not one.
constexpr size_t kMaxSecretFileBytes = 4096;

// The client secret from --client-secret-file, else MESHID_CLIENT_SECRET.
// Surrounding whitespace (the newline editors add) is dropped. Error
// messages name the file, never its content.
absl::StatusOr<std::string> ClientSecret(CommandContext& c) {
  std::string secret;
  if (std::optional<std::string> path = c.flags().Get("client-secret-file")) {
    std::ifstream file(*path, std::ios::binary);
    if (!file) {
      return absl::InvalidArgumentError(
          absl::StrCat("cannot open --client-secret-file '", *path, "'"));
    }
    std::ostringstream content;
    content << file.rdbuf();
    if (content.str().size() > kMaxSecretFileBytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("--client-secret-file '", *path, "' is larger than ",
                       kMaxSecretFileBytes, " bytes"));
    }
    secret = std::string(absl::StripAsciiWhitespace(content.str()));
    if (secret.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--client-secret-file '", *path, "' is empty"));
    }
    return secret;
  }
  secret = std::string(absl::StripAsciiWhitespace(
      c.GetEnv("MESHID_CLIENT_SECRET").value_or("")));
  if (secret.empty()) {
    return absl::InvalidArgumentError(
        "no client secret: pass --client-secret-file F or set "
        "MESHID_CLIENT_SECRET");
  }
  return secret;
}

// The tokens a command works on: --token T, or with "--token -" or no
// --token (when `stdin_by_default`) one per line from stdin.
std::vector<std::string> SubjectTokens(CommandContext& c,
                                       bool stdin_by_default) {
  std::optional<std::string> token = c.flags().Get("token");
  std::vector<std::string> tokens;
  if (token.has_value() && *token != "-") {
    if (!token->empty()) tokens.push_back(*token);
    return tokens;
  }
  if (!token.has_value() && !stdin_by_default) return tokens;
  ForEachLine(c.in(), [&](const std::string& line) { tokens.push_back(line); });
  return tokens;
}

int RunIssue(CommandContext& c) {
  id::IssueTokenRequest request;
  absl::StatusOr<std::string> client_id = c.flags().Required("client-id");
  if (!client_id.ok()) return c.Usage(client_id.status());
  absl::StatusOr<std::string> audience = c.flags().Required("audience");
  if (!audience.ok()) return c.Usage(audience.status());
  absl::StatusOr<std::optional<google::protobuf::Duration>> ttl =
      WholeSecondsFlag(c.flags(), "ttl");
  if (!ttl.ok()) return c.Usage(ttl.status());
  absl::StatusOr<std::string> secret = ClientSecret(c);
  if (!secret.ok()) return c.Usage(secret.status());
  request.set_client_id(*client_id);
  request.set_client_secret(*std::move(secret));
  request.set_audience(*audience);
  for (const std::string& scope : c.flags().GetAll("scope")) {
    request.add_scopes(scope);
  }
  if (ttl->has_value()) *request.mutable_ttl() = **ttl;

  id::TokenResponse response;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.identity().IssueToken(ctx, request, &response);
  });
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) return c.PrintJsonResult(response);
  // The token alone, so that TOKEN=$(meshctl token issue ...) works.
  c.out() << response.access_token() << "\n";
  return kExitOk;
}

std::string UnixTime(int64_t seconds) {
  if (seconds == 0) return "-";
  google::protobuf::Timestamp time;
  time.set_seconds(seconds);
  return absl::StrCat(FormatTime(time), " (", seconds, ")");
}

void PrintIntrospection(CommandContext& c,
                        const id::IntrospectTokenResponse& r) {
  if (!r.active()) {
    PrintFields(c.out(), {{"active", "false"}});
    return;
  }
  PrintFields(
      c.out(),
      {
          {"active", "true"},
          {"sub", r.sub()},
          {"client_id", r.client_id()},
          {"username", r.username()},
          {"aud", r.aud()},
          {"iss", r.iss()},
          {"scope", r.scope()},
          {"roles", JoinOrDash({r.roles().begin(), r.roles().end()})},
          {"principal_state",
           EnumShortName(id::PrincipalState_descriptor(), r.principal_state())},
          {"kid", r.kid()},
          {"jti", r.jti()},
          {"iat", UnixTime(r.iat())},
          {"nbf", UnixTime(r.nbf())},
          {"exp", UnixTime(r.exp())},
      });
}

int RunIntrospect(CommandContext& c) {
  const std::vector<std::string> tokens =
      SubjectTokens(c, /*stdin_by_default=*/true);
  if (tokens.empty()) {
    return c.Usage(
        "no token to introspect: pass --token T, or one token per line on "
        "stdin");
  }
  bool all_active = true;
  for (size_t i = 0; i < tokens.size(); ++i) {
    id::IntrospectTokenRequest request;
    request.set_token(tokens[i]);
    id::IntrospectTokenResponse response;
    grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
      return c.identity().IntrospectToken(ctx, request, &response);
    });
    if (!status.ok()) return c.RpcFailed(status);
    all_active = all_active && response.active();
    if (c.json()) {
      if (int rc = c.PrintJsonResult(response); rc != kExitOk) return rc;
      continue;
    }
    if (i > 0) c.out() << "\n";
    PrintIntrospection(c, response);
  }
  return all_active ? kExitOk : kExitFailed;
}

int RunRevoke(CommandContext& c) {
  id::RevokeTokenRequest request;
  const std::optional<std::string> jti = c.flags().Get("jti");
  if (jti.has_value() == c.flags().Has("token")) {
    return c.Usage(
        "give exactly one of --token T (or --token - for stdin) "
        "and --jti J");
  }
  if (jti.has_value()) {
    if (jti->empty()) return c.Usage("flag --jti must not be empty");
    if (!c.has_bearer_token()) {
      return c.Usage(
          "revoking by --jti needs a bearer token with scope tokens:revoke: "
          "pass --auth-token T or set MESHID_TOKEN");
    }
    request.set_jti(*jti);
  } else {
    const std::vector<std::string> tokens =
        SubjectTokens(c, /*stdin_by_default=*/false);
    if (tokens.size() != 1) {
      return c.Usage(
          "--token needs exactly one token (with --token -: one "
          "line on stdin)");
    }
    request.set_token(tokens[0]);
  }
  google::protobuf::Empty empty;
  grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
    return c.identity().RevokeToken(ctx, request, &empty);
  });
  if (!status.ok()) return c.RpcFailed(status);
  if (c.json()) return c.PrintJsonResult(empty);
  if (jti.has_value()) {
    c.out() << "revoked jti " << Printable(*jti) << "\n";
  } else {
    // RFC 7009 section 2.2: a token that does not verify is ignored and the
    // call still succeeds, so success does not prove the token was live.
    c.out() << "revoked the token (the server ignores a token it cannot "
               "verify)\n";
  }
  return kExitOk;
}

}  // namespace

std::vector<CommandSpec> IdentityCommands() {
  std::vector<CommandSpec> specs;
  CommandSpec issue = MakeSpec(
      "token", "issue",
      "--client-id C (--client-secret-file F | $MESHID_CLIENT_SECRET) "
      "--audience A [--scope S]... [--ttl DUR]",
      "get an access token with client credentials; prints the token alone",
      {"client-id", "client-secret-file", "audience", "ttl"}, RunIssue);
  issue.details =
      "  --scope S  a scope to ask for; repeat per scope (none: every scope "
      "the\n             client's policy allows for the audience)\n"
      "  --ttl DUR  requested lifetime (default and cap: the server's and "
      "the client's)";
  issue.repeated_flags = {"scope"};
  issue.plane = Plane::kIdentity;
  issue.auth = Auth::kNone;
  specs.push_back(std::move(issue));

  CommandSpec introspect = MakeSpec(
      "token", "introspect", "[--token T | --token -]   (< tokens)",
      "ask the server whether tokens are active (RFC 7662); exit 0 when "
      "every one is",
      {"token"}, RunIntrospect);
  introspect.details =
      "  Needs a bearer token with scope tokens:introspect: --auth-token T "
      "or\n  $MESHID_TOKEN. Without --token, or with --token -, reads one "
      "token per line\n  from stdin.";
  introspect.plane = Plane::kIdentity;
  introspect.bearer_flag = BearerFlag::kAuthTokenOnly;
  specs.push_back(std::move(introspect));

  CommandSpec revoke = MakeSpec(
      "token", "revoke", "(--token T | --token - | --jti J)",
      "revoke one token (RFC 7009); by --jti needs a bearer token with "
      "scope tokens:revoke",
      {"token", "jti"}, RunRevoke);
  revoke.details =
      "  --token -  reads the token from stdin (keeps it out of the process "
      "list)\n  The bearer token is --auth-token T or $MESHID_TOKEN.";
  revoke.plane = Plane::kIdentity;
  revoke.auth = Auth::kByHandler;
  revoke.bearer_flag = BearerFlag::kAuthTokenOnly;
  specs.push_back(std::move(revoke));
  return specs;
}

}  // namespace meshid::meshctl
