// The shape of one meshctl command: its spec (name, flags, usage, which
// server) and the context its handler runs in (parsed flags, streams, stubs,
// call settings, error reporting). Handlers are plain functions over that
// context, so tests run them with in-memory streams and injected stubs.
//
//   int RunKeysGet(CommandContext& c) {
//     keyadmin::v1::GetKeyRequest request;
//     absl::StatusOr<std::string> kid = c.flags().Required("kid");
//     if (!kid.ok()) return c.Usage(kid.status());   // exit 2
//     request.set_kid(*kid);
//     keyadmin::v1::Key key;
//     grpc::Status status = c.Call([&](grpc::ClientContext* ctx) {
//       return c.keyadmin().GetKey(ctx, request, &key);
//     });
//     if (!status.ok()) return c.RpcFailed(status);  // exit 1
//     if (c.json()) return c.PrintJsonResult(key);
//     ...
//   }
#ifndef MESHID_TOOLS_MESHCTL_COMMAND_H_
#define MESHID_TOOLS_MESHCTL_COMMAND_H_

#include <iosfwd>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "tools/meshctl/command_line.h"
#include "tools/meshctl/connection.h"

namespace meshid::meshctl {

struct CommandIo {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
};

class CommandContext;

// Whether a networked command needs a bearer token before it calls.
enum class Auth {
  kNone,       // the request carries its own credentials; none is sent
  kRequired,   // refused (exit 2) before calling when there is none
  kByHandler,  // sent when present; the handler decides if it must be
};

struct CommandSpec {
  std::string group;     // "keys"
  std::string name;      // "revoke"
  std::string synopsis;  // the flags part of the usage line
  std::string summary;   // one line for the overview
  std::string details;   // more help lines, may be empty
  Plane plane = Plane::kKeyAdmin;
  Auth auth = Auth::kRequired;
  BearerFlag bearer_flag = BearerFlag::kTokenOrAuthToken;
  // The command's own flags; networked commands also get the connection
  // flags (--addr, --token, --json, ...).
  std::set<std::string> value_flags;
  std::set<std::string> bool_flags;
  std::set<std::string> repeated_flags;
  // Networked (and new offline) commands.
  int (*run)(CommandContext& context) = nullptr;
  // Offline commands that parse their own arguments (token verify/decode).
  int (*run_raw)(const std::vector<std::string>& args, std::istream& in,
                 std::ostream& out, std::ostream& err) = nullptr;

  std::string FullName() const { return group + " " + name; }
  std::string UsageLine() const;  // "usage: meshctl keys revoke ..."
};

// A KeyAdmin command that needs a bearer token (the common case); callers
// adjust the other fields afterwards.
CommandSpec MakeSpec(std::string group, std::string name, std::string synopsis,
                     std::string summary, std::set<std::string> value_flags,
                     int (*run)(CommandContext&));

class CommandContext {
 public:
  CommandContext(const CommandSpec& spec, Flags flags,
                 ConnectionSettings settings, CommandIo io,
                 Transport& transport, GetEnvFn env);

  const CommandSpec& spec() const { return spec_; }
  const Flags& flags() const { return flags_; }
  bool json() const { return flags_.Has("json"); }
  bool has_bearer_token() const { return !settings_.call.bearer_token.empty(); }
  std::istream& in() { return io_.in; }
  std::ostream& out() { return io_.out; }
  std::ostream& err() { return io_.err; }
  std::optional<std::string> GetEnv(const std::string& name) const {
    return env_(name);
  }

  // Stubs for the command's server, made on first use.
  identity::v1::Identity::StubInterface& identity();
  keyadmin::v1::KeyAdmin::StubInterface& keyadmin();
  logging::v1::Log::StubInterface& log();

  // Runs `call` with a fresh ClientContext carrying the command's deadline
  // and bearer token.
  template <typename CallFn>
  grpc::Status Call(CallFn call) {
    grpc::ClientContext context;
    PrepareClientContext(settings_.call, &context);
    return call(&context);
  }

  // For a server stream that runs until the user stops it (logs tail): the
  // bearer token, and a deadline only when --timeout was given.
  void PrepareStreamContext(grpc::ClientContext* context) const;

  // Prints `message` (or `status.message()`) and the usage line on stderr;
  // returns kExitUsage.
  int Usage(absl::string_view message);
  int Usage(const absl::Status& status) { return Usage(status.message()); }
  // "meshctl: <command>: <CODE>: <message>" on stderr; returns kExitFailed.
  int RpcFailed(const grpc::Status& status);
  // "meshctl: <command>: <message>" on stderr; returns kExitFailed.
  int Failed(absl::string_view message);

  // Prints `message` as JSON on out(); kExitOk, or kExitFailed when it
  // cannot be printed.
  int PrintJsonResult(const google::protobuf::Message& message);

 private:
  const CommandSpec& spec_;
  Flags flags_;
  ConnectionSettings settings_;
  CommandIo io_;
  Transport& transport_;
  GetEnvFn env_;
  std::unique_ptr<identity::v1::Identity::StubInterface> identity_;
  std::unique_ptr<keyadmin::v1::KeyAdmin::StubInterface> keyadmin_;
  std::unique_ptr<logging::v1::Log::StubInterface> log_;
};

// Prints one help block for `spec` (usage, summary, details, and the
// connection flags when it is networked).
void PrintCommandHelp(const CommandSpec& spec, std::ostream& out);

// The help text of the connection flags.
extern const char kConnectionFlagsHelp[];

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_COMMAND_H_
