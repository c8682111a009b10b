#include "common/server/env_flags.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

extern char** environ;

namespace meshid::server {
namespace {

constexpr absl::string_view kEnvPrefix = "MESHID_";

// Abseil registers --flagfile, --fromenv, --help and friends from its own
// sources; they configure parsing itself and have no meshid meaning.
bool IsAbseilFlag(const absl::CommandLineFlag& flag) {
  return absl::StrContains(flag.Filename(), "absl/flags/");
}

// The MESHID_* entries of `envp`, by name.
absl::flat_hash_map<absl::string_view, absl::string_view> MeshidEnvironment(
    const char* const* envp) {
  absl::flat_hash_map<absl::string_view, absl::string_view> vars;
  if (envp == nullptr) return vars;
  for (; *envp != nullptr; ++envp) {
    const absl::string_view entry(*envp);
    if (!absl::StartsWith(entry, kEnvPrefix)) continue;
    const size_t eq = entry.find('=');
    if (eq == absl::string_view::npos) continue;
    vars.emplace(entry.substr(0, eq), entry.substr(eq + 1));
  }
  return vars;
}

std::string MarkdownCell(absl::string_view text) {
  return absl::StrReplaceAll(text, {{"|", "\\|"}, {"\n", " "}});
}

}  // namespace

std::string EnvVarNameForFlag(absl::string_view flag_name) {
  return absl::StrCat(kEnvPrefix, absl::AsciiStrToUpper(flag_name));
}

absl::Status ApplyEnvironmentToFlags(const char* const* envp) {
  const auto vars = MeshidEnvironment(envp);
  if (vars.empty()) return absl::OkStatus();
  std::vector<std::string> failures;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->IsRetired() || IsAbseilFlag(*flag)) continue;
    const std::string env_var = EnvVarNameForFlag(name);
    const auto it = vars.find(env_var);
    if (it == vars.end()) continue;
    // absl's parse error repeats the value; it is dropped, not reported.
    std::string ignored_error;
    if (!flag->ParseFrom(it->second, &ignored_error)) {
      failures.push_back(
          absl::StrCat(env_var, " is not a valid value for --", name));
    }
  }
  if (failures.empty()) return absl::OkStatus();
  std::sort(failures.begin(), failures.end());
  return absl::InvalidArgumentError(
      absl::StrCat("bad environment: ", absl::StrJoin(failures, "; ")));
}

absl::Status ApplyEnvironmentToFlags() {
  return ApplyEnvironmentToFlags(environ);
}

std::string NormalizeFlagSpelling(absl::string_view arg) {
  if (arg.size() < 3 || arg.substr(0, 2) != "--") return std::string(arg);
  const size_t eq = arg.find('=');
  std::string name(arg.substr(
      2, eq == absl::string_view::npos ? absl::string_view::npos : eq - 2));
  std::replace(name.begin(), name.end(), '-', '_');
  return absl::StrCat("--", name,
                      eq == absl::string_view::npos ? "" : arg.substr(eq));
}

absl::StatusOr<std::vector<char*>> ParseFlagsAndEnvironment(int argc,
                                                            char** argv) {
  absl::Status env = ApplyEnvironmentToFlags();
  if (!env.ok()) return env;
  // Kept for the life of the process: absl and the positional arguments
  // returned below point into these strings.
  static auto* const spelled = new std::vector<std::string>();
  static auto* const args = new std::vector<char*>();
  spelled->clear();
  args->clear();
  bool after_double_dash = false;
  for (int i = 0; i < argc; ++i) {
    const absl::string_view arg = argv[i];
    spelled->push_back(i == 0 || after_double_dash
                           ? std::string(arg)
                           : NormalizeFlagSpelling(arg));
    if (arg == "--") after_double_dash = true;
  }
  for (std::string& s : *spelled) args->push_back(s.data());
  return absl::ParseCommandLine(static_cast<int>(args->size()), args->data());
}

std::vector<FlagDescription> ListFlags() {
  std::vector<FlagDescription> flags;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->IsRetired() || IsAbseilFlag(*flag)) continue;
    flags.push_back(FlagDescription{std::string(name), EnvVarNameForFlag(name),
                                    flag->DefaultValue(), flag->Help(),
                                    flag->Filename()});
  }
  std::sort(flags.begin(), flags.end(),
            [](const FlagDescription& a, const FlagDescription& b) {
              return a.name < b.name;
            });
  return flags;
}

std::string DescribeFlags(FlagFormat format) {
  std::string out;
  if (format == FlagFormat::kMarkdown) {
    out = "| flag | environment | default | help |\n|---|---|---|---|\n";
  }
  for (const FlagDescription& f : ListFlags()) {
    if (format == FlagFormat::kMarkdown) {
      const std::string default_cell =
          f.default_value.empty()
              ? "(empty)"
              : absl::StrCat("`", MarkdownCell(f.default_value), "`");
      absl::StrAppend(&out, "| `--", f.name, "` | `", f.env_var, "` | ",
                      default_cell, " | ", MarkdownCell(f.help), " |\n");
    } else {
      absl::StrAppend(&out, "--", f.name, " (env ", f.env_var, ", default \"",
                      f.default_value, "\")\n    ", f.help, "\n");
    }
  }
  return out;
}

}  // namespace meshid::server
