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
  // Parses `args` (flags only, no positionals). `value_flags` take a value,
  // `bool_flags` none. Unknown flags, repeats and missing values are
  // INVALID_ARGUMENT naming the flag.
  static absl::StatusOr<Flags> Parse(const std::vector<std::string>& args,
                                     const std::set<std::string>& value_flags,
                                     const std::set<std::string>& bool_flags);

  std::optional<std::string> Get(absl::string_view name) const;
  bool Has(absl::string_view name) const;
  absl::StatusOr<std::string> Required(absl::string_view name) const;
  // An integer flag; nullopt when absent, INVALID_ARGUMENT when not an int64.
  absl::StatusOr<std::optional<int64_t>> Int(absl::string_view name) const;

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace meshid::meshctl

#endif  // MESHID_TOOLS_MESHCTL_COMMAND_LINE_H_
