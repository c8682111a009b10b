// A small parser for meshctl's "--name value" / "--name=value" flags.
// Subcommands have their own flag sets, so the global absl flags registry is
// not used here.
#ifndef MESHID_TOOLS_MESHCTL_COMMAND_LINE_H_
#define MESHID_TOOLS_MESHCTL_COMMAND_LINE_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace meshid::meshctl {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;  // the command ran and said no
inline constexpr int kExitUsage = 2;   // the command line was wrong

class Flags {
 public:
  // Parses `args` (flags only, no positionals). `value_flags` take a value
  // and may appear once, `bool_flags` take none, `repeated_flags` take a
  // value and may appear any number of times (read them with GetAll).
  // Unknown flags, repeats of a single flag and missing values are
  // INVALID_ARGUMENT naming the flag, never quoting its value.
  static absl::StatusOr<Flags> Parse(
      const std::vector<std::string>& args,
      const std::set<std::string>& value_flags,
      const std::set<std::string>& bool_flags,
      const std::set<std::string>& repeated_flags = {});

  std::optional<std::string> Get(absl::string_view name) const;
  bool Has(absl::string_view name) const;
  // The value of a flag that must be given, and not as "".
  absl::StatusOr<std::string> Required(absl::string_view name) const;
  // An integer flag; nullopt when absent, INVALID_ARGUMENT when not an int64.
  absl::StatusOr<std::optional<int64_t>> Int(absl::string_view name) const;
  // Every value of a repeated flag, in command-line order; empty when absent.
  std::vector<std::string> GetAll(absl::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
  std::map<std::string, std::vector<std::string>, std::less<>> repeated_;
};

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_COMMAND_LINE_H_
