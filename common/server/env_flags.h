// Every meshid flag is also readable from the environment: flag `--foo_bar`
// from `MESHID_FOO_BAR`. The environment is applied first and the command
// line second, so an explicit flag always wins over the environment (which
// in turn wins over the default).
//
//   int main(int argc, char** argv) {
//     absl::StatusOr<std::vector<char*>> args =
//         ParseFlagsAndEnvironment(argc, argv);
//     if (!args.ok()) { Log(LogLevel::kError, "flags.invalid", ...); return 2;
//     }
//     ...
//   }
//
// Error messages name the variable and the flag but never repeat the value:
// a malformed MESHID_BOOTSTRAP_ADMIN_SECRET must not end up in a log line.
//
// Flags defined by Abseil itself (--flagfile, --fromenv, --help, ...) are not
// mapped and not listed: they are about parsing, not about meshid.
#ifndef MESHID_COMMON_SERVER_ENV_FLAGS_H_
#define MESHID_COMMON_SERVER_ENV_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meshid::server {

// "MESHID_" followed by the flag name in upper case: "store" -> "MESHID_STORE".
std::string EnvVarNameForFlag(absl::string_view flag_name);

// Sets every registered flag whose variable is present in `envp` (a
// nullptr-terminated array of "NAME=value" strings, like `environ`; nullptr
// means none). A present but empty variable sets the flag to the empty
// string, which only string flags accept. Variables naming no flag are
// ignored (scripts use MESHID_* variables of their own). On error no
// guarantee is made about which flags were set; the InvalidArgument status
// lists every variable that failed to parse, without its value.
// Not thread-safe with respect to other flag writers: call early in main.
[[nodiscard]] absl::Status ApplyEnvironmentToFlags(const char* const* envp);
// The same for the process environment (`environ`).
[[nodiscard]] absl::Status ApplyEnvironmentToFlags();

// "--foo-bar=1" -> "--foo_bar=1": meshid flags may be spelled with dashes
// (as the docs write them) or underscores (as absl names them). Values and
// non-flag arguments are left alone.
std::string NormalizeFlagSpelling(absl::string_view arg);

// ApplyEnvironmentToFlags(), then absl::ParseCommandLine(argc, argv) with
// dashed flag names accepted, which
// exits the process on a bad command line or --help, as usual. Returns the
// positional arguments (argv[0] first).
absl::StatusOr<std::vector<char*>> ParseFlagsAndEnvironment(int argc,
                                                            char** argv);

// One registered meshid flag.
struct FlagDescription {
  std::string name;           // "store"
  std::string env_var;        // "MESHID_STORE"
  std::string default_value;  // as absl would print it
  std::string help;
  std::string file;  // the file that defines the flag
};

// Every registered flag except Abseil's own, sorted by name.
std::vector<FlagDescription> ListFlags();

enum class FlagFormat { kText, kMarkdown };

// ListFlags() rendered for --helpfull-like output (kText: one block per flag)
// or as a README table (kMarkdown: | flag | environment | default | help |).
std::string DescribeFlags(FlagFormat format = FlagFormat::kText);

}  // namespace meshid::server

#endif  // MESHID_COMMON_SERVER_ENV_FLAGS_H_
