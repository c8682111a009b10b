#include "tools/meshctl/meshctl.h"

#include <algorithm>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "tools/meshctl/audit_commands.h"
#include "tools/meshctl/client_commands.h"
#include "tools/meshctl/identity_commands.h"
#include "tools/meshctl/key_commands.h"
#include "tools/meshctl/logs_commands.h"
#include "tools/meshctl/principal_commands.h"
#include "tools/meshctl/token_commands.h"

namespace meshid::meshctl {
namespace {

std::vector<CommandSpec> OfflineTokenCommands() {
  CommandSpec verify;
  verify.group = "token";
  verify.name = "verify";
  verify.synopsis =
      "--jwks FILE --issuer ISS --audience AUD [--now UNIX] [--skew SECONDS] "
      "[--max-lifetime SECONDS] < tokens";
  verify.summary =
      "verify tokens offline against a JWKS file: ACCEPT/REJECT per line, "
      "exit 0 when all pass";
  verify.plane = Plane::kOffline;
  verify.auth = Auth::kNone;
  verify.run_raw = RunTokenVerify;

  CommandSpec decode;
  decode.group = "token";
  decode.name = "decode";
  decode.synopsis = "< tokens";
  decode.summary = "print header and claims, UNVERIFIED";
  decode.plane = Plane::kOffline;
  decode.auth = Auth::kNone;
  decode.run_raw = RunTokenDecode;
  return {std::move(verify), std::move(decode)};
}

std::vector<CommandSpec> BuildRegistry() {
  std::vector<CommandSpec> all;
  for (std::vector<CommandSpec> group :
       {ClientCommands(), PrincipalCommands(), KeyCommands(),
        IdentityCommands(), OfflineTokenCommands(), AuditCommands(),
        LogsCommands()}) {
    for (CommandSpec& spec : group) all.push_back(std::move(spec));
  }
  return all;
}

bool IsHelp(const std::string& arg) {
  return arg == "--help" || arg == "-h" || arg == "help";
}

void PrintGroup(const std::string& group, std::ostream& out) {
  out << "usage: meshctl " << group << " <command> [flags]\n\n";
  for (const CommandSpec& spec : AllCommands()) {
    if (spec.group != group) continue;
    out << "  " << spec.UsageLine().substr(7) << "\n      " << spec.summary
        << "\n";
  }
}

std::set<std::string> Union(std::set<std::string> a,
                            const std::set<std::string>& b) {
  a.insert(b.begin(), b.end());
  return a;
}

int RunSpec(const CommandSpec& spec, const std::vector<std::string>& args,
            CommandIo io, Transport& transport, const GetEnvFn& env) {
  if (std::any_of(args.begin(), args.end(), [](const std::string& arg) {
        return arg == "--help" || arg == "-h";
      })) {
    PrintCommandHelp(spec, io.out);
    return kExitOk;
  }
  if (spec.run_raw != nullptr) {
    return spec.run_raw(args, io.in, io.out, io.err);
  }
  const bool networked = spec.plane != Plane::kOffline;
  const auto usage = [&](absl::string_view message) {
    io.err << "meshctl: " << spec.FullName() << ": " << message << "\n"
           << spec.UsageLine() << "\n";
    return kExitUsage;
  };
  absl::StatusOr<Flags> flags = Flags::Parse(
      args,
      networked ? Union(spec.value_flags,
                        ConnectionValueFlags(spec.bearer_flag, spec.plane))
                : spec.value_flags,
      networked ? Union(spec.bool_flags, ConnectionBoolFlags())
                : spec.bool_flags,
      spec.repeated_flags);
  if (!flags.ok()) return usage(flags.status().message());

  ConnectionSettings settings;
  if (networked) {
    absl::StatusOr<ConnectionSettings> resolved = ResolveConnection(
        *flags, {spec.plane, spec.bearer_flag}, env, absl::Now());
    if (!resolved.ok()) return usage(resolved.status().message());
    settings = *std::move(resolved);
  }
  switch (spec.auth) {
    case Auth::kNone:
      // The request carries its own credentials; a token from the
      // environment has no business travelling with it.
      settings.call.bearer_token.clear();
      break;
    case Auth::kRequired:
      if (settings.call.bearer_token.empty()) {
        return usage(absl::StrCat(
            "no bearer token: pass ",
            spec.bearer_flag == BearerFlag::kAuthTokenOnly ? "--auth-token T"
                                                           : "--token T",
            " or set MESHID_TOKEN",
            spec.plane == Plane::kKeyAdmin
                ? " (a token for aud=meshid-keyadmin with scope keys:admin)"
            : spec.plane == Plane::kLog
                ? " (a token for aud=logging-service with scope logs:read)"
                : ""));
      }
      break;
    case Auth::kByHandler:
      break;
  }
  CommandContext context(spec, *std::move(flags), std::move(settings), io,
                         transport, env);
  return spec.run(context);
}

}  // namespace

const std::vector<CommandSpec>& AllCommands() {
  static const std::vector<CommandSpec>* const registry =
      new std::vector<CommandSpec>(BuildRegistry());
  return *registry;
}

void PrintOverview(std::ostream& out) {
  out << "usage: meshctl <group> <command> [flags]\n"
         "       meshctl <group> <command> --help   for one command's "
         "flags\n";
  std::string group;
  for (const CommandSpec& spec : AllCommands()) {
    if (spec.group != group) {
      group = spec.group;
      out << "\n";
    }
    out << "  " << spec.UsageLine().substr(7) << "\n      " << spec.summary
        << "\n";
  }
  out << "\n"
      << kConnectionFlagsHelp
      << "\nexit status: 0 ok, 1 the command failed (one line on stderr: "
         "meshctl: <command>: <CODE>: <message>), 2 bad usage\n";
}

int RunMeshctl(const std::vector<std::string>& args, CommandIo io,
               Transport& transport, const GetEnvFn& env) {
  if (args.empty()) {
    PrintOverview(io.err);
    return kExitUsage;
  }
  if (IsHelp(args[0])) {
    PrintOverview(io.out);
    return kExitOk;
  }
  const std::string& group = args[0];
  const bool known_group =
      std::any_of(AllCommands().begin(), AllCommands().end(),
                  [&](const CommandSpec& spec) { return spec.group == group; });
  if (!known_group) {
    io.err << "meshctl: unknown command group '" << group << "'\n\n";
    PrintOverview(io.err);
    return kExitUsage;
  }
  if (args.size() < 2 || IsHelp(args[1])) {
    const bool asked = args.size() >= 2;
    if (!asked) io.err << "meshctl: " << group << ": which command?\n\n";
    PrintGroup(group, asked ? io.out : io.err);
    return asked ? kExitOk : kExitUsage;
  }
  for (const CommandSpec& spec : AllCommands()) {
    if (spec.group == group && spec.name == args[1]) {
      return RunSpec(spec, {args.begin() + 2, args.end()}, io, transport, env);
    }
  }
  io.err << "meshctl: unknown command '" << group << " " << args[1] << "'\n\n";
  PrintGroup(group, io.err);
  return kExitUsage;
}

}  // namespace meshid::meshctl
